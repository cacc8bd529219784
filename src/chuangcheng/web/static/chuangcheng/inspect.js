// Inspections on a phone (日督查). Three small jobs:
// 1. today's round: the points on the map joined by a line in walking order (the list beside the
//    map says the same in text);
// 2. the inspection form: a draft kept on the phone (answers and notes; drafts.js keeps the photos)
//    keyed by point and date, restored on reload; one submission key per draft, so sending again after a lost
//    signal never makes a second inspection; the location, with a retry; failure fields shown only
//    for a failed item;
// 3. the inspection's page after a successful submit: the draft is removed.
(function () {
  "use strict";
  // Messages come from Django's JavaScript catalogue (/jsi18n/, loaded by the base page); without it
  // they stay in English.
  var gettext = window.gettext || function (msgid) { return msgid; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\((\w+)\)s/g, function (match, name) { return String(obj[name]); });
  };
  var PREFIX = "chuangcheng.inspect.";

  function store() {
    try { return window.localStorage; } catch (e) { return null; }  // private mode, disabled storage
  }

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) { window.crypto.getRandomValues(bytes); }
    else { for (var i = 0; i < 16; i++) { bytes[i] = Math.floor(Math.random() * 256); } }
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // 1. The route: collect the markers map.js adds, in order, and join them once it is done.
  if (document.querySelector("#map[data-route]") && typeof L !== "undefined") {
    var routeMaps = [];
    L.Map.addInitHook(function () {
      var map = this, stops = [];
      routeMaps.push({map: map, stops: stops});
      map.on("layeradd", function (e) {
        if (e.layer instanceof L.CircleMarker) { stops.push(e.layer); }
      });
    });
    document.addEventListener("DOMContentLoaded", function () {
      routeMaps.forEach(function (r) {
        if (r.stops.length < 2) { return; }
        var line = L.polyline(r.stops.map(function (m) { return m.getLatLng(); }),
          {color: "#0b57a4", weight: 3, opacity: 0.8, dashArray: "6 6"}).addTo(r.map);
        line.bringToBack();
        r.stops.forEach(function (m, i) {
          m.bindTooltip(String(i + 1), {permanent: true, direction: "top", className: "route-n"});
        });
      });
    });
  }

  // 3. After a successful submit: forget the draft that carried this key.
  var submitted = document.querySelector("[data-submitted-key]");
  if (submitted && store()) {
    var done = submitted.dataset.submittedKey, prefix = PREFIX + submitted.dataset.point + "|";
    for (var i = store().length - 1; i >= 0; i--) {
      var name = store().key(i);
      if (name && name.indexOf(prefix) === 0) {
        try { if (JSON.parse(store().getItem(name)).key === done) { store().removeItem(name); } }
        catch (e) { store().removeItem(name); }
      }
    }
  }

  // 2. The inspection form.
  var form = document.querySelector("form[data-inspect]");
  if (!form) { return; }
  var draftName = PREFIX + form.dataset.draft;
  var keyInput = form.querySelector("[data-key]");
  var draftStatus = form.querySelector("[data-draft-status]");

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "file" && el.name !== "csrfmiddlewaretoken" && el.name !== "key" &&
        el.type !== "submit" && el.type !== "button";
    });
  }

  function readDraft() {
    var s = store();
    if (!s) { return null; }
    try { return JSON.parse(s.getItem(draftName) || "null"); } catch (e) { return null; }
  }

  function saveDraft() {
    var s = store();
    if (!s) { return; }
    var values = {};
    fields().forEach(function (el) {
      if (el.type === "radio") { if (el.checked) { values[el.name] = el.value; } }
      else { values[el.name] = el.value; }
    });
    try {
      s.setItem(draftName, JSON.stringify({key: keyInput.value, values: values, saved: new Date().toISOString()}));
      if (draftStatus) {
        draftStatus.textContent = interpolate(gettext("Draft saved on this phone at %(time)s"),
          {time: new Date().toLocaleTimeString()}, true);
      }
    } catch (e) { /* storage full: the form still works */ }
  }

  function restore(draft) {
    var values = draft.values || {};
    fields().forEach(function (el) {
      if (!(el.name in values)) { return; }
      if (el.type === "radio") { el.checked = values[el.name] === el.value; }
      else if (el.type !== "hidden" || el.name === "started_at" || el.name === "lon" || el.name === "lat") {
        el.value = values[el.name];
      }
    });
  }

  var draft = readDraft();
  if (form.dataset.bound === "1") {
    // The server showed the form again after an error: its values are the ones just sent.
    if (!keyInput.value) { keyInput.value = (draft && draft.key) || newKey(); }
    saveDraft();
  } else if (draft && draft.key) {
    keyInput.value = draft.key;
    restore(draft);
    if (draftStatus) { draftStatus.textContent = gettext("Your draft on this phone was restored."); }
  } else {
    keyInput.value = keyInput.value || newKey();
    saveDraft();
  }

  // Failure fields only for a failed item; a failed item needs a photo.
  function toggle(fieldset) {
    var checked = fieldset.querySelector("input[type=radio]:checked");
    var failed = !!checked && checked.value === "fail";
    var box = fieldset.querySelector("[data-fail-only]");
    if (box) { box.hidden = !failed; }
    var photo = fieldset.querySelector("input[type=file]");
    if (photo) { photo.required = failed; }
  }
  form.querySelectorAll("fieldset[data-item]").forEach(function (fieldset) {
    toggle(fieldset);
    fieldset.addEventListener("change", function () { toggle(fieldset); });
  });

  // Most items pass: one tap answers the rest of a group, then the failures are changed one by one.
  form.querySelectorAll("[data-all-pass]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var group = button.closest(".check-group");
      group.querySelectorAll("fieldset[data-item]").forEach(function (fieldset) {
        if (fieldset.querySelector("input[type=radio]:checked")) { return; }
        var pass = fieldset.querySelector("input[type=radio][value=pass]");
        if (pass) {
          pass.checked = true;
          pass.dispatchEvent(new Event("change", {bubbles: true}));
        }
      });
    });
  });
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);
  form.addEventListener("submit", function () {
    saveDraft();  // kept until the inspection's page says it was saved
    var progress = form.querySelector("[data-progress]");
    if (progress && !progress.textContent) { progress.textContent = gettext("Sending…"); }
  });

  // The location, compared with the point's.
  var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  var status = form.querySelector("[data-locate-status]");
  var retry = form.querySelector("[data-locate-retry]");
  var pLon = parseFloat(form.dataset.pointLon), pLat = parseFloat(form.dataset.pointLat);

  function metres(lon1, lat1, lon2, lat2) {
    var r = 6371008.8, rad = Math.PI / 180;
    var dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
    var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * r * Math.asin(Math.sqrt(a));
  }

  function locate() {
    if (!navigator.geolocation) {
      status.textContent = window.chuangchengLocationError ? window.chuangchengLocationError(null,
        gettext("You can still submit; the record is marked “no location”.")) : gettext("This browser cannot tell the location");
      return;
    }
    status.textContent = gettext("Finding your location…");
    navigator.geolocation.getCurrentPosition(function (pos) {
      lon.value = pos.coords.longitude.toFixed(6);
      lat.value = pos.coords.latitude.toFixed(6);
      var text = interpolate(gettext("Location found (%(lon)s, %(lat)s)"), {lon: lon.value, lat: lat.value}, true);
      if (!isNaN(pLon) && !isNaN(pLat)) {
        text += interpolate(gettext(", about %(metres)s m from the point"),
          {metres: Math.round(metres(pos.coords.longitude, pos.coords.latitude, pLon, pLat))}, true);
      }
      if (pos.coords.accuracy) {
        text += interpolate(gettext(", accuracy ±%(metres)s m"), {metres: Math.round(pos.coords.accuracy)}, true);
      }
      status.textContent = text;
      saveDraft();
    }, function (err) {
      var fallback = gettext("You can still submit; the record is marked “no location”.");
      status.textContent = window.chuangchengLocationError ? window.chuangchengLocationError(err, fallback)
        : interpolate(gettext("No location (you can still submit; the record is marked “no location”): %(reason)s"),
          {reason: err.message || err.code}, true);
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  }
  if (retry) { retry.addEventListener("click", locate); }
  if (status) { locate(); }

  // Back to a page the browser kept (after a failed send): the draft is still there.
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) { var p = form.querySelector("[data-progress]"); if (p) { p.textContent = ""; } }
  });
  // After a refusal drafts.js brings the first error into view and focuses it.
})();
