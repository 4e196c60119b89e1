/* app.js: small conveniences only; every page works without it (the CSP forbids inline
 * script, so this file is the only script there is). Buttons marked data-confirm ask
 * before their form is sent. */
"use strict";

document.addEventListener("submit", function (event) {
  var button = event.submitter || event.target.querySelector("[data-confirm]");
  var question = button && button.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
