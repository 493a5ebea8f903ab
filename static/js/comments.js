/* Review comments next to the recording player (templates/reviews/_panels.html#comments).

   - "c" (not while typing in a field) or the "Now" button pauses the player and opens the
     comment box at the current moment; saving resumes playback where it was, Escape cancels.
   - Markers on the seek bar show where comments are; clicking one, or a comment's time,
     seeks there without reloading.
   - The comment and review panels are swapped by htmx; their refusals (400, 409) come back as
     the panel with its message, so they are swapped too.

   It talks to the player only through `root.playerControls` (static/js/player/main.js) and
   takes the player's rules for moments and for keys typed in a field from its modules. No inline
   script or style: positions are set through the CSS object model. Without JavaScript the
   forms post and the page comes back at the comment's moment. */
import { typingIn } from "./player/keys.js";
import { clock, momentSeconds } from "./player/moments.js";

const COMMENT_KEY = "c";
// Half the width of the seek bar's thumb: where 0 and the end sit on the track.
const THUMB_HALF_PX = 8;

let resumeAfterSave = false;

function playerRoot() { return document.querySelector("[data-player]"); }

function controls() {
  const root = playerRoot();
  return root && root.playerControls ? root.playerControls : null;
}

function commentForm() { return document.querySelector("[data-comment-form]"); }

/* ---- Comment and pause ------------------------------------------------------------------ */

function commentOpen() {
  const form = commentForm();
  const player = controls();
  if (!form || !player) { return false; }
  resumeAfterSave = player.playing();
  player.pause();
  form.querySelector("[data-comment-at]").value = clock(player.position());
  const text = form.querySelector("[data-comment-text]");
  text.focus();
  return true;
}

function commentCancel() {
  const form = commentForm();
  if (form) { form.querySelector("[data-comment-text]").blur(); }
  if (resumeAfterSave && controls()) { controls().play(); }
  resumeAfterSave = false;
}

document.addEventListener("keydown", function (event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey ||
      event.isComposing) { return; }
  const form = commentForm();
  if (event.key === "Escape" && form && form.contains(event.target)) {
    commentCancel();
    event.preventDefault();
    return;
  }
  if (event.key.toLowerCase() !== COMMENT_KEY || typingIn(event.target)) { return; }
  if (commentOpen()) { event.preventDefault(); }
});

document.addEventListener("click", function (event) {
  const now = event.target.closest && event.target.closest("[data-comment-now]");
  if (now) {
    event.preventDefault();
    commentOpen();
    return;
  }
  const seek = event.target.closest && event.target.closest("[data-seek]");
  const player = controls();
  if (!seek || !player) { return; }
  event.preventDefault();
  player.seek(momentSeconds(seek.getAttribute("data-seek")) || 0);
});

// A comment typed without the key starts at the moment the reviewer began typing it.
document.addEventListener("focusin", function (event) {
  const form = commentForm();
  const player = controls();
  if (!form || !player || !event.target.matches("[data-comment-text]")) { return; }
  const at = form.querySelector("[data-comment-at]");
  if (!at.value) { at.value = clock(player.position()); }
});

/* ---- Markers on the seek bar ----------------------------------------------------------- */

function markerLayer(root) {
  let layer = root.querySelector("[data-comment-markers]");
  if (layer) { return layer; }
  // The seek bar and its markers share a box, so a marker sits over its moment.
  const wrap = root.querySelector("[data-player-track]");
  if (!wrap) { return null; }
  layer = document.createElement("div");
  layer.className = "comment-markers";
  layer.setAttribute("data-comment-markers", "");
  wrap.appendChild(layer);
  return layer;
}

function markersRender() {
  const root = playerRoot();
  // Only a page with the comments panel gets markers.
  if (!root || !root.playerControls || !document.querySelector("[data-comments]")) { return; }
  const layer = markerLayer(root);
  if (!layer) { return; }
  const duration = root.playerControls.duration();
  const items = document.querySelectorAll("[data-comment-list] [data-comment-moment]");
  layer.textContent = "";
  if (!(duration > 0)) { return; }
  Array.prototype.forEach.call(items, function (item) {
    const at = momentSeconds(item.getAttribute("data-comment-moment"));
    if (at === null || at > duration) { return; }
    const marker = document.createElement("button");
    const label = "Comment at " + clock(at);
    marker.type = "button";
    marker.className = "comment-marker";
    marker.tabIndex = -1;  // the comment list has the same links, in order
    marker.setAttribute("data-seek", String(at));
    marker.setAttribute("data-comment-marker", "");
    marker.setAttribute("aria-label", label);
    marker.title = label;
    const share = Math.min(1, at / duration);
    marker.style.left = "calc(" + THUMB_HALF_PX + "px + (100% - " + (2 * THUMB_HALF_PX) +
      "px) * " + share.toFixed(5) + ")";
    layer.appendChild(marker);
  });
}

function hintsShow(scope) {
  const nodes = scope.querySelectorAll("[data-comment-hint], [data-comment-now]");
  Array.prototype.forEach.call(nodes, function (node) { node.hidden = !controls(); });
}

function panelReady(scope) {
  hintsShow(scope);
  markersRender();
  const root = playerRoot();
  const audio = root && root.querySelector("audio");
  if (audio && !audio.commentMarkersBound) {
    audio.commentMarkersBound = true;
    audio.addEventListener("durationchange", markersRender);
  }
}

document.addEventListener("player:ready", function () { panelReady(document); });

/* ---- htmx ---------------------------------------------------------------------------- */

document.addEventListener("htmx:beforeSwap", function (event) {
  const detail = event.detail;
  const target = detail && detail.target;
  if (!target || !target.closest || !target.closest("[data-reviews-swap]")) { return; }
  const status = detail.xhr.status;
  // Told here, while the comment form is still in the page: the swap replaces it.
  // The element that made the request (detail.elt is the one the event fires on).
  const source = detail.requestConfig && detail.requestConfig.elt;
  const saved = status >= 200 && status < 300 && source && source.matches &&
    source.matches("[data-comment-form]");
  if (saved && resumeAfterSave && controls()) { controls().play(); }
  if (saved) { resumeAfterSave = false; }
});

document.addEventListener("htmx:load", function (event) {
  if (event.target.querySelector && (event.target.matches("[data-comments]") ||
      event.target.querySelector("[data-comments]"))) {
    panelReady(event.target);
    // A refused comment comes back with its text: the reviewer fixes it in place.
    const form = event.target.querySelector("[data-comment-form]");
    if (form && form.querySelector("[aria-invalid=true]")) {
      form.querySelector("[data-comment-at]").focus();
    }
  }
});

panelReady(document);
