/* The player's one state value, and every move between states it may make.

   idle           loaded or loading its metadata, never played
   loading        asked to play, waiting for audio
   playing        audio is coming out
   paused         stopped by the reviewer, or at the end
   renewing       a link died: the stable address is loaded again and the position put back
   failed         the recording could not be played; a reload is offered
   ended-session  the session has ended; signing in again is offered
   destroyed      swapped out of the page
*/

const LIVE = ["idle", "loading", "playing", "paused", "renewing"];

const MOVES = {
  idle: [...LIVE, "failed", "ended-session", "destroyed"],
  loading: [...LIVE, "failed", "ended-session", "destroyed"],
  playing: [...LIVE, "failed", "ended-session", "destroyed"],
  paused: [...LIVE, "failed", "ended-session", "destroyed"],
  renewing: [...LIVE, "failed", "ended-session", "destroyed"],
  failed: ["destroyed"],
  "ended-session": ["destroyed"],
  destroyed: [],
};

export function stateMayMove(from, to) {
  return MOVES[from].includes(to);
}

// A state in which the player still plays, or can.
export function stateLive(state) {
  return LIVE.includes(state);
}

// A state in which the reviewer wants sound: the session is kept alive meanwhile.
export function stateWantsSound(state) {
  return state === "loading" || state === "playing";
}
