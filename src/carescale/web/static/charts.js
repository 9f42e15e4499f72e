// Draw the charts from the JSON on the page (their figures are also in tables and text beside them).
// On a narrow screen (a phone) each chart is laid out again for its width: the title and axis
// titles wrap onto more lines, the legend sits between the title and the plot, long category
// labels wrap, fewer ticks are drawn and the text is a little smaller, so nothing is clipped.
(function () {
  "use strict";
  var NARROW = 640;

  function plain(text) { return String(text || "").replace(/<br>/g, " ").replace(/\s+/g, " ").trim(); }

  // text on lines of at most `width` characters (plotly breaks lines at <br>)
  function wrap(text, width, maxLines) {
    var words = plain(text).split(" "), lines = [], line = "";
    words.forEach(function (w) {
      if (line && (line + " " + w).length > width) { lines.push(line); line = w; } else { line = line ? line + " " + w : w; }
    });
    if (line) { lines.push(line); }
    if (maxLines && lines.length > maxLines) {
      lines = lines.slice(0, maxLines);
      lines[maxLines - 1] = lines[maxLines - 1].slice(0, Math.max(1, width - 1)) + "…";
    }
    return lines;
  }

  function copy(x) { return JSON.parse(JSON.stringify(x)); }

  function axisTitle(axis, chars) {
    if (axis && axis.title && axis.title.text) {
      axis.title.text = wrap(axis.title.text, chars).join("<br>");
    }
  }

  function layoutFor(spec, width) {
    var layout = copy(spec.layout);
    var data = copy(spec.data);
    if (width >= NARROW) { return {data: data, layout: layout}; }
    var font = 12, charW = 6.6;  // an average character of the system font at 12 px
    var chars = Math.max(16, Math.floor((width - 20) / (charW * 1.25)));
    layout.font = Object.assign({}, layout.font || {}, {size: font});
    var titleLines = 0;
    if (layout.title && layout.title.text) {
      var t = wrap(layout.title.text, chars);
      titleLines = t.length;
      // placed from the top of the chart in pixels (plotly anchors a title of several lines by its
      // first line, so "top" alone cut the first line off)
      layout.title = {text: t.join("<br>"), x: 0.02, xanchor: "left", xref: "container", yref: "container",
                      yanchor: "top", font: {size: 14}};
    }
    var legendItems = data.filter(function (d) { return d.showlegend !== false && d.name; }).length;
    var showLegend = layout.showlegend !== false && legendItems > 1;
    if (showLegend) {
      data.forEach(function (d) { if (d.name) { d.name = wrap(d.name, chars - 4).join("<br>"); } });
      layout.legend = {orientation: "h", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom", font: {size: font}};
    }
    layout.margin = Object.assign({}, layout.margin || {}, {
      l: 10, r: 14,
      t: 12 + 20 * titleLines + (showLegend ? 22 * legendItems : 0) + 10,
      b: 40
    });
    var hbars = data.some(function (d) { return d.orientation === "h"; });
    ["xaxis", "yaxis"].forEach(function (name) {
      var axis = layout[name] = Object.assign({}, layout[name] || {});
      axis.automargin = true;
      // an axis title is centred on the plot, which beside long bar labels is about half the chart
      axisTitle(axis, name === "xaxis" && hbars ? Math.floor(chars * 0.5) : chars);
      axis.tickfont = {size: font};
    });
    // long category labels (the models on a bar chart) wrap to at most 45% of the width
    var labelChars = Math.max(12, Math.floor(width * 0.45 / charW));
    data.forEach(function (d) {
      var cats = d.orientation === "h" ? "y" : null;
      if (cats && Array.isArray(d[cats])) {
        d[cats] = d[cats].map(function (c) { return typeof c === "string" ? wrap(c, labelChars, 3).join("<br>") : c; });
      }
    });
    // about one tick label per 75 px of plot (money labels such as £150M need that much)
    layout.xaxis.nticks = Math.max(3, Math.floor(width * (hbars ? 0.5 : 0.8) / 75));
    layout.xaxis.tickangle = 0;
    if (layout.annotations) {
      layout.annotations = layout.annotations.map(function (a) { return Object.assign({}, a, {font: Object.assign({}, a.font || {}, {size: font})}); });
    }
    if (layout.height) {
      var bars = data.reduce(function (n, d) { return Math.max(n, d.orientation === "h" && Array.isArray(d.y) ? d.y.length : 0); }, 0);
      layout.height = Math.max(layout.height, layout.margin.t + layout.margin.b + 60 + bars * 40);
    }
    if (titleLines) {  // the first line's top 8 px below the chart's top, in the chart's own height
      layout.title.y = 1 - (8 + (titleLines - 1) * 16) / (layout.height || 450);
    }
    return {data: data, layout: layout};
  }

  function draw(redraw) {
    var el = document.getElementById("chart-data");
    if (!el || !window.Plotly) { return; }
    var specs = JSON.parse(el.textContent);
    specs.forEach(function (spec) {
      var target = document.getElementById(spec.id);
      if (!target) { return; }
      var width = target.clientWidth || document.documentElement.clientWidth;
      var fig = layoutFor(spec, width);
      var config = {displayModeBar: false, responsive: true, staticPlot: false};
      if (redraw) { window.Plotly.react(target, fig.data, fig.layout, config); }
      else { window.Plotly.newPlot(target, fig.data, fig.layout, config); }
    });
  }

  var timer = null, lastWidth = document.documentElement.clientWidth;
  window.addEventListener("resize", function () {
    var w = document.documentElement.clientWidth;
    if (w === lastWidth) { return; }
    lastWidth = w;
    clearTimeout(timer);
    timer = setTimeout(function () { draw(true); }, 150);
  });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", function () { draw(false); }); } else { draw(false); }
})();
