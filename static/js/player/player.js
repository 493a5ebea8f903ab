/* One recording player (templates/followups/_recording.html): the reviewer's controls over a
   plain <audio> element, and the one state value everything else follows (state.js).

   The <audio> element loads the recording's stable address (followups:recording_audio), which
   redirects to a freshly signed link; the browser then reads byte ranges from that link. When a
   link dies (it expired, mid-play or while paused) the element reports an error and the player
   loads the same address again and puts the position back: no timer, no renewal request of its
   own. No inline script or style: a strict Content Security Policy applies.

   Its seek bar carries what other apps draw on it (followups.extensions' seek bar layers): the
   player sets the width of each `[data-player-played]` (an SVG clip) to the played share, places
   each `[data-player-mark]` at its moment (`data-at`, seconds) and seeks there when it is
   pressed. */
import { Dock } from "./dock.js";
import { clock } from "./moments.js";
import { SKIP_SECONDS } from "./keys.js";
import { KeepAlive, csrfForm, postForm } from "./session.js";
import { startMoment } from "./start.js";
import { stateLive, stateMayMove, stateWantsSound } from "./state.js";

const RATE_KEY = "followups.player.rate";
// A dead link is loaded again at once; a load that fails again waits 1 s, then 2 s, and after
// this many the player says it cannot play (the recording or the dashboard is unwell, not a link).
const RELOADS_MAX = 3;
// Say "loading" only when it is noticeable.
const STATUS_DELAY_MS = 700;
// The old source being replaced: no fault of the link.
const MEDIA_ERR_ABORTED = 1;

function rateStored() {
  try { return parseFloat(window.localStorage.getItem(RATE_KEY) || ""); } catch (error) { return NaN; }
}

function rateStore(rate) {
  try { window.localStorage.setItem(RATE_KEY, String(rate)); } catch (error) { /* private mode */ }
}

export class Player {
  constructor(root) {
    const part = (name) => root.querySelector(`[data-player-${name}]`);
    this.root = root;
    this.audio = root.querySelector("audio");
    this.ui = part("ui");
    this.seek = part("seek");
    this.track = part("track");
    this.current = part("current");
    this.total = part("duration");
    this.playButton = part("play");
    this.speed = part("speed");
    this.muteButton = part("mute");
    this.volume = part("volume");
    this.copyButton = part("copy");
    this.status = part("status");
    this.problem = part("problem");
    this.problemText = part("problem-text");
    this.reloadButton = part("reload");
    this.signInButton = part("sign-in");
    this.playedUrl = root.getAttribute("data-played-url") || "";
    const durationMs = parseInt(root.getAttribute("data-duration-ms") || "", 10);
    this.duration = durationMs > 0 ? durationMs / 1000 : 0;

    this.state = "idle";
    this.resume = false; // while renewing: whether playback goes on once the audio is back
    this.heldTime = startMoment(root, this.duration); // where playback must be once the audio can seek
    this.reloads = 0; // loads of the stable address since the audio last worked
    this.reloadTimer = null;
    this.statusTimer = null;
    this.reported = false;
    this.scrubbing = false;
    this.marksPlacedFor = null; // the duration the seek bar's marks were placed for
    this.keepAlive = new KeepAlive(root, () => this.sessionEnded());
    this.dock = new Dock(root);

    this.audio.removeAttribute("controls");
    this.ui.hidden = false;
    const rate = rateStored();
    this.rateSet(this.rates().includes(rate) ? rate : 1, false);
    this.bind();
    root.setAttribute("data-player-state", this.state);
    if (this.audio.readyState >= 1) {
      this.onMetadata();
    } else {
      this.statusSoon("Loading the recording…");
    }
    if (this.audio.error) { this.renew(); }
    this.render();
    this.volumeRender();
  }

  /* ---- The state: every move goes through here ---- */

  moveTo(state) {
    if (state === this.state || !stateMayMove(this.state, state)) { return; }
    const previous = this.state;
    this.state = state;
    if (!stateLive(state)) {
      window.clearTimeout(this.reloadTimer);
      window.clearTimeout(this.statusTimer);
      this.dock.stop();
      // A detached audio element would keep playing.
      this.audio.pause();
    }
    this.soundSync();
    this.root.setAttribute("data-player-state", state);
    this.root.dispatchEvent(
      new CustomEvent("player:statechange", { bubbles: true, detail: { state, previous } })
    );
  }

