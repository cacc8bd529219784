// A background export's page: asks for its progress every two seconds and updates the progress bar,
// the counts and the state in place (the status line is a polite live region), until the file is
// ready (the download link appears) or the build failed.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var bar = document.getElementById("export-progress");
  var count = document.getElementById("export-count");

  function show(s) {
    bar.max = Math.max(1, s.total);
    bar.value = s.state === "done" ? bar.max : s.done;
    bar.textContent = s.percent + "%";
    if (s.state !== "queued") { bar.removeAttribute("aria-busy"); }
    document.getElementById("export-state").textContent = s.label;
    document.getElementById("export-percent").textContent = s.percent;
    count.textContent = interpolate(gettext("%(done)s of %(total)s rows"), { done: s.done, total: s.total }, true);
    box.dataset.state = s.state;
    if (s.download) {
      document.getElementById("export-download").href = s.download;
      document.getElementById("export-ready").hidden = false;
    }
    document.getElementById("export-failed").hidden = !s.error;
  }

  function poll() {
    if (box.dataset.state === "done" || box.dataset.state === "failed") { return; }
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s) { show(s); } window.setTimeout(poll, 2000); })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
