/* The session while listening. Listening is activity: while a recording plays, the player tells
   the dashboard now and then (data-keepalive-url), so the session does not end under a reviewer
   who only listens. The same request tells whether the session has really ended (the dashboard
   answers with a redirect to the sign-in page). */

// A few pings per idle period, and at least one every five minutes.
const SHARE_OF_IDLE = 1 / 3;
const MAX_MS = 300000;
const MIN_MS = 1000;

function csrfToken(root) {
  const token = root.getAttribute("data-csrf-token");
  if (token) { return token; }
  const cookie = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/);
  return cookie ? decodeURIComponent(cookie[1]) : "";
}

// An empty form with the CSRF token, as Django expects a POST from the page.
export function csrfForm(root) {
  const data = new FormData();
  data.append("csrfmiddlewaretoken", csrfToken(root));
  return data;
}

export function postForm(root, url, options = {}) {
  return window.fetch(url, {
    method: "POST", body: csrfForm(root), credentials: "same-origin", cache: "no-store", ...options,
  });
}

export class KeepAlive {
  // `onEnded` is called once the dashboard says the session has ended.
  constructor(root, onEnded) {
    const idle = parseInt(root.getAttribute("data-session-idle-seconds") || "", 10);
    this.root = root;
    this.url = root.getAttribute("data-keepalive-url") || "";
    this.everyMs = idle > 0 ? Math.max(MIN_MS, Math.min(MAX_MS, idle * 1000 * SHARE_OF_IDLE)) : MAX_MS;
    this.timer = null;
    this.lastAt = performance.now(); // the page's own request counted as activity
    this.onEnded = onEnded;
  }

  start() {
    if (!this.url || this.timer !== null) { return; }
    // Playing again after a long pause: say so now, and learn at once if the session ended.
    if (performance.now() - this.lastAt >= this.everyMs) { this.ping(); }
    this.timer = window.setInterval(() => this.ping(), this.everyMs);
  }

  stop() {
    window.clearInterval(this.timer);
    this.timer = null;
  }

  // Resolves true while the session lives (or when it cannot be told: offline for a moment).
  ping() {
    if (!this.url) { return Promise.resolve(true); }
    this.lastAt = performance.now();
    return postForm(this.root, this.url, { redirect: "manual" }).then((response) => {
      const ended = response.type === "opaqueredirect" || response.status === 401;
      if (ended) { this.onEnded(); }
      return !ended;
    }, () => true);
  }
}
