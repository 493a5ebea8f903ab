/* The transcript beside the recording (transcripts/templates/transcripts/_panel.html).

   - The segment being spoken, and its word, are highlighted as the recording plays, and the
     list scrolls to keep them in view, until the reader scrolls it elsewhere: then following
     stops and "Back to the moment playing" brings it back.
   - A click on a segment's time, a segment or a word seeks there and plays (not when the click
     ends a text selection: quoting a sentence must not jump the recording).
   - The search box highlights matches, with next and previous (Enter, Shift+Enter).
   - "Comment here" fills the comment form's moment with the segment's and focuses its text.

   It talks to the player only through the page's <audio> element (its events, currentTime,
   play()), so it works whatever drives the player. The recording's waveform is not here: it is
   drawn on the player's own seek bar (transcripts/panels.py). Without JavaScript the times are
   links to the moment. */

const AUDIO = "#recording audio";
const PANEL = "[data-transcript]";
// A word stays lit this long after its end: words are often timed a little short.
const WORD_GRACE_SECONDS = 0.15;
// Scrolling that lands within this many pixels of where this script put it is its own.
const OWN_SCROLL_SLACK_PX = 2;

const panels = new WeakMap();

function audioElement() { return document.querySelector(AUDIO); }

function times(element) {
  return { start: parseFloat(element.dataset.start), end: parseFloat(element.dataset.end) };
}

/* ---- The panel's index: its segments in order of time --------------------------------- */

function panelState(panel) {
  let state = panels.get(panel);
  if (state) { return state; }
  const list = panel.querySelector("[data-transcript-segments]");
  const segments = list ? Array.from(list.children, (element) => ({
    element, ...times(element), words: null,
  })) : [];
  state = {
    list, segments, current: null, word: null, following: true, ownScrollTop: null,
    matches: [], match: -1,
  };
  panels.set(panel, state);
  if (list) { list.addEventListener("scroll", () => scrolled(panel, state)); }
  return state;
}

function segmentAt(segments, time) {
  // The last segment started by `time` (binary search: a long call has hundreds).
  let low = 0;
  let high = segments.length - 1;
  let found = null;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (segments[middle].start <= time) { found = segments[middle]; low = middle + 1; }
    else { high = middle - 1; }
  }
  return found;
}

function wordAt(segment, time) {
  if (!segment.words) {
    segment.words = Array.from(segment.element.querySelectorAll("[data-transcript-text] [data-start]"),
      (element) => ({ element, ...times(element) }));
  }
  let found = null;
  for (const word of segment.words) {
    if (word.start > time) { break; }
    if (time <= word.end + WORD_GRACE_SECONDS) { found = word; }
  }
  return found;
}

/* ---- Following playback ----------------------------------------------------------------- */

function scrollListTo(state, element) {
  const list = state.list;
  const top = element.offsetTop;
  const bottom = top + element.offsetHeight;
  if (top >= list.scrollTop && bottom <= list.scrollTop + list.clientHeight) { return; }
  // A third down the list: what was just said stays visible above it.
  list.scrollTop = Math.max(0, top - list.clientHeight / 3);
  state.ownScrollTop = list.scrollTop;
}

function scrolled(panel, state) {
  if (state.ownScrollTop !== null &&
      Math.abs(state.list.scrollTop - state.ownScrollTop) <= OWN_SCROLL_SLACK_PX) { return; }
  state.ownScrollTop = null;
  if (!state.following) { return; }
  state.following = false;
  const follow = panel.querySelector("[data-transcript-follow]");
  if (follow && state.current) { follow.hidden = false; }
}

function followResume(panel, state) {
  state.following = true;
  const follow = panel.querySelector("[data-transcript-follow]");
  if (follow) { follow.hidden = true; }
  if (state.current && state.list) { scrollListTo(state, state.current.element); }
}

function highlight(state, time) {
  const segment = segmentAt(state.segments, time);
  if (segment !== state.current) {
    if (state.current) {
      state.current.element.classList.remove("is-current");
      state.current.element.removeAttribute("aria-current");
    }
    state.current = segment;
    if (segment) {
      segment.element.classList.add("is-current");
      segment.element.setAttribute("aria-current", "time");
      if (state.following) { scrollListTo(state, segment.element); }
    }
  }
  const word = segment ? wordAt(segment, time) : null;
  if (word !== state.word) {
    if (state.word) { state.word.element.classList.remove("is-spoken"); }
    state.word = word;
    if (word) { word.element.classList.add("is-spoken"); }
  }
}

function render(time) {
  const panel = document.querySelector(PANEL);
  if (!panel) { return; }
  highlight(panelState(panel), time);
}

let frameAsked = false;

function frame() {
  // While playing, every frame: timeupdate comes four times a second, too slow for words.
  frameAsked = false;
  const audio = audioElement();
  if (!audio) { return; }
  render(audio.currentTime);
  if (!audio.paused && !audio.ended) { frameAsked = true; requestAnimationFrame(frame); }
}

function frameAsk() {
  if (!frameAsked) { frameAsked = true; requestAnimationFrame(frame); }
}

// Media events do not bubble: they are heard on their way down (capture), whichever <audio>
// the player has put in the page.
for (const type of ["timeupdate", "seeked", "play", "loadedmetadata"]) {
  document.addEventListener(type, (event) => {
    if (event.target instanceof HTMLMediaElement && event.target.matches(AUDIO)) { frameAsk(); }
  }, true);
}

/* ---- Seeking ---------------------------------------------------------------------------- */

function seek(seconds) {
  const audio = audioElement();
  if (!audio) { return false; }
  audio.currentTime = seconds;
  const playing = audio.play();
  if (playing && playing.catch) { playing.catch(() => {}); }
  render(seconds);
  return true;
}

