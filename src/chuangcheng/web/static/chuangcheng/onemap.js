// The one map (一张图): community and grid boundaries and every point coloured and marked by today's
// status, clustered when many. Works with no tile server (boundaries and points on a blank
// background). The text list beside the map carries the same points and statuses.
(function () {
  "use strict";
  var el = document.getElementById("onemap");
  var dataEl = document.getElementById("onemap-data");
  if (!el || !dataEl || typeof L === "undefined") { return; }
  var data = JSON.parse(dataEl.textContent);
  var geo = window.chuangchengGeo;
  var gcj = el.dataset.crs === "gcj02" && geo;
  function ll(lon, lat) { return gcj ? geo.toGcj02(lon, lat) : [lat, lon]; }
  function ring(coords) { return coords.map(function (c) { return ll(c[0], c[1]); }); }
  // Worst first; a cluster takes the worst status of its points.
  var ORDER = ["overdue", "failed", "open", "ok", "pending"];

  // Marker clusters need a maximum zoom even when no tile layer gives one (a blank background).
  var map = L.map(el, { zoomControl: true, keyboard: true, maxZoom: 19 });
  map.attributionControl.setPrefix("Leaflet");
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  var bounds = L.latLngBounds([]);
  function drawRegions(list, style) {
    (list || []).forEach(function (r) {
      var geom = r.boundary && r.boundary.type === "Feature" ? r.boundary.geometry : r.boundary;
      if (!geom || (geom.type !== "Polygon" && geom.type !== "MultiPolygon")) { return; }
      var polys = geom.type === "Polygon" ? [geom.coordinates] : geom.coordinates;
      polys.forEach(function (p) {
        var layer = L.polygon(p.map(ring), style).addTo(map);
        layer.bindTooltip(r.name);
        bounds.extend(layer.getBounds());
      });
    });
  }
  drawRegions(data.communities, { color: "#1b1f24", weight: 2, fill: false, interactive: false });
  drawRegions(data.grids, { color: "#0b57a4", weight: 1, dashArray: "4 3", fillOpacity: 0.04 });

  function icon(status) {
    return L.divIcon({
      className: "onemap-marker",
      html: '<span class="dot st-' + status + '"></span>',
      iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10]
    });
  }
  var layer = typeof L.markerClusterGroup === "function" ? L.markerClusterGroup({
    showCoverageOnHover: false, maxClusterRadius: 40,
    iconCreateFunction: function (cluster) {
      var worst = ORDER.length - 1;
      cluster.getAllChildMarkers().forEach(function (m) { worst = Math.min(worst, ORDER.indexOf(m.options.status)); });
      return L.divIcon({
        className: "onemap-cluster",
        html: '<span class="cluster st-' + ORDER[worst] + '">' + cluster.getChildCount() + "</span>",
        iconSize: [34, 34]
      });
    }
  }) : L.layerGroup();
  var base = el.dataset.pointUrl || "";
  var label = {};
  document.querySelectorAll("#map-legend [data-status]").forEach(function (n) {
    label[n.dataset.status] = n.parentNode.textContent.replace(n.textContent, "").trim();
  });
  (data.points || []).forEach(function (p) {
    var pos = ll(p.lon, p.lat);
    var marker = L.marker(pos, { icon: icon(p.status), status: p.status, title: p.name, alt: p.name, keyboard: true });
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = base.replace("__CODE__", encodeURIComponent(p.code));
    link.textContent = p.name;
    box.appendChild(link);
    var line = document.createElement("div");
    line.textContent = p.type + " · " + (label[p.status] || p.status);
    box.appendChild(line);
    marker.bindPopup(box);
    layer.addLayer(marker);
    bounds.extend(pos);
  });
  layer.addTo(map);
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 }); }
  else { map.setView([40.82, 111.65], 13); }
})();
