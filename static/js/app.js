// Readiness: conveniences only; every page works without this script.
(function () {
  "use strict";

  // After a failed save, take keyboard and screen-reader users straight to the summary.
  var summary = document.getElementById("error-summary") || document.getElementById("conflict-summary");
  if (summary) {
    summary.focus();
  }

  // Warn before leaving a checklist page with unsaved changes.
  var form = document.getElementById("section-form");
  if (!form) {
    return;
  }
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