function selecting() {
  const selection = window.getSelection();
  return Boolean(selection && !selection.isCollapsed && selection.toString().trim());
}

function seekClicked(event, panel) {
  const segmentElement = event.target.closest("[data-transcript-segments] > li");
  if (!segmentElement || event.target.closest("button")) { return; }
  if (selecting() || !audioElement()) { return; }  // without a player, the link goes there
  const word = event.target.closest("[data-transcript-text] [data-start]");
  const state = panelState(panel);
  event.preventDefault();
  followResume(panel, state);
  seek(parseFloat((word || segmentElement).dataset.start));
}

/* ---- Comment here ----------------------------------------------------------------------- */

function commentHere(segmentElement) {
  const form = document.querySelector("[data-comment-form]");
  if (!form) { return; }
  // The moment as the segment's own link shows it (m:ss, as the comment form reads it).
  form.querySelector("[data-comment-at]").value =
    segmentElement.querySelector(".transcript-time").textContent.trim();
  form.querySelector("[data-comment-text]").focus();
}

/* ---- Search ----------------------------------------------------------------------------- */

function fold(text) {
  // Case and accents ignored, one character for one, so places in the folded text are places
  // in the shown text.
  return Array.from(text, (char) => {
    const plain = char.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "");
    return plain.length === char.length ? plain : char;
  }).join("");
}

function matchElements(textElement, start, end) {
  // The word spans that the match [start, end) touches; the whole text when it has no words.
  const words = textElement.querySelectorAll("[data-start]");
  if (!words.length) { return [textElement]; }
  const touched = [];
  let position = 0;
  for (const node of textElement.childNodes) {
    const length = node.textContent.length;
    if (node.nodeType === Node.ELEMENT_NODE && position < end && position + length > start) {
      touched.push(node);
    }
    position += length;
  }
  return touched;
}

function searchClear(state) {
  for (const match of state.matches) {
    for (const element of match) { element.classList.remove("is-match", "is-match-current"); }
  }
  state.matches = [];
  state.match = -1;
}

function searchRun(panel) {
  const state = panelState(panel);
  const query = fold(panel.querySelector("[data-transcript-query]").value.trim());
  searchClear(state);
  const count = panel.querySelector("[data-transcript-count]");
  if (!query) { count.textContent = ""; return; }
  for (const segment of state.segments) {
    const textElement = segment.element.querySelector("[data-transcript-text]");
    const text = fold(textElement.textContent);
    for (let at = text.indexOf(query); at >= 0; at = text.indexOf(query, at + query.length)) {
      const elements = matchElements(textElement, at, at + query.length);
      for (const element of elements) { element.classList.add("is-match"); }
      state.matches.push(elements);
    }
  }
  searchStep(panel, state, 1);
}

function searchStep(panel, state, step) {
  const count = panel.querySelector("[data-transcript-count]");
  if (!state.matches.length) { count.textContent = "No match"; return; }
  if (state.match >= 0) {
    for (const element of state.matches[state.match]) { element.classList.remove("is-match-current"); }
  }
  state.match = (state.match + step + state.matches.length) % state.matches.length;
  const current = state.matches[state.match];
  for (const element of current) { element.classList.add("is-match-current"); }
  count.textContent = `${state.match + 1} of ${state.matches.length}`;
  // Reading the matches is reading elsewhere: playback no longer moves the list.
  state.following = false;
  const follow = panel.querySelector("[data-transcript-follow]");
  if (follow) { follow.hidden = !state.current; }
  if (state.list) { scrollListTo(state, current[0].closest("li")); }
}

/* ---- Wiring ----------------------------------------------------------------------------- */

document.addEventListener("click", (event) => {
  const panel = event.target.closest && event.target.closest(PANEL);
  if (!panel) { return; }
  const comment = event.target.closest("[data-transcript-comment]");
  if (comment) { commentHere(comment.closest("li")); return; }
  if (event.target.closest("[data-transcript-follow]")) {
    followResume(panel, panelState(panel));
    return;
  }
  const step = event.target.closest("[data-transcript-next], [data-transcript-previous]");
  if (step) {
    searchStep(panel, panelState(panel), step.matches("[data-transcript-next]") ? 1 : -1);
    return;
  }
  seekClicked(event, panel);
});

let searchTimer = null;

document.addEventListener("input", (event) => {
  if (!event.target.matches("[data-transcript-query]")) { return; }
  const panel = event.target.closest(PANEL);
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => searchRun(panel), 120);
});

document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (!(target instanceof Element)) { return; }
  if (target.matches("[data-transcript-query]")) {
    const panel = target.closest(PANEL);
    if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(searchTimer);
      const state = panelState(panel);
      if (!state.matches.length) { searchRun(panel); }
      else { searchStep(panel, state, event.shiftKey ? -1 : 1); }
    } else if (event.key === "Escape" && target.value) {
      event.preventDefault();
      target.value = "";
      searchRun(panel);
    }
    return;
  }
});

function panelReady(scope) {
  const panel = scope.matches && scope.matches(PANEL) ? scope : scope.querySelector(PANEL);
  if (!panel || panel.querySelector("[data-transcript-search]") === null) { return; }
  panel.querySelector("[data-transcript-search]").hidden = false;
  const commentable = Boolean(document.querySelector("[data-comment-form]"));
  for (const button of panel.querySelectorAll("[data-transcript-comment]")) {
    button.hidden = !commentable;
  }
  const audio = audioElement();
  render(audio ? audio.currentTime : 0);
}

// The panel comes with the page, with a page htmx swaps in, or with its own polling.
document.addEventListener("htmx:load", (event) => panelReady(event.target));
panelReady(document);
