// The import page: show an indeterminate progress bar while the upload is being processed.
// Without this script the form works the same, only without the bar.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  var busy = document.getElementById("import-busy");
  if (!form || !busy) { return; }
  form.addEventListener("submit", function () {
    busy.hidden = false;
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = true;
    });
  });
  // Coming back with the browser's back button must not leave the page looking busy.
  window.addEventListener("pageshow", function () {
    busy.hidden = true;
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = false;
    });
  });
})();
