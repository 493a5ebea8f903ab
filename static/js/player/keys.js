/* Keyboard shortcuts of the player, not while typing in a field. */

const SKIP_SECONDS = 10;

export function typingIn(element) {
  if (!element || !element.tagName) { return false; }
  if (element.isContentEditable) { return true; }
  const tag = element.tagName.toLowerCase();
  if (tag === "textarea" || tag === "select") { return true; }
  if (tag !== "input") { return false; }
  return !/^(range|button|submit|reset|checkbox|radio|color|file|image)$/.test(element.type);
}

// Elements that Space activates by themselves (a slider does nothing with it).
function spaceActivates(element) {
  return Boolean(element && element.closest && element.closest(
    "button, summary, input:not([type=range]), [role=button], [role=checkbox], [role=switch]"
  ));
}

// What each key does to `player`; false when the focused element keeps the key for itself.
function keyRun(player, key, target) {
  const onSlider = Boolean(target && target.matches && target.matches("input[type=range]"));
  switch (key) {
    case " ":
      if (spaceActivates(target)) { return false; }
      player.toggle();
      return true;
    case "k": case "K": player.toggle(); return true;
    case "j": case "J": player.skip(-SKIP_SECONDS); return true;
    case "l": case "L": player.skip(SKIP_SECONDS); return true;
    case "ArrowLeft": case "ArrowRight":
      // The slider's own arrow, Home and End keys.
      if (onSlider) { return false; }
      player.skip(key === "ArrowLeft" ? -SKIP_SECONDS : SKIP_SECONDS);
      return true;
    case "m": case "M": player.muteToggle(); return true;
    case "Home": case "0":
      if (onSlider) { return false; }
      player.seekTo(0);
      return true;
    case "End":
      if (onSlider) { return false; }
      player.jumpToEnd();
      return true;
    case "<": player.rateStep(-1); return true;
    case ">": player.rateStep(1); return true;
    default: return false;
  }
}

// Keys go to the player `active()` returns (null: none on the page).
export function keysListen(active) {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey ||
        event.isComposing || typingIn(event.target)) { return; }
    const player = active();
    if (player && keyRun(player, event.key, event.target)) { event.preventDefault(); }
  });
}

export { SKIP_SECONDS };
