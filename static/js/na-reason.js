// Readiness: the reason for Not applicable, shown only while Not applicable is chosen.
// A convenience only: without this script every question shows the field, labelled as being
// only for Not applicable. A field the server marked with an error stays shown. Choosing an
// answer never moves the focus; the field follows the answer, so Tab reaches it next.
(function () {
  "use strict";

  Array.prototype.forEach.call(document.querySelectorAll("[data-na-reason]"), function (box) {
    var question = box.closest("fieldset.question");
    var notApplicable = question && question.querySelector(
      'input[type="radio"][value="na"], input[type="checkbox"][name$="-na"]'
    );
    if (!notApplicable) {
      return;
    }
    notApplicable.setAttribute("aria-controls", box.id);
    function update() {
      box.hidden = !notApplicable.checked && !box.hasAttribute("data-keep-shown");
    }
    // A radio reports only being chosen, not being left: listen to every answer of the question.
    Array.prototype.forEach.call(
      question.querySelectorAll('input[name="' + notApplicable.name + '"]'),
      function (control) { control.addEventListener("change", update); }
    );
    update();
  });
})();
