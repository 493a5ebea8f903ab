#!/usr/bin/env bash
# Builds collection-call.mp3, the sandbox's only call recording, from text.
#
# The recording is committed; run this again only to change it. It needs espeak-ng, sox and
# ffmpeg (with libmp3lame). MP3 because every browser plays it and GetBill's own recordings are
# MP3; 16 kHz mono at a constant 24 kbit/s keeps it small and makes byte-range seeking exact.
# Two espeak voices (agent and debtor) through a telephone band-pass, announced up front as
# synthetic so nobody mistakes it for a real person.
set -euo pipefail
cd "$(dirname "$0")"

OUT=collection-call.mp3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

NARRATOR=(-v en-gb+m1 -p 50 -s 175)
AGENT=(-v en-us+f3 -p 62 -s 168)
DEBTOR=(-v en-gb-x-rp+m3 -p 34 -s 160)

n=0
say() {
  local pause=$1 voice=$2
  shift 2
  local -n args=$voice
  n=$((n + 1))
  espeak-ng "${args[@]}" -w "$WORK/raw-$n.wav" "$*"
  # Same rate and channels for every piece, a short gap after it, phone-line bandwidth;
  # -R makes the dither repeatable, so the output is byte-identical from run to run.
  sox -R "$WORK/raw-$n.wav" -r 16000 -c 1 "$WORK/part-$n.wav" \
    gain -3 highpass 300 lowpass 3400 pad 0 "$pause"
}

say 0.9 NARRATOR "This is a synthetic recording for the GetBill sandbox." \
  "The voices are computer generated. No real person is on this call."
say 0.5 AGENT "Good morning, this is Claire, calling on behalf of Northwind Energy" \
  "about your account. Am I speaking with the account holder?"
say 0.4 DEBTOR "Yes, speaking. Is this about the late bill?"
say 0.5 AGENT "It is. There is an overdue balance from your spring invoice," \
  "and I would like to find a way to settle it with you today."
say 0.4 DEBTOR "I know. I lost some hours at work, so I cannot pay it all at once."
say 0.5 AGENT "I understand. Would three equal monthly payments work for you?"
say 0.4 DEBTOR "Three payments, yes, I can manage that. When would it start?"
say 0.5 AGENT "The first payment would be on the first of next month." \
  "I will send you a secure payment link by email right after this call."
say 0.4 DEBTOR "Fine. Please use the address you have on file."
say 0.4 AGENT "Done. Thank you for your time, and have a good day."
say 0.3 DEBTOR "Thank you. Goodbye."

parts=()
for i in $(seq 1 "$n"); do parts+=("$WORK/part-$i.wav"); done
sox -R "${parts[@]}" "$WORK/call.wav" norm -3

# bitexact and no metadata copy: the same input gives the same bytes.
ffmpeg -hide_banner -loglevel error -y -i "$WORK/call.wav" \
  -map_metadata -1 -fflags +bitexact -flags:a +bitexact \
  -metadata title="Synthetic collection call (GetBill sandbox)" \
  -c:a libmp3lame -b:a 24k -ar 16000 -ac 1 "$OUT"

echo "$OUT: $(stat -c %s "$OUT") bytes, $(soxi -D "$WORK/call.wav") s"
