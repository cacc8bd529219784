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

// Why the browser gave no location, in the reader's language, with what to do about it: every page
// that asks for the location ("Use my location": photos.js, inspect.js, the report page's map).
// `fallback` says what the person can do instead on that page.
window.chuangchengLocationError = function (err, fallback) {
  "use strict";
  var gettext = window.gettext || function (msgid) { return msgid; };
  var code = err && err.code, text;
  if (code === 1) {
    text = gettext("Location is not allowed for this page. To allow it: in the system settings, let the browser use your location; in the browser, allow location for this site (the icon beside the address); then try again.");
  } else if (code === 2) {
    text = gettext("The phone cannot find its position just now (no GPS or network signal). Turn on location services in the system settings, step outside or near a window, and try again.");
  } else if (code === 3) {
    text = gettext("Finding the position took too long. Try again, preferably outside or near a window.");
  } else {
    text = gettext("This browser cannot tell the location.");
  }
  return fallback ? text + " " + fallback : text;
};
