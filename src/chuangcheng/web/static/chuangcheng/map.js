// The one map: regions and points drawn from JSON in the page. Works with no tile server: then
// only boundaries and markers are drawn. The text list beside the map carries the same content.
(function () {
  "use strict";
  var PI = Math.PI, A = 6378245.0, EE = 0.00669342162296594323;
  function tlat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3;
    r += (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
    return r;
  }
  function tlon(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3;
    r += (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
    return r;
  }
  // Stored coordinates are WGS-84; AMap/Tencent tiles need GCJ-02 at display time only.
  function toGcj02(lon, lat) {
    var dlat = tlat(lon - 105, lat - 35), dlon = tlon(lon - 105, lat - 35);
    var rad = lat / 180 * PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sm = Math.sqrt(magic);
    dlat = (dlat * 180) / ((A * (1 - EE)) / (magic * sm) * PI);
    dlon = (dlon * 180) / (A / sm * Math.cos(rad) * PI);
    return [lat + dlat, lon + dlon];
  }
  // Shared with the other maps (onemap.js): [lat, lon] for Leaflet in the tiles' system.
  window.chuangchengGeo = { toGcj02: toGcj02 };
  var el = document.getElementById("map");
  var dataEl = document.getElementById("map-data");
  if (!el || !dataEl || typeof L === "undefined") { return; }
  var data = JSON.parse(dataEl.textContent);
  var gcj = el.dataset.crs === "gcj02";
  function ll(lon, lat) { return gcj ? toGcj02(lon, lat) : [lat, lon]; }
  function ring(coords) { return coords.map(function (c) { return ll(c[0], c[1]); }); }
  var map = L.map(el, { zoomControl: true, keyboard: true });
  map.attributionControl.setPrefix("Leaflet");
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  var bounds = L.latLngBounds([]);
  (data.grids || []).forEach(function (g) {
    var geom = g.boundary.type === "Feature" ? g.boundary.geometry : g.boundary;
    var polys = geom.type === "Polygon" ? [geom.coordinates] : geom.coordinates;
    polys.forEach(function (p) {
      var layer = L.polygon(p.map(ring), { color: "#0b57a4", weight: 1, fillOpacity: 0.05 }).addTo(map);
      layer.bindTooltip(g.name);
      bounds.extend(layer.getBounds());
    });
  });
  var base = el.dataset.pointUrl || "";
  (data.points || []).forEach(function (p) {
    var pos = ll(p.lon, p.lat);
    var marker = L.circleMarker(pos, {
      radius: 7, weight: 2, color: p.zero_loss ? "#a11a12" : "#1b1f24",
      fillColor: p.zero_loss ? "#e4574d" : "#f0b400", fillOpacity: 0.9
    }).addTo(map);
    var link = document.createElement("a");
    link.href = base.replace("__CODE__", encodeURIComponent(p.code));
    link.textContent = p.name + " · " + p.type;
    marker.bindPopup(link);
    bounds.extend(pos);
  });
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 }); }
  else { map.setView([40.82, 111.65], 13); }
})();
