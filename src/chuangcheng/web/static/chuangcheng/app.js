// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function (ev) { ev.preventDefault(); window.print(); });
  });
  // A formset's "add a row": its <template> (Django's empty form) with the next index, after the
  // last row; the total the server reads goes up by one. Without script the given rows stay.
  document.querySelectorAll("[data-formset]").forEach(function (box) {
    var prefix = box.getAttribute("data-formset");
    var form = box.closest("form");
    var total = form && form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = form && form.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = box.querySelector("template");
    var button = box.querySelector("[data-formset-add]");
    if (!total || !template || !button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var n = parseInt(total.value, 10);
      if (max && n >= parseInt(max.value, 10)) { button.disabled = true; return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(n)).replace(/__number__/g, String(n + 1));
      button.parentNode.insertAdjacentHTML("beforebegin", html);
      total.value = String(n + 1);
      var added = button.parentNode.previousElementSibling;
      var first = added && added.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    });
  });
})();
