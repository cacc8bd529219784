// The resident's report page and tracking page: pick the place on a map (the typed longitude and
// latitude stay the fallback; a photo's GPS fills them when they are empty), show open cases of the same kind nearby to follow instead, and
// send an SMS code. Everything works without this script except sending the code and the map.
(function () {
  "use strict";
  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function sendCode(url, form, phoneInput, status, texts) {
    var body = new FormData();
    body.append("phone", phoneInput.value);
    body.append("csrfmiddlewaretoken", csrf(form));
    status.textContent = texts.sending || "…";
    fetch(url, {method: "POST", body: body, credentials: "same-origin",
                headers: {"X-CSRFToken": csrf(form)}})
      .then(function (r) { return r.json().then(function (data) { return [r.ok, data]; }); })
      .then(function (res) {
        if (res[0]) { status.textContent = texts.sent || "OK"; return; }
        var errors = res[1].errors || {}, first = Object.keys(errors)[0];
        status.textContent = first ? errors[first][0] : "";
      })
      .catch(function () { status.textContent = ""; });
  }

  var textEl = document.getElementById("report-text");
  var T = textEl ? JSON.parse(textEl.textContent) : {};

  // Tracking page: "prove your number" sends a code too.
  document.querySelectorAll("form[data-sms-url]").forEach(function (form) {
    var button = form.querySelector("[data-send-code]");
    if (!button) return;
    button.addEventListener("click", function () {
      sendCode(form.dataset.smsUrl, form, form.querySelector("input[name=phone]"),
               form.querySelector("[data-code-status]"), T);
    });
  });

  var form = document.getElementById("report-form");
  if (!form) return;
  var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  var category = document.getElementById("id_category");

  var codeButton = document.getElementById("send-code");
  if (codeButton) {
    codeButton.addEventListener("click", function () {
      sendCode(form.dataset.smsUrl, form, document.getElementById("id_phone"),
               document.getElementById("code-status"), T);
    });
  }

  // A photo's GPS (EXIF): when no place is given yet, it becomes the place, shown on the map where
  // the resident can move it before sending (the server takes the same fix when none is sent).
  function gpsOf(buf) {
    var v = new DataView(buf), pos = 2, tiff = -1;
    if (v.byteLength < 4 || v.getUint16(0) !== 0xFFD8) return null;
    while (pos + 4 <= v.byteLength) {
      var marker = v.getUint16(pos), len = v.getUint16(pos + 2);
      if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA) return null;
      if (marker === 0xFFE1 && len > 8 && pos + 8 <= v.byteLength && v.getUint32(pos + 4) === 0x45786966) {
        tiff = pos + 10;
        break;
      }
      pos += 2 + len;
    }
    if (tiff < 0 || tiff + 8 > v.byteLength) return null;
    var little = v.getUint16(tiff) === 0x4949;
    function entries(offset, each) {
      var at = tiff + offset;
      if (at + 2 > v.byteLength) return;
      var n = v.getUint16(at, little);
      for (var i = 0; i < n; i++) {
        var e = at + 2 + i * 12;
        if (e + 12 > v.byteLength) return;
        each(v.getUint16(e, little), e);
      }
    }
    function degrees(e) {
      var at = tiff + v.getUint32(e + 8, little), total = 0;
      if (at + 24 > v.byteLength) return NaN;
      for (var k = 0; k < 3; k++) {
        var den = v.getUint32(at + 8 * k + 4, little);
        total += (den ? v.getUint32(at + 8 * k, little) / den : NaN) / Math.pow(60, k);
      }
      return total;
    }
    var gps = 0, refs = {}, values = {};
    entries(v.getUint32(tiff + 4, little), function (tag, e) { if (tag === 0x8825) gps = v.getUint32(e + 8, little); });
    if (!gps) return null;
    entries(gps, function (tag, e) {
      if (tag === 1 || tag === 3) refs[tag] = String.fromCharCode(v.getUint8(e + 8));
      if (tag === 2 || tag === 4) values[tag] = degrees(e);
    });
    var la = values[2], lo = values[4];
    if (!isFinite(la) || !isFinite(lo) || (!la && !lo) || Math.abs(la) > 90 || Math.abs(lo) > 180) return null;
    return [refs[3] === "W" ? -lo : lo, refs[1] === "S" ? -la : la];
  }
  var photosInput = document.getElementById("id_photos");
  var locateStatus = document.querySelector("[data-locate-status]");
  if (photosInput && typeof Blob !== "undefined" && Blob.prototype.arrayBuffer) {
    photosInput.addEventListener("change", function () {
      var files = Array.prototype.slice.call(photosInput.files || []);
      (function next(i) {
        if (i >= files.length || lon.value || lat.value) return;
        files[i].slice(0, 262144).arrayBuffer().then(function (buf) {
          var fix = gpsOf(buf);
          if (!fix) { next(i + 1); return; }
          if (lon.value || lat.value) return;
          lon.value = fix[0].toFixed(6);
          lat.value = fix[1].toFixed(6);
          [lon, lat].forEach(function (f) { f.dispatchEvent(new Event("change")); });
          if (locateStatus) locateStatus.textContent = T.from_photo || "";
        }).catch(function () { next(i + 1); });
      })(0);
    });
  }

  // Nearby open cases of the same kind.
  var box = document.getElementById("nearby"), list = document.getElementById("nearby-list");
  var template = document.getElementById("nearby-item");
  var timer = null, last = "";
  function lookNearby() {
    if (!category.value || !lon.value || !lat.value) { box.hidden = true; return; }
    var query = "category=" + encodeURIComponent(category.value) + "&lon=" + encodeURIComponent(lon.value) +
      "&lat=" + encodeURIComponent(lat.value);
    if (query === last) return;
    last = query;
    fetch(form.dataset.nearbyUrl + "?" + query, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {cases: []}; })
      .then(function (data) {
        list.textContent = "";
        (data.cases || []).forEach(function (c) {
          var item = template.content.firstElementChild.cloneNode(true);
          item.dataset.number = c.number;
          item.querySelector(".nearby-category").textContent = c.category;
          item.querySelector(".nearby-distance").textContent = c.distance_m + " " + (T.metres || "m");
          item.querySelector(".nearby-state").textContent = c.state;
          item.querySelector(".nearby-when").textContent = (T.reported || "") + " " + c.reported;
          var photos = item.querySelector(".nearby-photos");
          c.photos.forEach(function (src) {
            var img = document.createElement("img");
            img.src = src; img.alt = T.photo || ""; img.loading = "lazy";
            photos.appendChild(img);
          });
          item.querySelector("form").action = c.follow_url;
          list.appendChild(item);
        });
        box.hidden = !(data.cases || []).length;
      })
      .catch(function () { box.hidden = true; });
  }
  function soon() { clearTimeout(timer); timer = setTimeout(lookNearby, 300); }
  [lon, lat, category].forEach(function (el) {
    el.addEventListener("change", soon);
    el.addEventListener("input", soon);
  });
  // photos.js fills the fields from GPS without an input event: watch the values.
  setInterval(function () { if (lon.value && lat.value && category.value) lookNearby(); }, 1500);

  // The map: tap to set the place.
  var el = document.getElementById("pick-map");
  if (!el || typeof L === "undefined") { if (el) el.hidden = true; return; }
  var gcj = el.dataset.crs === "gcj02" && window.chuangchengGeo;
  var map = L.map(el, {keyboard: true}).setView([40.82, 111.67], 13);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, {maxZoom: 19, attribution: el.dataset.attribution || ""}).addTo(map);
  }
  var marker = null;
  function show(lo, la) {
    var pos = gcj ? window.chuangchengGeo.toGcj02(lo, la) : [la, lo];
    if (marker) marker.setLatLng(pos); else marker = L.marker(pos).addTo(map);
    map.setView(pos, Math.max(map.getZoom(), 16));
  }
  map.on("click", function (e) {
    // Without GCJ tiles the map is WGS-84, as stored. With GCJ tiles the small shift (<1 km) is
    // taken back approximately by one step of the inverse.
    var la = e.latlng.lat, lo = e.latlng.lng;
    if (gcj) {
      var there = window.chuangchengGeo.toGcj02(lo, la);
      la = la - (there[0] - la); lo = lo - (there[1] - lo);
    }
    lon.value = lo.toFixed(6); lat.value = la.toFixed(6);
    show(lo, la);
    soon();
  });
  if (lon.value && lat.value) show(parseFloat(lon.value), parseFloat(lat.value));
  [lon, lat].forEach(function (f) {
    f.addEventListener("change", function () {
      if (lon.value && lat.value) show(parseFloat(lon.value), parseFloat(lat.value));
    });
  });
})();
