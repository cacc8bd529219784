// The numbers a checklist needs. A count or rate item (`data-needs-value`: "至少 1 处公益广告",
// "亮灯率不低于 95%") is judged by the number found, so passing it without the number would only be
// refused by the server. Its number is required once the item is answered (not "not applicable"),
// and "pass the rest of this group" asks for those numbers: the items still without one are marked,
// and the first is brought into view and focused. Loaded after inspect.js, whose own click handler
// has already answered the group when this one runs.
(function () {
  "use strict";
  var gettext = window.gettext || function (msgid) { return msgid; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\((\w+)\)s/g, function (match, name) { return String(obj[name]); });
  };
  var form = document.querySelector("form[data-inspect]");
  if (!form) { return; }

  function numberOf(fieldset) { return fieldset.querySelector("input[type=number]"); }

  function answered(fieldset) {
    var checked = fieldset.querySelector("input[type=radio]:checked");
    return !!checked && checked.value !== "na";
  }

  function unmark(fieldset) {
    var input = numberOf(fieldset), hint = fieldset.querySelector("[data-value-hint]");
    fieldset.classList.remove("needs-value");
    if (hint) {
      input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") || "")
        .split(/\s+/).filter(function (id) { return id && id !== hint.id; }).join(" "));
      if (!input.getAttribute("aria-describedby")) { input.removeAttribute("aria-describedby"); }
      hint.remove();
      if (input.getAttribute("aria-invalid") === "true") { input.removeAttribute("aria-invalid"); }
    }
  }

  function mark(fieldset) {
    var input = numberOf(fieldset);
    fieldset.classList.add("needs-value");
    input.setAttribute("aria-invalid", "true");
    if (fieldset.querySelector("[data-value-hint]")) { return; }
    var hint = document.createElement("p");
    hint.className = "errorlist value-hint";
    hint.id = "need-" + fieldset.dataset.item;
    hint.setAttribute("data-value-hint", "");
    hint.textContent = fieldset.dataset.needsValue === "rate"
      ? gettext("Enter the rate found (%): this item is judged by it.")
      : gettext("Enter the number found: this item is judged by it.");
    input.parentNode.appendChild(hint);
    var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    described.push(hint.id);
    input.setAttribute("aria-describedby", described.join(" "));
  }

  function sync(fieldset) {
    var input = numberOf(fieldset);
    if (!input) { return; }
    input.required = answered(fieldset);
    if (!input.required || input.value) { unmark(fieldset); }
  }

  var boxes = Array.prototype.filter.call(form.querySelectorAll("fieldset[data-needs-value]"), numberOf);
  boxes.forEach(function (fieldset) {
    sync(fieldset);
    fieldset.addEventListener("change", function () { sync(fieldset); });
    numberOf(fieldset).addEventListener("input", function () { sync(fieldset); });
  });

  form.querySelectorAll("[data-all-pass]").forEach(function (button) {
    var status = document.createElement("span");
    status.className = "muted";
    status.setAttribute("role", "status");
    button.parentNode.appendChild(document.createTextNode(" "));
    button.parentNode.appendChild(status);
    button.addEventListener("click", function () {
      var group = button.closest(".check-group");
      var missing = boxes.filter(function (fieldset) {
        return group.contains(fieldset) && answered(fieldset) && !numberOf(fieldset).value;
      });
      missing.forEach(mark);
      status.textContent = missing.length ? interpolate(
        gettext("Items that need the number found: %(n)s. Enter them below."), {n: missing.length}, true) : "";
      if (missing.length) {
        var first = numberOf(missing[0]);
        first.scrollIntoView({block: "center"});
        try { first.focus({preventScroll: true}); } catch (e) { first.focus(); }
      }
    });
  });
})();
