/* The recording player of the followup page (templates/followups/_recording.html).

   GetBill's recording links are signed and expire (media_urls_expire_at). The page says how
   many seconds its link has left; before they run out, or as soon as the audio element fails,
   the player asks the dashboard for the recording fragment again (followups:recording, which
   looks the followup up afresh) and swaps the new link in, keeping the position, the speed, the
   volume and whether it was playing. No inline script or style: a strict Content Security
   Policy applies. Without JavaScript the browser's own controls play the recording. */
(function () {
  "use strict";

  var SKIP_SECONDS = 10;
  var RATE_KEY = "followups.player.rate";
  // Renew a link this long before it expires: a minute, or a tenth of its life if shorter.
  var MARGIN_MAX_MS = 60000;
  var MARGIN_SHARE = 0.1;
  // No refresh storms: one request at a time, a few a minute, then wait.
  var REFRESH_WINDOW_MS = 60000;
  var REFRESHES_PER_WINDOW = 6;
  var REFRESH_TRIES = 3;
  // A fresh link that still fails this many times in a row is not an expiry.
  var MEDIA_ERRORS_MAX = 3;
  // Say "loading" only when it is noticeable.
  var STATUS_DELAY_MS = 700;

  var players = [];

  /* ---- Time ---------------------------------------------------------------------------- */

  // Same rules as followups.recording._start_seconds: 90, 90s, 1:30, 1:02:03, 1m30s.
  function startParse(text) {
    if (!text || text.length > 16) { return null; }
    text = text.trim();
    var seconds = null;
    var match = /^([0-9]+)s?$/i.exec(text);
    if (match) {
      seconds = parseInt(match[1], 10);
    } else if ((match = /^(?:([0-9]+):)?([0-9]+):([0-5][0-9])$/.exec(text))) {
      var minutes = parseInt(match[2], 10);
      if (match[1] !== undefined && minutes > 59) { return null; }
      seconds = parseInt(match[1] || "0", 10) * 3600 + minutes * 60 + parseInt(match[3], 10);
    } else if ((match = /^(?=[0-9])(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/i.exec(text))) {
      seconds = parseInt(match[1] || "0", 10) * 3600 + parseInt(match[2] || "0", 10) * 60 +
        parseInt(match[3] || "0", 10);
    }
    if (seconds === null || seconds <= 0 || seconds > 86400) { return null; }
    return seconds;
  }

  // Same rule as followups.recording._past_end: only a known length has an end.
  function pastEnd(seconds, durationSeconds) {
    return durationSeconds > 0 && seconds >= durationSeconds;
  }

  // The moment `#t=` asks for, past the end or not; null when there is none.
  function hashSeconds() {
    var match = /(?:^#|&)t=([^&]*)/.exec(window.location.hash);
    if (!match) { return null; }
    try { return startParse(decodeURIComponent(match[1])); } catch (e) { return null; }
  }

  function clock(seconds) {
    var total = Math.max(0, Math.floor(seconds || 0));
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var secs = ("0" + (total % 60)).slice(-2);
    if (hours) { return hours + ":" + ("0" + minutes).slice(-2) + ":" + secs; }
    return minutes + ":" + secs;
  }

  function rateLabel(rate) { return rate + "×"; }

  function rateStored() {
    try { return parseFloat(window.localStorage.getItem(RATE_KEY) || ""); } catch (e) { return NaN; }
  }

  function rateStore(rate) {
    try { window.localStorage.setItem(RATE_KEY, String(rate)); } catch (e) { /* private mode */ }
  }

  function csrfToken(root) {
    var token = root.getAttribute("data-csrf-token");
    if (token) { return token; }
    var cookie = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/);
    return cookie ? decodeURIComponent(cookie[1]) : "";
  }

  /* ---- One player ------------------------------------------------------------------------ */

  function Player(root, loadedAt) {
    var q = function (name) { return root.querySelector("[data-player-" + name + "]"); };
    this.root = root;
    this.audio = root.querySelector("audio");
    this.ui = q("ui");
    this.seek = q("seek");
    this.current = q("current");
    this.total = q("duration");
    this.playButton = q("play");
    this.speed = q("speed");
    this.muteButton = q("mute");
    this.volume = q("volume");
    this.copyButton = q("copy");
    this.status = q("status");
    this.problem = q("problem");
    this.problemText = q("problem-text");
    this.reloadButton = q("reload");
    this.refreshUrl = root.getAttribute("data-refresh-url") || "";
    this.playedUrl = root.getAttribute("data-played-url") || "";

    var durationMs = parseInt(root.getAttribute("data-duration-ms") || "", 10);
    this.duration = durationMs > 0 ? durationMs / 1000 : 0;
    this.wantPlaying = false;
    this.swapping = false;
    this.heldTime = null;          // where playback must resume once the audio can seek
    this.deadline = null;          // performance.now() time at which the link expires
    this.refreshTimer = null;
    this.retryTimer = null;
    this.statusTimer = null;
    this.inFlight = false;
    this.attempts = [];
    this.failures = 0;
    this.mediaErrors = 0;
    this.reported = false;
    this.scrubbing = false;
    this.dead = false;
    this.destroyed = false;

    this.linkSet(root.getAttribute("data-seconds-left"), loadedAt);
    var asked = hashSeconds();
    var start = asked !== null && !pastEnd(asked, this.duration) ? asked : null;
    if (start === null) { start = parseInt(root.getAttribute("data-start") || "", 10) || null; }
    // A valid `?t=` still wins over a `#t=` past the end; otherwise say why it starts at 0:00.
    if (start === null && asked !== null) { this.pastEndSay(asked); }
    this.heldTime = start;

    this.audio.removeAttribute("controls");
    this.ui.hidden = false;
    var rate = rateStored();
    this.rateSet(this.rates().indexOf(rate) >= 0 ? rate : 1, false);
    this.bind();
    if (this.audio.readyState >= 1) {
      this.onMetadata();
    } else {
      this.statusSoon("Loading the recording…");
    }
    if (this.audio.error) { this.onMediaFailure(); }
    this.schedule();
    this.render();
    this.volumeRender();
  }

  Player.prototype.linkSet = function (secondsLeft, since) {
    var seconds = parseInt(secondsLeft || "", 10);
    this.deadline = isNaN(seconds) ? null : since + Math.max(0, seconds) * 1000;
  };

  Player.prototype.linkDead = function () {
    return this.deadline !== null && performance.now() >= this.deadline;
  };

  Player.prototype.rates = function () {
    return Array.prototype.map.call(this.speed.options, function (option) {
      return parseFloat(option.value);
    });
  };

  Player.prototype.position = function () {
    return this.heldTime !== null ? this.heldTime : this.audio.currentTime || 0;
  };

  Player.prototype.bind = function () {
    var self = this;
    var audio = this.audio;
    var on = function (element, type, handler) { element.addEventListener(type, handler); };

    on(audio, "loadedmetadata", function () { self.onMetadata(); });
    on(audio, "durationchange", function () { self.durationRead(); self.render(); });
    on(audio, "timeupdate", function () { self.render(); });
    on(audio, "seeked", function () { self.render(); });
    on(audio, "playing", function () {
      self.statusClear();
      self.mediaErrors = 0;
      self.reportPlayed();
    });
    on(audio, "waiting", function () { if (self.wantPlaying) { self.statusSoon("Loading…"); } });
    on(audio, "canplay", function () { if (!self.inFlight) { self.statusClear(); } });
    on(audio, "pause", function () {
      // Changing the source pauses the element; that is not the reviewer's pause.
      if (!self.swapping && !audio.error) { self.wantPlaying = false; }
      self.render();
    });
    on(audio, "play", function () { self.wantPlaying = true; self.render(); });
    on(audio, "ended", function () { self.wantPlaying = false; self.render(); });
    on(audio, "volumechange", function () { self.volumeRender(); });
    on(audio, "error", function () {
      var code = audio.error ? audio.error.code : 0;
      // MEDIA_ERR_ABORTED is the old source being replaced; a file that does not decode is
      // not cured by a new link. Network and "source not supported" (an expired link answers
      // 403 with an XML body) are.
      if (code === 3) {
        self.problemShow("The recording could not be played");
      } else if (code !== 1) {
        self.onMediaFailure();
      }
    });

    on(this.playButton, "click", function () { self.toggle(); });
    on(this.root.querySelector("[data-player-back]"), "click", function () { self.skip(-SKIP_SECONDS); });
    on(this.root.querySelector("[data-player-forward]"), "click", function () { self.skip(SKIP_SECONDS); });
    on(this.speed, "change", function () { self.rateSet(parseFloat(self.speed.value), false); });
    on(this.muteButton, "click", function () { audio.muted = !audio.muted; });
    on(this.volume, "input", function () {
      audio.volume = parseFloat(self.volume.value);
      if (audio.volume > 0) { audio.muted = false; }
    });
    on(this.seek, "pointerdown", function () { self.scrubbing = true; });
    on(this.seek, "input", function () { self.seekTo(parseFloat(self.seek.value)); });
    on(this.seek, "change", function () {
      self.scrubbing = false;
      self.seekTo(parseFloat(self.seek.value));
    });
    on(this.seek, "pointerup", function () { self.scrubbing = false; });
    on(this.seek, "pointercancel", function () { self.scrubbing = false; });
    // Runs before dashboard.js's copy handler on the document, which copies `data-copy`.
    on(this.copyButton, "click", function () {
      self.copyButton.setAttribute("data-copy", self.momentUrl());
    });
    on(this.reloadButton, "click", function () { window.location.assign(self.momentUrl()); });
  };

  /* Rendering */

  Player.prototype.durationRead = function () {
    var duration = this.audio.duration;
    if (isFinite(duration) && duration > 0) { this.duration = duration; }
  };

  Player.prototype.render = function () {
    var position = this.position();
    var duration = this.duration;
    var total = duration > 0 ? clock(duration) : "-:--";
    this.seek.max = String(duration > 0 ? duration : 0);
    if (!this.scrubbing) { this.seek.value = String(position); }
    this.current.textContent = clock(position);
    this.total.textContent = total;
    this.seek.setAttribute(
      "aria-valuetext", clock(position) + " of " + (duration > 0 ? total : "unknown length")
    );
    this.root.classList.toggle("is-playing", this.wantPlaying);
    this.playButton.setAttribute("aria-label", this.wantPlaying ? "Pause" : "Play");
  };

  Player.prototype.volumeRender = function () {
    var audio = this.audio;
    this.volume.value = String(audio.volume);
    this.volume.setAttribute(
      "aria-valuetext", Math.round(audio.volume * 100) + "%" + (audio.muted ? ", muted" : "")
    );
    this.muteButton.setAttribute("aria-pressed", audio.muted ? "true" : "false");
    this.root.classList.toggle("is-muted", audio.muted || audio.volume === 0);
  };

  Player.prototype.statusSoon = function (text) {
    var self = this;
    window.clearTimeout(this.statusTimer);
    this.statusTimer = window.setTimeout(function () { self.statusSay(text); }, STATUS_DELAY_MS);
  };

  Player.prototype.statusSay = function (text) {
    window.clearTimeout(this.statusTimer);
    this.status.textContent = text;
  };

  Player.prototype.statusClear = function () { this.statusSay(""); };

  // The notice the server writes for `?t=` past the end, in the same place, for `#t=`.
  Player.prototype.pastEndSay = function (seconds) {
    var note = this.root.parentNode.querySelector("[data-player-note]");
    if (!note) {
      note = document.createElement("p");
      note.className = "player-note muted";
      note.setAttribute("role", "status");
      note.setAttribute("data-player-note", "");
      this.root.parentNode.insertBefore(note, this.root);
    }
    note.textContent = "That moment (" + clock(seconds) + ") is past the end of the recording (" +
      clock(this.duration) + "); starting from the beginning.";
  };

  /* Playback */

  Player.prototype.onMetadata = function () {
    this.mediaErrors = 0;
    this.durationRead();
    // Loading a source resets the speed to the default; the reviewer's speed stays.
    this.audio.playbackRate = this.audio.defaultPlaybackRate;
    if (this.heldTime !== null) {
      var held = Math.min(this.heldTime, Math.max(0, this.duration - 0.25));
      this.heldTime = null;
      this.audio.currentTime = held;
    }
    var resume = this.swapping && this.wantPlaying;
    this.swapping = false;
    if (!this.inFlight) { this.statusClear(); }
    if (resume) { this.playStart(); }
    this.render();
  };

  Player.prototype.toggle = function () {
    if (this.wantPlaying) { this.pause(); } else { this.play(); }
  };

  Player.prototype.play = function () {
    if (this.dead) { return; }
    this.wantPlaying = true;
    this.render();
    if (this.linkDead() || this.audio.error) {
      // A link known to be dead is renewed first; the swap starts playback.
      this.heldTime = this.position();
      this.refresh();
      return;
    }
    if (!this.swapping) { this.playStart(); }
  };

  Player.prototype.playStart = function () {
    var self = this;
    var promise = this.audio.play();
    if (!promise || !promise.catch) { return; }
    promise.catch(function (error) {
      if (error && error.name === "AbortError") { return; }  // a new source interrupted it
      if (error && error.name === "NotAllowedError") {
        self.wantPlaying = false;
        self.render();
        self.statusSay("Press play to start the recording.");
        return;
      }
      // The source failed (an expired link answers 403).
      self.onMediaFailure();
    });
  };

  Player.prototype.pause = function () {
    this.wantPlaying = false;
    this.audio.pause();
    this.render();
  };

  Player.prototype.seekTo = function (seconds) {
    if (this.dead || isNaN(seconds)) { return; }
    var end = this.duration > 0 ? this.duration : Infinity;
    seconds = Math.max(0, Math.min(seconds, end));
    if (this.swapping || this.audio.readyState < 1 || this.linkDead() || this.audio.error) {
      this.heldTime = seconds;
      if ((this.linkDead() || this.audio.error) && !this.swapping) { this.refresh(); }
    } else {
      this.heldTime = null;
      this.audio.currentTime = seconds;
    }
    this.render();
  };

  Player.prototype.skip = function (delta) { this.seekTo(this.position() + delta); };

  Player.prototype.rateSet = function (rate, announce) {
    if (this.rates().indexOf(rate) < 0) { return; }
    this.audio.defaultPlaybackRate = rate;
    this.audio.playbackRate = rate;
    this.speed.value = String(rate);
    rateStore(rate);
    if (announce) { this.statusSay("Speed " + rateLabel(rate)); }
  };

  Player.prototype.rateStep = function (direction) {
    var rates = this.rates();
    var index = rates.indexOf(this.audio.defaultPlaybackRate);
    var next = rates[Math.max(0, Math.min(rates.length - 1, index + direction))];
    this.rateSet(next, true);
  };

  Player.prototype.momentUrl = function () {
    var seconds = Math.floor(this.position());
    var url = window.location.origin + window.location.pathname;
    return seconds > 0 ? url + "?t=" + clock(seconds) : url;
  };

  Player.prototype.reportPlayed = function () {
    if (this.reported || !this.playedUrl) { return; }
    this.reported = true;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken(this.root));
    // Playback never waits for the audit trail.
    if (navigator.sendBeacon && navigator.sendBeacon(this.playedUrl, data)) { return; }
    if (window.fetch) {
      window.fetch(this.playedUrl, {
        method: "POST", body: data, credentials: "same-origin", keepalive: true
      }).catch(function () { /* best effort */ });
    }
  };

  /* The link that never dies */

  Player.prototype.schedule = function () {
    var self = this;
    window.clearTimeout(this.refreshTimer);
    if (this.deadline === null || this.dead) { return; }
    var left = this.deadline - performance.now();
    var margin = Math.min(MARGIN_MAX_MS, Math.max(0, left) * MARGIN_SHARE);
    this.refreshTimer = window.setTimeout(function () { self.refresh(); }, Math.max(0, left - margin));
  };

  Player.prototype.onMediaFailure = function () {
    // One failure can be reported twice (the error event and a refused play()).
    if (this.dead || this.destroyed || this.inFlight) { return; }
    this.mediaErrors += 1;
    if (this.mediaErrors > MEDIA_ERRORS_MAX) {
      this.problemShow("The recording could not be played");
      return;
    }
    if (this.heldTime === null) { this.heldTime = this.audio.currentTime || 0; }
    this.refresh();
  };

  Player.prototype.refresh = function () {
    var self = this;
    if (this.inFlight || this.dead || this.destroyed) { return; }
    if (!this.root.isConnected) { this.destroy(); return; }
    if (!this.refreshUrl) { this.problemShow("Recording link expired"); return; }
    window.clearTimeout(this.retryTimer);
    var startedAt = performance.now();
    this.attempts = this.attempts.filter(function (at) { return startedAt - at < REFRESH_WINDOW_MS; });
    if (this.attempts.length >= REFRESHES_PER_WINDOW) {
      this.retryTimer = window.setTimeout(function () { self.refresh(); },
        this.attempts[0] + REFRESH_WINDOW_MS - startedAt);
      return;
    }
    this.attempts.push(startedAt);
    this.inFlight = true;
    if (this.wantPlaying || this.linkDead()) { this.statusSoon("Renewing the recording link…"); }

    window.fetch(this.refreshUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "HX-Request": "true", "HX-Current-URL": window.location.href }
    }).then(function (response) {
      if (!response.ok) {
        var failure = new Error("HTTP " + response.status);
        failure.status = response.status;
        failure.retryAfter = parseInt(response.headers.get("Retry-After") || "", 10);
        throw failure;
      }
      return response.text();
    }).then(function (html) {
      self.inFlight = false;
      if (self.destroyed || self.dead) { return; }
      var fresh = self.freshLink(html);
      if (!fresh) {
        var missing = new Error("no recording link");
        missing.final = true;
        throw missing;
      }
      if (parseInt(fresh.secondsLeft, 10) <= 0) {
        // Already expired when handed out (a clock is wrong somewhere): try again later.
        throw new Error("the fresh link has no time left");
      }
      self.failures = 0;
      // Counted from before the request: the server's clock started after it.
      self.linkSet(fresh.secondsLeft, startedAt);
      self.sourceSwap(fresh.src);
      self.schedule();
    }).catch(function (error) {
      self.inFlight = false;
      if (self.destroyed || self.dead) { return; }
      self.failures += 1;
      var status = error.status || 0;
      var final = error.final || status === 400 || status === 401 || status === 403 ||
        status === 404 || self.failures >= REFRESH_TRIES;
      if (final) {
        self.problemShow("Recording link expired");
        return;
      }
      var wait = error.retryAfter > 0 ? Math.min(error.retryAfter * 1000, REFRESH_WINDOW_MS)
        : 1000 * Math.pow(2, self.failures - 1);
      self.retryTimer = window.setTimeout(function () { self.refresh(); }, wait);
    });
  };

  Player.prototype.freshLink = function (html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var root = page.querySelector("[data-player]");
    var audio = root && root.querySelector("audio[src]");
    if (!audio) { return null; }
    var src = audio.getAttribute("src");
    try {
      if (!/^https?:$/.test(new URL(src, window.location.href).protocol)) { return null; }
    } catch (e) {
      return null;
    }
    return { src: src, secondsLeft: root.getAttribute("data-seconds-left") };
  };

  Player.prototype.sourceSwap = function (src) {
    var audio = this.audio;
    if (audio.getAttribute("src") === src && !audio.error) {
      // The same link, still good: carry on where a dead-link check held playback.
      if (!this.swapping) {
        this.statusClear();
        if (audio.readyState >= 1) { this.onMetadata(); }
        if (this.wantPlaying && audio.paused) { this.playStart(); }
      }
      return;
    }
    if (this.heldTime === null) { this.heldTime = audio.currentTime || 0; }
    this.swapping = true;
    // Reload even an identical link that failed; setting `src` starts loading it.
    audio.preload = this.wantPlaying ? "auto" : "metadata";
    audio.src = src;
    this.render();
  };

  Player.prototype.problemShow = function (text) {
    var hadFocus = this.ui.contains(document.activeElement);
    this.dead = true;
    this.wantPlaying = false;
    window.clearTimeout(this.refreshTimer);
    window.clearTimeout(this.retryTimer);
    this.audio.pause();
    this.statusClear();
    this.ui.inert = true;
    this.root.classList.add("is-dead");
    this.problem.hidden = false;
    this.problemText.textContent = text;
    this.render();
    if (hadFocus) { this.reloadButton.focus(); }
  };

  Player.prototype.wake = function () {
    // Timers sleep in background tabs and frozen pages; catch up when the page is back.
    if (!this.dead && !this.destroyed && this.linkDead()) { this.refresh(); }
  };

  Player.prototype.destroy = function () {
    this.destroyed = true;
    window.clearTimeout(this.refreshTimer);
    window.clearTimeout(this.retryTimer);
    window.clearTimeout(this.statusTimer);
    // A detached audio element would keep playing.
    this.audio.pause();
    players = players.filter(function (player) { return player !== this; }, this);
  };

  /* ---- The page ---------------------------------------------------------------------------- */

  function setUp(scope, loadedAt) {
    if (!scope.querySelectorAll) { return; }
    var roots = scope.matches && scope.matches("[data-player]") ? [scope] : [];
    roots = roots.concat(Array.prototype.slice.call(scope.querySelectorAll("[data-player]")));
    roots.forEach(function (root) {
      var known = players.some(function (player) { return player.root === root; });
      if (!known && root.querySelector("audio[src]")) {
        var player = new Player(root, loadedAt);
        players.push(player);
        controlsExpose(player);
      }
    });
  }

  /* ---- Hooks for other scripts ----------------------------------------------------------
     static/js/comments.js pauses, resumes and seeks through `root.playerControls`, announced
     by a bubbling "player:ready" event on the player's root; it never reaches into its state. */
  function controlsExpose(player) {
    player.root.playerControls = {
      position: function () { return player.position(); },
      duration: function () { return player.duration; },
      playing: function () { return player.wantPlaying; },
      play: function () { player.play(); },
      pause: function () { player.pause(); },
      seek: function (seconds) { player.seekTo(seconds); }
    };
    player.root.dispatchEvent(new CustomEvent("player:ready", { bubbles: true }));
  }

  function playerActive() {
    for (var i = players.length - 1; i >= 0; i -= 1) {
      var player = players[i];
      if (!player.root.isConnected) { player.destroy(); continue; }
      if (!player.dead) { return player; }
    }
    return null;
  }

  function typingIn(element) {
    if (!element || !element.tagName) { return false; }
    if (element.isContentEditable) { return true; }
    var tag = element.tagName.toLowerCase();
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

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey ||
        event.isComposing) { return; }
    var target = event.target;
    if (typingIn(target)) { return; }
    var player = playerActive();
    if (!player) { return; }
    var onSlider = target && target.matches && target.matches("input[type=range]");
    switch (event.key) {
      case " ":
        if (spaceActivates(target)) { return; }
        player.toggle();
        break;
      case "k": case "K":
        player.toggle();
        break;
      case "j": case "J":
        player.skip(-SKIP_SECONDS);
        break;
      case "l": case "L":
        player.skip(SKIP_SECONDS);
        break;
      case "ArrowLeft": case "ArrowRight":
        if (onSlider) { return; }  // the slider's own arrow keys
        player.skip(event.key === "ArrowLeft" ? -SKIP_SECONDS : SKIP_SECONDS);
        break;
      case "<":
        player.rateStep(-1);
        break;
      case ">":
        player.rateStep(1);
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // Leaving the page through htmx: stop the player that is swapped out.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target) { return; }
    players.slice().forEach(function (player) {
      if (target.contains(player.root)) { player.destroy(); }
    });
  });

  // A followup page swapped in by htmx: its link was signed about now.
  document.addEventListener("htmx:load", function (event) {
    setUp(event.target, performance.now());
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { players.forEach(function (p) { p.wake(); }); }
  });
  window.addEventListener("pageshow", function () { players.forEach(function (p) { p.wake(); }); });

  // The same rules for the page's other keyboard users (comments.js).
  window.dashboardPlayer = { typingIn: typingIn, clock: clock };

  // The page's own player: its link was signed after this navigation started.
  setUp(document, 0);
}());
