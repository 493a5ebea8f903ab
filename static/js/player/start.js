/* Where the player starts: the page's `#t=` (the browser's alone), else the server's `?t=`
   (data-start), and a notice when a moment asked for cannot be kept. */
import { clock, hashMoment, momentParse, momentUnreadable, pastEnd } from "./moments.js";

// The notices the server writes for `?t=`, in the same place and words, for `#t=`.
function noteSay(root, text) {
  let note = root.parentNode.querySelector("[data-player-note]");
  if (!note) {
    note = document.createElement("p");
    note.className = "player-note muted";
    note.setAttribute("role", "status");
    note.setAttribute("data-player-note", "");
    root.parentNode.insertBefore(note, root);
  }
  note.textContent = text;
}

// Seconds to start at, or null for the beginning.
export function startMoment(root, durationSeconds) {
  const written = hashMoment();
  const asked = momentParse(written);
  if (asked !== null && !pastEnd(asked, durationSeconds)) { return asked; }
  const start = parseInt(root.getAttribute("data-start") || "", 10) || null;
  // A valid `?t=` still wins over a `#t=` past the end or unreadable; otherwise say why it
  // starts at 0:00.
  if (start === null && asked !== null) {
    noteSay(root, `That moment (${clock(asked)}) is past the end of the recording ` +
      `(${clock(durationSeconds)}); starting from the beginning.`);
  } else if (start === null && momentUnreadable(written)) {
    const shown = written.length > 20 ? `${written.slice(0, 19)}…` : written;
    noteSay(root, `The link's moment (“${shown}”) is not a time; starting from the ` +
      "beginning. Times read like 90, 1:30 or 1m30s.");
  }
  return start;
}
