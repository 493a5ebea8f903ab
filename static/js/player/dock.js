/* The docked player. When the player is out of sight (below long notes, or scrolled past), its
   controls dock to the bottom of the window in a compact form; the player's own place keeps its
   height, so nothing on the page moves. The docked bar is the same controls, not a copy: focus,
   labels and state stay one. */

const DOCKED_CLASS = "is-docked";
const PAGE_DOCKED_CLASS = "player-docked";
// Docked while less than half of the player is in the window: its controls would be cut.
const VISIBLE_SHARE = 0.5;

export class Dock {
  constructor(root) {
    this.root = root;
    this.docked = false;
    this.observer = null;
    if (!window.IntersectionObserver) { return; }
    this.observer = new window.IntersectionObserver((records) => {
      const record = records[records.length - 1];
      this.set(!record.isIntersecting || record.intersectionRatio < VISIBLE_SHARE);
    }, { threshold: [0, VISIBLE_SHARE, 1] });
    this.observer.observe(root);
  }

  set(docked) {
    if (docked === this.docked) { return; }
    this.docked = docked;
    // Keep the player's place in the page as tall as it was (CSSOM, allowed by the CSP).
    this.root.style.minHeight = docked ? `${this.root.getBoundingClientRect().height}px` : "";
    this.root.classList.toggle(DOCKED_CLASS, docked);
    document.documentElement.classList.toggle(PAGE_DOCKED_CLASS, docked);
  }

  stop() {
    if (this.observer) { this.observer.disconnect(); this.observer = null; }
    this.set(false);
  }
}
