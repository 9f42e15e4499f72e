// Live progress for a background job (the page also works without this: use Refresh).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var id = box.getAttribute("data-job");
  function tick() {
    fetch("/api/v1/jobs/" + encodeURIComponent(id), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.status === "queued" || job.status === "running") {
          var bar = document.getElementById("job-progress");
          if (bar) { bar.value = job.percent; bar.textContent = job.percent + "%"; }
          var pct = document.getElementById("job-percent");
          if (pct) { pct.textContent = job.percent; }
          var stage = document.getElementById("job-stage");
          if (stage) { stage.textContent = job.stage.charAt(0).toUpperCase() + job.stage.slice(1); }
          window.setTimeout(tick, 700);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(tick, 2000); });
  }
  window.setTimeout(tick, 500);
})();
