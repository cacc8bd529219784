/* Daily bulletin: the print button (the page prints cleanly on A4 without it too). */
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) { window.print(); }
});
