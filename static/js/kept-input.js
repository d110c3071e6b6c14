// Readiness: kept input. A convenience only; every page works without this script.
// What is typed into a checklist section or a return comment is kept in this tab's storage
// until a signed-in page confirms the server has it, and put back on the form's page if the
// session ended or the save met an error page. Loaded by every page, error pages included.
(function () {
  "use strict";

  // The form whose input is kept in this tab until the server has it: a checklist section, or
  // another long text marked data-keep-input (the return comment).
  var form = document.getElementById("section-form") || document.querySelector("form[data-keep-input]");
  function unsavedKey(path) { return "readiness-unsaved:" + path; }
  var storageKey = unsavedKey(window.location.pathname);
  var dirty = false;

  // After a failed save, take keyboard and screen-reader users straight to the summary.
  // (A page with a summary shows what was sent, so kept input is not put back over it.)
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
  // form's page puts it back. A signed-in page is one whose body carries data-session-idle
  // (set by templates/base.html for a signed-in user).
  var sentKey = "readiness-sent";
  try {
    var sentPath = window.sessionStorage.getItem(sentKey);
    if (sentPath) {
      window.sessionStorage.removeItem(sentKey);
      if (document.body.hasAttribute("data-session-idle")) {
        window.sessionStorage.removeItem(unsavedKey(sentPath));
      }
    }
  } catch (error) { /* storage disabled */ }

  if (!form) {
    return;
  }

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
  // The session clock (session-clock.js) announces that the session has ended just before it
  // goes to the sign-in page: keep the input for the form's page and leave without the warning.
  document.addEventListener("readiness:session-ended", function () {
    keepUnsaved();
    dirty = false;
  });
})();
