// Readiness: "Preparing your report". While the report is being made, ask the page's state every
// few seconds and reload the page once it changes (ready, or failed), instead of reloading every
// time as the page does without script (<noscript> refresh). A convenience only.
(function () {
  "use strict";

  var status = document.querySelector("[data-report-status]");
  if (!status || !window.fetch) {
    return;
  }
  var url = status.getAttribute("data-report-status");
  var shown = status.getAttribute("data-shown");

  function check() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.shown !== shown) {
          window.location.reload();
        } else {
          window.setTimeout(check, 3000);
        }
      })
      .catch(function () {
        window.setTimeout(check, 6000);
      });
  }

  window.setTimeout(check, 3000);
})();
