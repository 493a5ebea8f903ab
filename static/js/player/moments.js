/* Moments of a recording as people write them in links: `?t=` is read by the server
   (followups/recording.py); `#t=` never reaches it, so the player reads it with the same rules. */

// A link to a moment can be shared widely; anything longer than this is not a time.
const MAX_LENGTH = 16;
// No call lasts a day; a bigger number is a typo or junk, not a position to seek to.
const MAX_SECONDS = 86400;

// 90, 90s, 1:30, 1:02:03, 1m30s, 1h2m3s; null when the text spells no number of seconds.
function writtenSeconds(text) {
  if (!text || text.length > MAX_LENGTH) { return null; }
  text = text.trim();
  let match = /^([0-9]+)s?$/i.exec(text);
  if (match) { return parseInt(match[1], 10); }
  match = /^(?:([0-9]+):)?([0-9]+):([0-5][0-9])$/.exec(text);
  if (match) {
    const minutes = parseInt(match[2], 10);
    if (match[1] !== undefined && minutes > 59) { return null; }
    return parseInt(match[1] || "0", 10) * 3600 + minutes * 60 + parseInt(match[3], 10);
  }
  match = /^(?=[0-9])(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/i.exec(text);
  if (match) {
    const [hours, minutes, seconds] = match.slice(1).map((part) => parseInt(part || "0", 10));
    return hours * 3600 + minutes * 60 + seconds;
  }
  return null;
}

// The moment to start at, past the end or not; null for none, the start itself, or junk.
export function momentParse(text) {
  const seconds = writtenSeconds(text);
  return seconds === null || seconds <= 0 || seconds > MAX_SECONDS ? null : seconds;
}

// Only a known length has an end.
export function pastEnd(seconds, durationSeconds) {
  return durationSeconds > 0 && seconds >= durationSeconds;
}

// An empty value and 0 are the start; anything else that is no time can be explained.
export function momentUnreadable(text) {
  if (text === null || !text.trim() || /^0+s?$/i.test(text.trim())) { return false; }
  return momentParse(text) === null;
}

// `m:ss`, or `h:mm:ss` past the hour.
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
