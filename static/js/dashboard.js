/* Followups dashboard: small progressive enhancements. No inline scripts anywhere, so a strict
   Content Security Policy can forbid them; everything hooks onto data-attributes. */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");

  /* The browser's time zone, for the server to show times in it from the next page on. */
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var current = document.cookie.match(/(?:^|; )tz=([^;]*)/);
    /* IANA names ("Europe/Paris", "Etc/GMT+2") need no encoding in a cookie. */
    if (tz && /^[A-Za-z0-9_+\-\/]{1,64}$/.test(tz) && (!current || current[1] !== tz)) {
      document.cookie = "tz=" + tz + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* no Intl: the server's default time zone is used */ }

  /* A polite live region announcing short confirmations such as "Copied". */
  function announce(text) {
    var region = document.getElementById("live-status");
    if (!region) {
      region = document.createElement("div");
      region.id = "live-status";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    /* Plain http on a non-loopback host has no Clipboard API. */
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) { return; }
    var label = button.querySelector("[data-copy-text]");
    var original = label ? label.textContent : "";
    copyText(button.getAttribute("data-copy")).then(function () {
      button.classList.add("copied");
      if (label) { label.textContent = "Copied"; }
      announce("Copied to the clipboard");
      window.setTimeout(function () {
        button.classList.remove("copied");
        if (label) { label.textContent = original; }
      }, 1600);
    }, function () {
      announce("Could not copy; select the text and copy it by hand");
    });
  });

  /* The header box has done its job once its followup is shown: empty it for the next one. */
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.classList && form.classList.contains("header-search") && event.detail.successful) {
      form.reset();
    }
  });

  /* Page keys: an element with data-shortcut="n" (and aria-keyshortcuts="n" for assistive
     technology, listed under the page's keyboard shortcuts) is followed when its key is
     pressed, as "Next in queue" is. Not while typing in a field, nor with a modifier. */
  var TYPING = "textarea, select, [contenteditable=''], [contenteditable='true'], " +
    "input:not([type=range]):not([type=button]):not([type=submit]):not([type=reset])" +
    ":not([type=checkbox]):not([type=radio])";
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey ||
        event.isComposing || !/^[a-z]$/i.test(event.key)) { return; }
    var target = event.target;
    if (target && target.closest && target.closest(TYPING)) { return; }
    var element = document.querySelector("[data-shortcut='" + event.key.toLowerCase() + "']");
    if (!element) { return; }
    event.preventDefault();
    element.click();
  });
  /* A refused request's wait (429), counted down from the seconds the server gave (the
     browser's clock may be wrong); the nearest "Try again" waits for zero, then is offered. */
  function countdownsStart(scope) {
    if (!scope.querySelectorAll) { return; }
    Array.prototype.forEach.call(scope.querySelectorAll("[data-countdown]"), function (element) {
      if (element.hasAttribute("data-countdown-started")) { return; }
      element.setAttribute("data-countdown-started", "");
      var seconds = parseInt(element.getAttribute("data-countdown-seconds") || "", 10);
      if (isNaN(seconds)) { return; }
      var text = element.querySelector("[data-countdown-text]") || element;
      var box = element.closest(".error-panel, .inline-error") || element.parentNode;
      var retry = box ? box.querySelector("[data-retry]") : null;
      var endsAt = performance.now() + Math.max(0, seconds) * 1000;
      var timer = null;
      function waiting(event) {
        if (retry.getAttribute("aria-disabled") === "true") { event.preventDefault(); event.stopImmediatePropagation(); }
      }
      if (retry) { retry.addEventListener("click", waiting, true); }
      function tick() {
        if (!element.isConnected) { window.clearInterval(timer); return; }
        var left = Math.ceil((endsAt - performance.now()) / 1000);
        if (left > 0) {
          text.textContent = "You can try again in " + left + "\u00a0second" + (left > 1 ? "s" : "");
          if (retry) { retry.setAttribute("aria-disabled", "true"); }
          return;
        }
        window.clearInterval(timer);
        text.textContent = "You can try again now.";
        element.classList.add("is-over");
        if (retry) {
          retry.removeAttribute("aria-disabled");
          retry.classList.add("is-ready");
        }
        announce("You can try again now");
      }
      tick();
      if (seconds > 0) { timer = window.setInterval(tick, 250); }
    });
  }
  countdownsStart(document);
  document.addEventListener("htmx:load", function (event) { countdownsStart(event.target); });

  /* "Show the debt": the card replaces the link that asked for it, and focus would fall to
     the page's start; it goes to the card's heading instead, where the reader now is. A card
     that loads by itself after the page leaves focus where it is. */
  var debtCardAsked = false;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var asker = event.detail && event.detail.elt;
    if (asker && asker.hasAttribute && asker.hasAttribute("data-debt-card-show")) { debtCardAsked = true; }
  });
  document.addEventListener("htmx:load", function (event) {
    var card = event.target;
    if (!card || card.id !== "debt-card" || !card.querySelector) { return; }
    if (!debtCardAsked) { return; }
    debtCardAsked = false;
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) { return; }
    var heading = card.querySelector("h2");
    if (!heading) { return; }
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  });

  /* The fragments a page loads at once after itself (the debt card, the side panel) each carry
     the footer's quota line as they counted it, and may come back in any order: a count taken
     before another request to GetBill must not replace the later one. Within one hour, fewer
     requests left is the later count; a later reset is a later hour. */
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var shown = event.detail.target;
    if (!shown || shown.id !== "getbill-quota" || !event.detail.fragment) { return; }
    var coming = event.detail.fragment.querySelector("#getbill-quota");
    if (!coming || !shown.dataset.quotaReset || !coming.dataset.quotaReset) { return; }
    var shownReset = Number(shown.dataset.quotaReset);
    var comingReset = Number(coming.dataset.quotaReset);
    var older = comingReset < shownReset ||
      (comingReset === shownReset && Number(coming.dataset.quotaLeft) > Number(shown.dataset.quotaLeft));
    if (older) { event.detail.shouldSwap = false; }
  });

  /* After a swap of the main region, move focus there so keyboard and screen-reader users
     land on the new content: the field that asks for it, or the page's heading. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "main") { return; }
    /* The header box only on pages without a box of their own. */
    var headerSearch = document.querySelector(".app-header .header-search");
    if (headerSearch) { headerSearch.hidden = !!target.querySelector("[data-hides-header-search]"); }
    var field = target.querySelector("[autofocus]");
    var heading = target.querySelector("h1");
    if (field) {
      field.focus();
    } else if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  });
}());