  // Whether the reviewer wants sound now, or once a dead link is replaced.
  wantsSound() {
    return stateWantsSound(this.state) || (this.state === "renewing" && this.resume);
  }

  // Listening is activity: the session is kept alive while sound is wanted.
  soundSync() {
    if (this.wantsSound()) { this.keepAlive.start(); } else { this.keepAlive.stop(); }
    this.render();
  }

  /* ---- Events ---- */

  bind() {
    const audio = this.audio;
    const on = (element, type, handler) => element.addEventListener(type, handler);
    on(audio, "loadedmetadata", () => this.onMetadata());
    on(audio, "durationchange", () => { this.durationRead(); this.render(); });
    on(audio, "timeupdate", () => this.render());
    on(audio, "seeked", () => this.render());
    on(audio, "play", () => {
      if (this.state === "idle" || this.state === "paused") { this.moveTo("loading"); }
    });
    on(audio, "playing", () => {
      this.reloads = 0;
      this.statusClear();
      this.reportPlayed();
      this.moveTo("playing");
    });
    on(audio, "waiting", () => {
      if (this.state === "playing") { this.moveTo("loading"); }
      if (this.wantsSound()) { this.statusSoon("Loading…"); }
    });
    on(audio, "canplay", () => { if (this.state !== "renewing") { this.statusClear(); } });
    on(audio, "pause", () => {
      // A failing source pauses the element too: that is not the reviewer's pause.
      if (!audio.error && stateWantsSound(this.state)) { this.moveTo("paused"); }
    });
    on(audio, "ended", () => this.moveTo("paused"));
    on(audio, "volumechange", () => this.volumeRender());
    on(audio, "error", () => {
      if (audio.error && audio.error.code !== MEDIA_ERR_ABORTED) { this.renew(); }
    });

    on(this.playButton, "click", () => this.toggle());
    on(this.root.querySelector("[data-player-back]"), "click", () => this.skip(-SKIP_SECONDS));
    on(this.root.querySelector("[data-player-forward]"), "click", () => this.skip(SKIP_SECONDS));
    on(this.speed, "change", () => this.rateSet(parseFloat(this.speed.value), false));
    on(this.muteButton, "click", () => { audio.muted = !audio.muted; });
    on(this.volume, "input", () => {
      audio.volume = parseFloat(this.volume.value);
      if (audio.volume > 0) { audio.muted = false; }
    });
    on(this.seek, "pointerdown", () => { this.scrubbing = true; });
    on(this.seek, "input", () => this.seekTo(parseFloat(this.seek.value)));
    on(this.seek, "change", () => {
      this.scrubbing = false;
      this.seekTo(parseFloat(this.seek.value));
    });
    on(this.seek, "pointerup", () => { this.scrubbing = false; });
    on(this.seek, "pointercancel", () => { this.scrubbing = false; });
    on(this.track, "click", (event) => {
      const mark = event.target.closest("[data-player-mark]");
      if (!mark) { return; }
      // A marker is a moment worth hearing: go there and listen.
      this.seekTo(parseFloat(mark.getAttribute("data-at")));
      this.play();
    });
    // Runs before dashboard.js's copy handler on the document, which copies `data-copy`.
    on(this.copyButton, "click", () => this.copyButton.setAttribute("data-copy", this.momentUrl()));
    on(this.reloadButton, "click", () => window.location.assign(this.momentUrl()));
  }

  onMetadata() {
    this.durationRead();
    // Loading a source resets the speed to the default; the reviewer's speed stays.
    this.audio.playbackRate = this.audio.defaultPlaybackRate;
    if (this.heldTime !== null) {
      this.audio.currentTime = Math.min(this.heldTime, Math.max(0, this.duration - 0.25));
      this.heldTime = null;
    }
    if (this.state === "renewing") {
      this.reloads = 0;
      const resume = this.resume;
      this.moveTo(resume ? "loading" : "paused");
      if (resume) { this.playStart(); }
    }
    if (this.state !== "loading") { this.statusClear(); }
    this.render();
  }

