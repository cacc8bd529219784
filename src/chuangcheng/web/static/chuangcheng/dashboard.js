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

  function valueText(v, percent) {
    if (v === null || v === undefined) { return ""; }
    return percent ? (Math.round(v * 10) / 10) + "%" : String(v);
  }

  // The value axis as the server decided it (charts.py: range from the data, its title saying
  // where a cut axis starts); charts without one (older data) keep 0–100 % or start at zero.
  function valueAxisOf(chart) {
    var axis = { gridcolor: grid, zerolinecolor: grid, automargin: true, fixedrange: true };
    var a = chart.axis;
    if (a) {
      axis.range = a.range; axis.autorange = false; axis.ticksuffix = a.ticksuffix;
      axis.title = { text: a.title, font: { size: size - 1 } };
      if (a.tickvals) {
        axis.tickvals = a.tickvals;
        axis.ticktext = a.tickvals.map(function (v) { return v + a.ticksuffix; });
      }
      if (a.dtick) { axis.dtick = a.dtick; axis.tick0 = 0; }
    } else if (chart.percent) {
      axis.range = [0, 105]; axis.ticksuffix = "%";
    } else {
      axis.rangemode = "tozero";
    }
    return axis;
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source) { return; }
    var chart = JSON.parse(source.textContent);
    var horizontal = chart.kind === "hbar";
    var ticks = chart.ticks || chart.x;
    var traces = chart.series.map(function (s, i) {
      var t = { name: s.name, marker: { color: colors[i % colors.length] }, customdata: chart.x,
                cliponaxis: false };
      if (chart.kind === "line") {
        t.type = "scatter"; t.mode = "lines+markers"; t.x = chart.x; t.y = s.y; t.connectgaps = false;
        t.line = { width: dark ? 4 : 2 }; t.marker.size = dark ? 10 : 7;
        t.hovertemplate = "%{x}: %{y}" + (chart.percent ? "%" : "") + "<extra>" + s.name + "</extra>";
      } else {
        // Every bar carries its value, outside the bar's end (the axis leaves room for it).
        t.type = "bar"; t.text = s.y.map(function (v) { return valueText(v, chart.percent); });
        t.textposition = "outside"; t.textfont = { color: fg, size: size - 1 };
        t.hovertemplate = "%{customdata}: %{text}<extra>" + s.name + "</extra>";
        if (horizontal) { t.orientation = "h"; t.y = ticks; t.x = s.y; } else { t.x = ticks; t.y = s.y; }
      }
      return t;
    });
    var valueAxis = valueAxisOf(chart);
    var categoryAxis = { automargin: true, gridcolor: grid, fixedrange: true };
    if (chart.x_title) { categoryAxis.title = { text: chart.x_title, font: { size: size - 1 } }; }
    if (horizontal) {
      // Short names on the axis (the full name is in the hover and the table); duplicates stay apart.
      categoryAxis.type = "category";
    }
    var legend = chart.series.length > 1;
    // The wall's heading above the chart already names it; a dashboard's chart carries its title.
    var titled = !dark;
    var layout = {
      font: { color: fg, size: size },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      margin: { l: 48, r: horizontal ? 64 : 16, t: (titled ? 40 : 8) + (legend ? 28 : 0), b: 40 },
      barmode: "group", showlegend: legend,
      legend: { orientation: "h", x: 0, xanchor: "left", y: 1, yanchor: "bottom" },
      xaxis: horizontal ? valueAxis : categoryAxis,
      yaxis: horizontal ? categoryAxis : valueAxis
    };
    if (titled) { layout.title = { text: chart.title, font: { size: size + 2 }, y: 0.98, yanchor: "top" }; }
    if (!dark || !el.clientHeight) {
      layout.height = horizontal ? Math.max(240, 90 + 30 * chart.x.length * Math.max(1, chart.series.length) / 1.5)
        : (dark ? 360 : 320);
    }
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
