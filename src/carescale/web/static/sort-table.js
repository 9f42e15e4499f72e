// Sort a table in place when a column heading is selected (progressive enhancement: without
// JavaScript each heading is a link to the page sorted on the server, with the same order).
(function () {
  "use strict";
  function sortBy(table, th) {
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th"));
    var col = headers.indexOf(th);
    var numeric = th.getAttribute("data-numeric") === "true";
    var now = th.getAttribute("aria-sort");
    var dir = now === "none" ? (numeric ? "descending" : "ascending") : (now === "ascending" ? "descending" : "ascending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute("data-value"), y = b.cells[col].getAttribute("data-value");
      var c;
      if (numeric) {
        x = x === "" ? -Infinity : parseFloat(x); y = y === "" ? -Infinity : parseFloat(y);
        c = x - y;
      } else {
        c = x.localeCompare(y, "en-GB", {sensitivity: "base"});
      }
      if (c === 0) { c = a.cells[0].getAttribute("data-value").localeCompare(b.cells[0].getAttribute("data-value")); }
      return dir === "ascending" ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    headers.forEach(function (h) { h.setAttribute("aria-sort", h === th ? dir : "none"); });
    var caption = table.querySelector("caption");
    if (caption) {
      var name = th.textContent.trim().toLowerCase();
      var first = numeric ? (dir === "descending" ? "largest" : "smallest") : (dir === "descending" ? "Z to A" : "A to Z");
      caption.textContent = rows.length + " councils, sorted by " + name + " (" + first + " first)";
    }
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
      Array.prototype.forEach.call(table.querySelectorAll("thead th a.carescale-sort"), function (link) {
        link.addEventListener("click", function (event) {
          event.preventDefault();
          sortBy(table, link.parentNode);
        });
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
