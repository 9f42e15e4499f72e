// Draw the charts from the JSON on the page (their figures are also in tables and text beside them).
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("chart-data");
    if (!el || !window.Plotly) { return; }
    var specs = JSON.parse(el.textContent);
    specs.forEach(function (spec) {
      var target = document.getElementById(spec.id);
      if (!target) { return; }
      window.Plotly.newPlot(target, spec.data, spec.layout, {displayModeBar: false, responsive: true, staticPlot: false});
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
