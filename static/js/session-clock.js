// Readiness: the session clock. A convenience only; every page works without this script.
// Idle-session warning (WCAG 2.2.1): at least a minute's notice and one action to stay. On a
// signed-in page, templates/base.html gives the body the idle limit (data-session-idle) and the
// URLs used here (data-session-status, data-session-keepalive, data-login), and holds the
// #session-warning dialog; on any other page this script does nothing.
(function () {
  "use strict";

  var body = document.body;
  var idleSeconds = parseInt(body.getAttribute("data-session-idle") || "0", 10);
  var warning = document.getElementById("session-warning");
  if (!idleSeconds || !warning) {
    return;
  }
  var warnBefore = Math.min(120, Math.max(60, Math.floor(idleSeconds / 4)));
  var deadline = Date.now() + idleSeconds * 1000;
  var left = document.getElementById("session-warning-left");
  var stay = document.getElementById("session-stay");
  var returnFocus = null;
  var csrf = document.querySelector("meta[name=csrf-token]");

  var endsAtLimit = false;  // the absolute limit is nearer than the idle one: staying cannot help
  var idleText = document.getElementById("session-warning-text");
  var limitText = document.getElementById("session-warning-limit");

  function showWarning(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    left.textContent = "Time left: " + (minutes ? minutes + " min " : "") + rest + " s.";
    idleText.hidden = endsAtLimit;
    limitText.hidden = !endsAtLimit;
    stay.hidden = endsAtLimit;
    if (endsAtLimit) {
      limitText.appendChild(left);
      warning.setAttribute("aria-describedby", "session-warning-limit");
    }
    if (warning.hidden) {
      returnFocus = document.activeElement;
      warning.hidden = false;
      (endsAtLimit ? warning : stay).focus();
    }
  }

  function hideWarning() {
    if (!warning.hidden) {
      warning.hidden = true;
      if (returnFocus && returnFocus.focus) {
        returnFocus.focus();
      }
    }
  }

  function signedOut() {
    // Kept input (kept-input.js) stores what was typed and drops its warning on leaving.
    document.dispatchEvent(new CustomEvent("readiness:session-ended"));
    var login = body.getAttribute("data-login");
    window.location.assign(login + "?next=" + encodeURIComponent(window.location.pathname + window.location.search));
  }

  function sync(response) {
    return response.json().then(function (data) {
      if (!data.signed_in) {
        signedOut();
        return;
      }
      deadline = Date.now() + data.seconds_left * 1000;
      endsAtLimit = data.ends === "absolute";
    });
  }

  stay.addEventListener("click", function () {
    fetch(body.getAttribute("data-session-keepalive"), {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrf ? csrf.content : ""}
    }).then(function (response) {
      return sync(response);
    }).then(hideWarning).catch(function () { /* offline: the next tick tries again */ });
  });

  function checkServer(onFailure) {
    return fetch(body.getAttribute("data-session-status"), {credentials: "same-origin"})
      .then(sync)
      .catch(onFailure);
  }

  var ticks = 0;
  var checking = false;
  window.setInterval(function () {
    ticks += 1;
    var seconds = Math.round((deadline - Date.now()) / 1000);
    if (seconds <= 0) {
      // Ask the server before leaving: another tab may have kept the session alive.
      if (!checking) {
        checking = true;
        checkServer(signedOut).then(function () { checking = false; });
      }
      return;
    } else if (seconds <= warnBefore) {
      showWarning(seconds);
    } else {
      hideWarning();
    }
    // Activity in another tab also keeps the session alive: check the server now and then.
    // The first check also learns whether the session's absolute limit comes first.
    if (ticks === 1 || ticks % 30 === 0 || (seconds <= warnBefore && ticks % 5 === 0)) {
      checkServer(function () { /* offline: keep the local estimate */ });
    }
  }, 1000);
})();
