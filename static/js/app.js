// Readiness: conveniences only; every page works without this script.
(function () {
  "use strict";

  var body = document.body;
  // The form whose input is kept in this tab until the server has it: a checklist section, or
  // another long text marked data-keep-input (the return comment).
  var form = document.getElementById("section-form") || document.querySelector("form[data-keep-input]");
  function unsavedKey(path) { return "readiness-unsaved:" + path; }
  var storageKey = unsavedKey(window.location.pathname);
  var dirty = false;

  // After a failed save, take keyboard and screen-reader users straight to the summary.
  var summary = document.getElementById("error-summary") || document.getElementById("conflict-summary");
  if (summary) {
    summary.focus();
  }

  function formState() {
    var state = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit") {
        return;
      }
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) {
          state[el.name] = el.value;
        }
      } else {
        state[el.name] = el.value;
      }
    });
    return state;
  }

  function restoreState(state) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit") {
        return;
      }
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = state[el.name] === el.value;
      } else if (Object.prototype.hasOwnProperty.call(state, el.name)) {
        el.value = state[el.name];
      }
    });
  }

  function storeState() {
    try {
      window.sessionStorage.setItem(storageKey, JSON.stringify(formState()));
    } catch (error) { /* storage full or disabled: the warning on leaving still applies */ }
  }

  function keepUnsaved() {
    if (form && dirty) {
      storeState();
    }
  }

  // That input is kept until a signed-in page confirms the server took it: if the session had
  // already ended (a sleeping laptop, a cookie gone), the post lands on the sign-in page, an
  // error page or the expired-form page, none of which is a signed-in page of the app, and the
  // form's page puts it back.
  var sentKey = "readiness-sent";
  try {
    var sentPath = window.sessionStorage.getItem(sentKey);
    if (sentPath) {
      window.sessionStorage.removeItem(sentKey);
      if (body.hasAttribute("data-session-idle")) {
        window.sessionStorage.removeItem(unsavedKey(sentPath));
      }
    }
  } catch (error) { /* storage disabled */ }

  if (form) {
    // Input kept in this tab when the session ended comes back after signing in again.
    var saved = null;
    try {
      saved = window.sessionStorage.getItem(storageKey);
    } catch (error) { saved = null; }
    if (saved && !summary) {
      restoreState(JSON.parse(saved));
      dirty = true;
      var notice = document.createElement("div");
      notice.className = "alert alert-info";
      notice.setAttribute("role", "status");
      notice.id = "restored-notice";
      notice.textContent = "What you typed but had not saved has been put back. Check it and save.";
      form.parentNode.insertBefore(notice, form);
    }
    form.addEventListener("input", function () { dirty = true; keepUnsaved(); });
    form.addEventListener("change", function () { dirty = true; keepUnsaved(); });
    form.addEventListener("submit", function () {
      storeState();
      dirty = false;
      try { window.sessionStorage.setItem(sentKey, window.location.pathname); } catch (error) { /* ignore */ }
    });
    // Warn before leaving a checklist page with unsaved changes.
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  // Idle-session warning (WCAG 2.2.1): at least a minute's notice and one action to stay.
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
    keepUnsaved();
    dirty = false;
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
