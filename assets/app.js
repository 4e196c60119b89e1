/* app.js: small conveniences only; every page works without it (the CSP forbids inline
 * script, so this file is the only script there is). Buttons marked data-confirm ask
 * before their form is sent. */
"use strict";

document.addEventListener("submit", function (event) {
  var button = event.submitter || event.target.querySelector("[data-confirm]");
  var question = button && button.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});

/* A form that records a concern holds every service's questions, one fieldset each
 * (data-service): only the chosen service's is shown, the others are disabled, so they are
 * neither seen nor sent. */
(function () {
  var select = document.querySelector("select[name=service_code]");
  var sets = document.querySelectorAll("fieldset.questions[data-service]");
  if (!select || !sets.length) return;
  function show() {
    for (var i = 0; i < sets.length; i++) {
      var mine = sets[i].getAttribute("data-service") === select.value;
      sets[i].hidden = !mine;
      sets[i].disabled = !mine;
    }
  }
  select.addEventListener("change", show);
  select.form.addEventListener("reset", function () { window.setTimeout(show, 0); });
  show();
})();
