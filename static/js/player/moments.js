/* Moments of a recording, the browser's one home for reading and writing them (the player,
   comments.js, transcript.js). They follow followups/moments.py, which reads a comment's "At"
   and a link's `?t=`; `#t=` never reaches the server, so the player reads it here with the same
   rules: `75`, `75.4` (cut to whole seconds), `90s`, `1:15`, `1:02:03`, `1m30s`, `1h2m3s`. */

// moments.MOMENT_MAX_LENGTH: a moment is shared in links; anything longer is not a time.
const MAX_LENGTH = 16;
// moments.MOMENT_MAX_SECONDS: no call lasts a day; a bigger number is junk, not a moment.
const MAX_SECONDS = 86400;

const SECONDS = /^([0-9]+)(?:\.[0-9]{1,3})?s?$/i;
const CLOCK = /^(?:([0-9]+):)?([0-9]+):([0-5][0-9])(?:\.[0-9]{1,3})?$/;
const UNITS = /^(?=[0-9])(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/i;

function wholes(match) {
  return match.slice(1).map((part) => parseInt(part || "0", 10));
}

// Whole seconds from 0 to a day, as the server's moment_parse reads them; null for no moment.
export function momentSeconds(text) {
  text = (text || "").trim();
  if (!text || text.length > MAX_LENGTH) { return null; }
  let seconds = null;
  let match = SECONDS.exec(text);
  if (match) {
    seconds = parseInt(match[1], 10);
  } else if ((match = CLOCK.exec(text))) {
    const [hours, minutes, secs] = wholes(match);
    if (match[1] !== undefined && minutes > 59) { return null; }
    seconds = hours * 3600 + minutes * 60 + secs;
  } else if ((match = UNITS.exec(text))) {
    const [hours, minutes, secs] = wholes(match);
    seconds = hours * 3600 + minutes * 60 + secs;
  }
  return seconds === null || seconds > MAX_SECONDS ? null : seconds;
}

// The moment to start at, past the end or not; null for none, the start itself, or junk.
export function momentParse(text) {
  const seconds = momentSeconds(text);
  return seconds === null || seconds <= 0 ? null : seconds;
}

// Only a known length has an end.
export function pastEnd(seconds, durationSeconds) {
  return durationSeconds > 0 && seconds >= durationSeconds;
}

// An empty value and 0 are the start; anything else that is no time can be explained.
export function momentUnreadable(text) {
  if (text === null || !text.trim()) { return false; }
  return momentSeconds(text) === null;
}

// `m:ss`, or `h:mm:ss` from an hour on, a fraction rounded down: moments.moment_format.
export function clock(seconds) {
  const total = Math.max(0, Math.floor(seconds || 0));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

// The `t` of the page's `#t=`, as written; null when there is none.
export function hashMoment() {
  const match = /(?:^#|&)t=([^&]*)/.exec(window.location.hash);
  if (!match) { return null; }
  try { return decodeURIComponent(match[1]); } catch (error) { return match[1]; }
}
