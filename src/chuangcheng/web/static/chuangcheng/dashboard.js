// Dashboards: draws each chart (an element with data-chart="<id of its JSON>") with Plotly. The
// numbers are also in the table next to each chart, so the page reads the same without this script.
// A click on a bar or a point opens the list behind it when the chart has links.
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
  var dark = document.body.classList.contains("wall");
  var colors = dark ? ["#4fc3f7", "#ffb74d", "#81c784", "#e57373"] : ["#0b57a4", "#b3261e", "#1e6b35", "#8a5300"];
  var fg = dark ? "#f5f7fa" : "#1b1f24";
  var grid = dark ? "#3a4350" : "#d3d8de";
  var size = dark ? 18 : 13;

  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source) { return; }
    var chart = JSON.parse(source.textContent);
    var horizontal = chart.kind === "hbar";
    var traces = chart.series.map(function (s, i) {
      var t = { name: s.name, marker: { color: colors[i % colors.length] }, hoverinfo: "x+y+name" };
      if (chart.kind === "line") {
        t.type = "scatter"; t.mode = "lines+markers"; t.x = chart.x; t.y = s.y; t.connectgaps = false;
        t.line = { width: dark ? 4 : 2 }; t.marker.size = dark ? 10 : 7;
      } else if (horizontal) {
        t.type = "bar"; t.orientation = "h"; t.y = chart.x; t.x = s.y;
      } else {
        t.type = "bar"; t.x = chart.x; t.y = s.y;
      }
      return t;
    });
    var valueAxis = { gridcolor: grid, zerolinecolor: grid, rangemode: "tozero" };
    if (chart.percent) { valueAxis.range = [0, 105]; valueAxis.ticksuffix = "%"; }
    var categoryAxis = { automargin: true, gridcolor: grid };
    var layout = {
      title: { text: chart.title, font: { size: size + 2 } },
      font: { color: fg, size: size },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      margin: { l: 40, r: 10, t: 48, b: 40 },
      barmode: "group", showlegend: chart.series.length > 1,
      legend: { orientation: "h", y: -0.2 },
      xaxis: horizontal ? valueAxis : categoryAxis,
      yaxis: horizontal ? categoryAxis : valueAxis,
      height: horizontal ? Math.max(220, 60 + 28 * chart.x.length) : (dark ? 360 : 300)
    };
    Plotly.newPlot(el, traces, layout, { displayModeBar: false, responsive: true });
    if (chart.links && chart.links.length) {
      el.classList.add("clickable");
      el.on("plotly_click", function (ev) {
        var point = ev && ev.points && ev.points[0];
        var url = point ? chart.links[point.pointIndex] : null;
        if (url) { window.location.href = url; }
      });
    }
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