  /* ---- What the reviewer does ---- */

  position() {
    return this.heldTime !== null ? this.heldTime : this.audio.currentTime || 0;
  }

  toggle() {
    if (this.wantsSound()) { this.pause(); } else { this.play(); }
  }

  play() {
    if (this.state === "renewing") {
      this.resume = true;
      this.soundSync();
    } else if (stateLive(this.state)) {
      this.moveTo("loading");
      // A link found dead while paused is replaced first; playback starts once it is back.
      if (this.audio.error) { this.renew(); } else { this.playStart(); }
    }
  }

  playStart() {
    this.audio.play().catch((error) => {
      // A failing source is the error event's business, and a new source interrupts a play.
      if (error.name !== "NotAllowedError") { return; }
      this.moveTo("paused");
      this.statusSay("Press play to start the recording.");
    });
  }

  pause() {
    if (this.state === "renewing") {
      this.resume = false;
      this.soundSync();
    } else if (stateLive(this.state)) {
      this.moveTo("paused");
      this.audio.pause();
    }
  }

  seekTo(seconds) {
    if (!stateLive(this.state) || isNaN(seconds)) { return; }
    const end = this.duration > 0 ? this.duration : Infinity;
    seconds = Math.max(0, Math.min(seconds, end));
    if (this.state === "renewing" || this.audio.readyState < 1 || this.audio.error) {
      this.heldTime = seconds;
      if (this.audio.error && this.state !== "renewing") { this.renew(); }
    } else {
      this.heldTime = null;
      this.audio.currentTime = seconds;
    }
    this.render();
  }

  skip(delta) { this.seekTo(this.position() + delta); }

  // The end itself, where the element stops as if it had played through.
  jumpToEnd() {
    if (this.duration > 0) { this.seekTo(this.duration); }
  }

  muteToggle() {
    this.audio.muted = !this.audio.muted;
    this.statusSay(this.audio.muted ? "Muted" : "Sound on");
  }

  rates() {
    return Array.from(this.speed.options, (option) => parseFloat(option.value));
  }

  rateSet(rate, announce) {
    if (!this.rates().includes(rate)) { return; }
    this.audio.defaultPlaybackRate = rate;
    this.audio.playbackRate = rate;
    this.speed.value = String(rate);
    rateStore(rate);
    if (announce) { this.statusSay(`Speed ${rate}×`); }
  }

  rateStep(direction) {
    const rates = this.rates();
    const index = rates.indexOf(this.audio.defaultPlaybackRate);
    this.rateSet(rates[Math.max(0, Math.min(rates.length - 1, index + direction))], true);
  }

  // This followup's page at the current moment.
  momentUrl(origin = window.location.origin) {
    const seconds = Math.floor(this.position());
    const url = origin + window.location.pathname;
    return seconds > 0 ? `${url}?t=${clock(seconds)}` : url;
  }

  // One report per page for the audit trail, however often playback starts or links change.
  reportPlayed() {
    if (this.reported || !this.playedUrl) { return; }
    this.reported = true;
    // Playback never waits for the audit trail.
    if (navigator.sendBeacon && navigator.sendBeacon(this.playedUrl, csrfForm(this.root))) { return; }
    postForm(this.root, this.playedUrl, { keepalive: true }).catch(() => { /* best effort */ });
  }

  /* ---- A dead link ---- */

  renew() {
    if (!stateLive(this.state)) { return; }
    if (this.state !== "renewing") {
      this.resume = this.wantsSound();
      if (this.heldTime === null) { this.heldTime = this.audio.currentTime || 0; }
    }
    this.reloads += 1;
    if (this.reloads > RELOADS_MAX) {
      this.problemShow("failed", "The recording could not be loaded");
      return;
    }
    this.moveTo("renewing");
    if (this.resume) { this.statusSoon("Renewing the recording link…"); }
    const wait = this.reloads === 1 ? 0 : 1000 * 2 ** (this.reloads - 2);
    window.clearTimeout(this.reloadTimer);
    // A session that ended answers the address with the sign-in page, which the element can
    // only call unplayable: ask first.
    this.reloadTimer = window.setTimeout(() => this.keepAlive.ping().then((alive) => {
      if (!alive || this.state !== "renewing") { return; }
      // The same stable address again: the dashboard redirects to a freshly signed link.
      this.audio.preload = this.resume ? "auto" : "metadata";
      this.audio.load();
    }), wait);
  }

