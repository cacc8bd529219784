// Skip logic, only as a help: hide questions whose condition is not met, and number the questions
// shown 1, 2, 3 … in page order (as the server numbers them for the answers it has). The server decides.
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) { return; }
  var sets = Array.prototype.slice.call(form.querySelectorAll("fieldset.sq"));
  function chosen(code) {
    var box = document.getElementById("q-" + code);
    if (!box || box.hidden) { return []; }
    return Array.prototype.map.call(box.querySelectorAll("input:checked"), function (el) { return el.value; });
  }
  function update() {
    sets.forEach(function (box) {
      var code = box.getAttribute("data-show-if");
      if (!code) { return; }
      var wanted = (box.getAttribute("data-show-if-options") || "").split(" ");
      var show = chosen(code).some(function (v) { return wanted.indexOf(v) !== -1; });
      box.hidden = !show;
      box.querySelectorAll("input, textarea").forEach(function (el) { el.disabled = !show; });
      var note = box.querySelector(".cond");
      if (note) { note.hidden = true; }
    });
    var number = 0;
    sets.forEach(function (box) {
      var label = box.querySelector(".qn");
      if (!label) { return; }
      if (box.hidden) {
        label.textContent = "";
      } else {
        number += 1;
        label.textContent = number + ".";
      }
    });
  }
  form.addEventListener("change", update);
  update();
  var errors = document.getElementById("form-errors");
  if (errors) { errors.focus(); }
})();
