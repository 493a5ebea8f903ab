/* The recording player of a followup's page: the entry module (templates/base.html loads it with
   <script type="module">). Modules: player.js (one player around one state value, moves in
   state.js), start.js and moments.js (where to start: `#t=`, `?t=`, m:ss), session.js
   (keep-alive, session end), dock.js (docking out of sight), keys.js (keyboard shortcuts).

   DOM contract, for scripts beside the player (comments.js, a transcript panel):
   - `[data-player]` is the player's root; inside it, one plain <audio> element. Listen to its
     own events (timeupdate, seeked, play, pause, ended) and read its currentTime: the player
     neither wraps nor replaces it. Its `src` is the recording's stable address
     (/followups/<id>/recording/audio), which redirects to a freshly signed link; when a link
     dies the player loads the same address again and seeks back, so for a moment (while
     `data-player-state` is "renewing") currentTime is 0 and `playerControls.position()` is
     the position.
   - `data-player-state` on the root: idle | loading | playing | paused | renewing | failed |
     ended-session | destroyed (state.js says what each means).
   - Events bubbling from the root: "player:ready" once the player has taken over (then
     `root.playerControls` exists), and "player:statechange" with detail {state, previous}.
   - `root.playerControls`: position(), duration(), playing(), play(), pause(), seek(seconds);
     seek through it rather than setting currentTime, so a seek during a renewal is kept.
   - Its rules for reading and writing moments (moments.js) and for when keys are not shortcuts
     (keys.js `typingIn`) are modules: scripts beside the player import them.
   - Data attributes the server writes on the root: data-duration-ms, data-start (`?t=`),
     data-played-url, data-csrf-token, data-keepalive-url, data-session-idle-seconds.
   - `[data-player-track]` holds the seek bar and what other apps draw on it (followups'
     seek bar layers): the player keeps each `[data-player-played]` SVG element's width at the
     played share (a percentage), places each `[data-player-mark]` at its `data-at` seconds
     (shown once the length is known) and, when one is pressed, seeks there and plays. */
import { keysListen } from "./keys.js";
import { Player } from "./player.js";

let players = [];

function controlsExpose(player) {
  player.root.playerControls = {
    position: () => player.position(),
    duration: () => player.duration,
    playing: () => player.wantsSound(),
    play: () => player.play(),
    pause: () => player.pause(),
    seek: (seconds) => player.seekTo(seconds),
  };
  player.root.dispatchEvent(new CustomEvent("player:ready", { bubbles: true }));
}

function setUp(scope) {
  if (!scope.querySelectorAll) { return; }
  const roots = scope.matches && scope.matches("[data-player]") ? [scope] : [];
  roots.push(...scope.querySelectorAll("[data-player]"));
  for (const root of roots) {
    if (players.some((player) => player.root === root) || !root.querySelector("audio[src]")) {
      continue;
    }
    const player = new Player(root);
    players.push(player);
    controlsExpose(player);
  }
}

function destroy(player) {
  player.destroy();
  players = players.filter((other) => other !== player);
}

// The player the keys control: the newest one still on the page and able to play.
function playerActive() {
  players.filter((player) => !player.root.isConnected).forEach(destroy);
  const live = players.filter((player) => player.state !== "failed" && player.state !== "ended-session");
  return live.length ? live[live.length - 1] : null;
}

keysListen(playerActive);

// Leaving the page through htmx: stop the player that is swapped out.
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail && event.detail.target;
  if (target) { players.filter((player) => target.contains(player.root)).forEach(destroy); }
});

// A followup page swapped in by htmx, or a layer added to a player's seek bar (a transcript
// finished while the page was open).
document.addEventListener("htmx:load", (event) => {
  players.filter((player) => player.root.contains(event.target))
    .forEach((player) => player.layersChanged());
  setUp(event.target);
});

setUp(document);