  sessionEnded() {
    if (!stateLive(this.state)) { return; }
    const signIn = this.signInButton;
    if (signIn) {
      // Signing in again leads back to this followup at this moment.
      const back = `${this.momentUrl("")}#recording`;
      const base = signIn.getAttribute("href").split("?")[0];
      signIn.setAttribute("href", `${base}?next=${encodeURIComponent(back)}`);
      signIn.hidden = false;
      this.reloadButton.hidden = true;
    }
    this.problemShow("ended-session", "Your session has ended, so the recording stopped", signIn);
  }

  problemShow(state, text, focusTarget = this.reloadButton) {
    const hadFocus = this.ui.contains(document.activeElement);
    this.moveTo(state);
    this.statusClear();
    this.ui.inert = true;
    this.root.classList.add("is-dead");
    this.problem.hidden = false;
    this.problemText.textContent = text;
    if (hadFocus && focusTarget) { focusTarget.focus(); }
  }

  destroy() { this.moveTo("destroyed"); }

  /* ---- Rendering ---- */

  durationRead() {
    const duration = this.audio.duration;
    if (isFinite(duration) && duration > 0) { this.duration = duration; }
  }

  render() {
    const position = this.position();
    const duration = this.duration;
    const total = duration > 0 ? clock(duration) : "-:--";
    this.seek.max = String(duration > 0 ? duration : 0);
    if (!this.scrubbing) { this.seek.value = String(position); }
    this.current.textContent = clock(position);
    this.total.textContent = total;
    this.seek.setAttribute(
      "aria-valuetext", `${clock(position)} of ${duration > 0 ? total : "unknown length"}`
    );
    this.layersRender(position, duration);
    const sounding = this.wantsSound();
    this.root.classList.toggle("is-playing", sounding);
    this.playButton.setAttribute("aria-label", sounding ? "Pause" : "Play");
  }

  // The layers on the seek bar: the played share of a waveform, and marks at their moments
  // (placed through the CSS object model, which the CSP allows; no style attribute is written).
  layersRender(position, duration) {
    const share = duration > 0 ? Math.min(1, Math.max(0, position / duration)) : 0;
    for (const played of this.track.querySelectorAll("[data-player-played]")) {
      played.setAttribute("width", `${(share * 100).toFixed(3)}%`);
    }
    if (duration === this.marksPlacedFor) { return; }
    this.marksPlacedFor = duration;
    for (const mark of this.track.querySelectorAll("[data-player-mark]")) {
      const at = parseFloat(mark.getAttribute("data-at"));
      // Only a known length places a mark; one past the end has no place on the bar.
      mark.hidden = !(duration > 0 && at >= 0 && at <= duration);
      if (!mark.hidden) { mark.style.left = `${((at / duration) * 100).toFixed(3)}%`; }
    }
  }

  // Something was added to the seek bar: its played part and marks are drawn now.
  layersChanged() {
    this.marksPlacedFor = null;
    this.render();
  }

  volumeRender() {
    const audio = this.audio;
    this.volume.value = String(audio.volume);
    this.volume.setAttribute(
      "aria-valuetext", `${Math.round(audio.volume * 100)}%${audio.muted ? ", muted" : ""}`
    );
    this.muteButton.setAttribute("aria-pressed", audio.muted ? "true" : "false");
    this.root.classList.toggle("is-muted", audio.muted || audio.volume === 0);
  }

  statusSoon(text) {
    window.clearTimeout(this.statusTimer);
    this.statusTimer = window.setTimeout(() => this.statusSay(text), STATUS_DELAY_MS);
  }

  statusSay(text) {
    window.clearTimeout(this.statusTimer);
    this.status.textContent = text;
  }

  statusClear() { this.statusSay(""); }
}
