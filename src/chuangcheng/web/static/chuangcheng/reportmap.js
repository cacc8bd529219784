// The residents' report page (随手拍), its place: the map of the area the street office looks after
// (the street's boundary, each community's and grid's outline with its name, from the public
// GeoJSON at data-area-url), centred on the phone's position with its accuracy when located, and
// the photo's own GPS offered when a chosen photo has one. A tap (or a position) outside every grid
// is refused at once beside the map, with the same rule as the server's check (a grid contains the
// place); the fields and the marker stay as they were. Without this script (or when the area cannot
// be loaded) the typed place, the address and the community still work and the server checks them.
(function () {
  "use strict";
  var gettext = window.gettext || function (msgid) { return msgid; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\((\w+)\)s/g, function (match, name) { return String(obj[name]); });
  };
  var form = document.getElementById("report-form");
  var el = document.getElementById("pick-map");
  if (!form || !el) { return; }
  var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  var message = document.getElementById("map-message");
  var status = document.querySelector("[data-locate-status]");
  var locateButton = document.getElementById("use-location");

  function say(text) { if (message) { message.textContent = text; } }
  function outsideText(what) {
    return what === "position"
      ? gettext("Your position is outside the area this street office looks after (the outlined grids). Tap the place of the problem on the map, or type the address and choose the community.")
      : what === "photo"
        ? gettext("The photo was taken outside the area this street office looks after. Tap the place of the problem on the map, or type the address and choose the community.")
        : gettext("This place is outside the area this street office looks after. Tap inside an outlined grid, or type the address and choose the community.");
  }

  // --- the area: grids decide, as on the server -------------------------------------------------
  var grids = null;  // [{name, polygons: [[outer, hole...], ...]}] once loaded; null: the server decides
  function polygonsOf(geometry) {
    if (!geometry) { return []; }
    if (geometry.type === "Polygon") { return [geometry.coordinates]; }
    if (geometry.type === "MultiPolygon") { return geometry.coordinates; }
    return [];
  }
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }
  function inPolygon(x, y, rings) {
    if (!inRing(x, y, rings[0])) { return false; }
    for (var k = 1; k < rings.length; k++) { if (inRing(x, y, rings[k])) { return false; } }
    return true;
  }
  function inside(x, y) {
    if (grids === null) { return true; }
    return grids.some(function (g) { return g.polygons.some(function (p) { return inPolygon(x, y, p); }); });
  }

  // --- the map ----------------------------------------------------------------------------------
  if (typeof L === "undefined") { el.hidden = true; return; }
  var gcj = el.dataset.crs === "gcj02" && window.chuangchengGeo;
  function ll(x, y) { return gcj ? window.chuangchengGeo.toGcj02(x, y) : [y, x]; }
  function ring(coords) { return coords.map(function (c) { return ll(c[0], c[1]); }); }
  var map = L.map(el, {keyboard: true, maxZoom: 19}).setView([40.82, 111.67], 13);
  map.attributionControl.setPrefix("Leaflet");
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, {maxZoom: 19, attribution: el.dataset.attribution || ""}).addTo(map);
  }
  var marker = null, circle = null, located = false;
  function show(x, y) {
    var pos = ll(x, y);
    if (marker) { marker.setLatLng(pos); } else { marker = L.marker(pos, {keyboard: false}).addTo(map); }
    map.setView(pos, Math.max(map.getZoom(), 16), {animate: false});
  }
  // Zoomed out, the communities' names; zoomed in, the grids' (one name at a place, never two on top).
  function gridLabels() {
    el.classList.toggle("grid-labels-off", map.getZoom() < 15);
    el.classList.toggle("community-labels-off", map.getZoom() >= 15);
  }
  map.on("zoomend", gridLabels);

  var STYLES = {
    street: {color: "#1b1f24", weight: 3, fill: false, interactive: false, className: "area-street"},
    community: {color: "#0b57a4", weight: 2, dashArray: "6 4", fill: false, interactive: false,
                className: "area-community"},
    grid: {color: "#0b57a4", weight: 1, fillColor: "#0b57a4", fillOpacity: 0.06, interactive: false,
           className: "area-grid"}
  };
  function draw(data) {
    var features = (data && data.features) || [];
    var bounds = L.latLngBounds([]), street = L.latLngBounds([]);
    grids = [];
    ["street", "community", "grid"].forEach(function (level) {
      features.filter(function (f) { return f.properties && f.properties.level === level; }).forEach(function (f) {
        var polygons = polygonsOf(f.geometry);
        if (level === "grid") { grids.push({name: f.properties.name, polygons: polygons}); }
        polygons.forEach(function (p) {
          var layer = L.polygon(p.map(ring), STYLES[level]).addTo(map);
          var path = layer.getElement && layer.getElement();
          if (path) { path.setAttribute("data-code", f.properties.code); }
          bounds.extend(layer.getBounds());
          if (level === "street") { street.extend(layer.getBounds()); }
          if (level !== "street") {
            L.tooltip({permanent: true, direction: "center", className: "area-label " + level, interactive: false})
              .setLatLng(layer.getBounds().getCenter()).setContent(f.properties.name).addTo(map);
          }
        });
      });
    });
    if (!grids.length) { grids = null; }  // nothing to check against: the server decides
    if (!located && !marker) {
      var whole = street.isValid() ? street : bounds;
      // Not animated: a zoom animation still running would take the map back when it ends.
      if (whole.isValid()) { map.fitBounds(whole, {padding: [8, 8], maxZoom: 17, animate: false}); }
    }
    gridLabels();
    el.dataset.area = grids ? "loaded" : "none";
    // A place already given (a refused report shown again, a typed place): say at once if it is outside.
    checkTyped();
  }
  if (el.dataset.areaUrl && window.fetch) {
    fetch(el.dataset.areaUrl, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(draw)
      .catch(function () { el.dataset.area = "none"; });
  }

  // A tap: taken inside the area, refused in place outside it.
  map.on("click", function (e) {
    // Without GCJ tiles the map is WGS-84, as stored. With GCJ tiles the small shift (<1 km) is
    // taken back approximately by one step of the inverse.
    var y = e.latlng.lat, x = e.latlng.lng;
    if (gcj) {
      var there = window.chuangchengGeo.toGcj02(x, y);
      y = y - (there[0] - y); x = x - (there[1] - x);
    }
    if (!inside(x, y)) { say(outsideText("tap")); return; }
    say("");
    lon.value = x.toFixed(6); lat.value = y.toFixed(6);
    show(x, y);
    [lon, lat].forEach(function (f) { f.dispatchEvent(new Event("change")); });
  });

  // Typed (or filled by the location or the photo): the marker follows; outside, the message says so
  // and the server will refuse it too.
  function typed() {
    var x = parseFloat(lon.value), y = parseFloat(lat.value);
    return isFinite(x) && isFinite(y) && Math.abs(x) <= 180 && Math.abs(y) <= 90 ? [x, y] : null;
  }
  function checkTyped() {
    var p = typed();
    if (!p) { return; }
    if (!inside(p[0], p[1])) { say(outsideText("tap")); return; }
    say("");
    show(p[0], p[1]);
  }
  [lon, lat].forEach(function (f) { f.addEventListener("change", checkTyped); });
  if (typed()) { checkTyped(); }

  // "Use my position" (photos.js asks the browser): centre on it with its accuracy; outside the
  // area the fields are not filled.
  if (locateButton) {
    locateButton.setAttribute("data-locate-fallback",
      gettext("Or tap the place on the map, or type the address and choose the community."));
    locateButton.addEventListener("chuangcheng:located", function (e) {
      var fix = e.detail, pos = ll(fix.lon, fix.lat);
      located = true;
      if (circle) { map.removeLayer(circle); }
      if (fix.accuracy) {
        circle = L.circle(pos, {radius: fix.accuracy, color: "#136aec", weight: 1, fillOpacity: 0.12,
                                interactive: false, className: "accuracy-circle"}).addTo(map);
      }
      map.setView(pos, 17, {animate: false});  // at once: the next tap is on the map as seen
      if (!inside(fix.lon, fix.lat)) {
        e.preventDefault();
        say(outsideText("position"));
        if (status) { status.textContent = gettext("Location found, but outside the area."); }
      } else {
        say("");
      }
    });
  }

  // --- the photo's own GPS (EXIF) -----------------------------------------------------------------
  function gpsOf(buf) {
    var v = new DataView(buf), pos = 2, tiff = -1;
    if (v.byteLength < 4 || v.getUint16(0) !== 0xFFD8) { return null; }
    while (pos + 4 <= v.byteLength) {
      var mark = v.getUint16(pos), len = v.getUint16(pos + 2);
      if ((mark & 0xFF00) !== 0xFF00 || mark === 0xFFDA) { return null; }
      if (mark === 0xFFE1 && len > 8 && pos + 8 <= v.byteLength && v.getUint32(pos + 4) === 0x45786966) {
        tiff = pos + 10;
        break;
      }
      pos += 2 + len;
    }
    if (tiff < 0 || tiff + 8 > v.byteLength) { return null; }
    var little = v.getUint16(tiff) === 0x4949;
    function entries(offset, each) {
      var at = tiff + offset;
      if (at + 2 > v.byteLength) { return; }
      var n = v.getUint16(at, little);
      for (var i = 0; i < n; i++) {
        var entry = at + 2 + i * 12;
        if (entry + 12 > v.byteLength) { return; }
        each(v.getUint16(entry, little), entry);
      }
    }
    function degrees(entry) {
      var at = tiff + v.getUint32(entry + 8, little), total = 0;
      if (at + 24 > v.byteLength) { return NaN; }
      for (var k = 0; k < 3; k++) {
        var den = v.getUint32(at + 8 * k + 4, little);
        total += (den ? v.getUint32(at + 8 * k, little) / den : NaN) / Math.pow(60, k);
      }
      return total;
    }
    var gps = 0, refs = {}, values = {};
    entries(v.getUint32(tiff + 4, little), function (tag, entry) { if (tag === 0x8825) { gps = v.getUint32(entry + 8, little); } });
    if (!gps) { return null; }
    entries(gps, function (tag, entry) {
      if (tag === 1 || tag === 3) { refs[tag] = String.fromCharCode(v.getUint8(entry + 8)); }
      if (tag === 2 || tag === 4) { values[tag] = degrees(entry); }
    });
    var la = values[2], lo = values[4];
    if (!isFinite(la) || !isFinite(lo) || (!la && !lo) || Math.abs(la) > 90 || Math.abs(lo) > 180) { return null; }
    return [refs[3] === "W" ? -lo : lo, refs[1] === "S" ? -la : la];
  }
  var photosInput = document.getElementById("id_photos");
  var offer = document.getElementById("photo-place"), offerButton = document.getElementById("use-photo-place");
  var photoFix = null;
  function usePhotoPlace() {
    if (!photoFix) { return; }
    map.setView(ll(photoFix[0], photoFix[1]), 17);
    if (!inside(photoFix[0], photoFix[1])) { say(outsideText("photo")); return; }
    say("");
    lon.value = photoFix[0].toFixed(6);
    lat.value = photoFix[1].toFixed(6);
    [lon, lat].forEach(function (f) { f.dispatchEvent(new Event("change")); });
    if (status) { status.textContent = gettext("Place taken from the photo's GPS. Tap the map to move it if it is not right."); }
    if (offer) { offer.hidden = true; }
  }
  if (offerButton) { offerButton.addEventListener("click", usePhotoPlace); }
  if (photosInput && typeof Blob !== "undefined" && Blob.prototype.arrayBuffer) {
    photosInput.addEventListener("change", function () {
      var files = Array.prototype.slice.call(photosInput.files || []);
      photoFix = null;
      if (offer) { offer.hidden = true; }
      (function next(i) {
        if (i >= files.length) { return; }
        files[i].slice(0, 262144).arrayBuffer().then(function (buf) {
          var fix = gpsOf(buf);
          if (!fix) { next(i + 1); return; }
          photoFix = fix;
          if (!lon.value && !lat.value) { usePhotoPlace(); return; }  // no place yet: the photo's, movable
          if (offer) { offer.hidden = false; }  // a place is given: offer the photo's instead
        }).catch(function () { next(i + 1); });
      })(0);
    });
  }
})();
