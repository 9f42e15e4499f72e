// Live progress for a background job (the page also works without this: use Refresh).
// On the job's own page it reloads once the job has stopped; on a result page whose
// uncertainty analysis is the job (data-result), it reloads only once the job is done (a
// failed or cancelled job is said in place, so the page does not start it again and again; nor
// does it reload under a visitor typing into the page's form, or moving through the page with
// the keyboard, or with anything on it focused (a reload would take them back to the top: it
// says the figures are ready instead).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var id = box.getAttribute("data-job");
  var result = box.getAttribute("data-result");
  // on a result page, never reload under a visitor who is typing into one of its forms or
  // finding their way with the keyboard
  var typed = false;
  document.addEventListener("input", function () { typed = true; });
  document.addEventListener("keydown", function () { typed = true; });
  function busy() {
    var el = document.activeElement;
    return typed || (el && el !== document.body && el !== document.documentElement);
  }
  function tick() {
    fetch("/api/v1/jobs/" + encodeURIComponent(id), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.status === "queued" || job.status === "running") {
          var bar = document.getElementById("job-progress");
          if (bar) { bar.value = job.percent; bar.textContent = job.percent + "%"; }
          var pct = document.getElementById("job-percent");
          if (pct) { pct.textContent = job.percent; }
          var shown = document.getElementById("job-percent-text");
          if (shown) { shown.hidden = false; }
          var stage = document.getElementById("job-stage");
          if (stage) { stage.textContent = job.stage.charAt(0).toUpperCase() + job.stage.slice(1); }
          window.setTimeout(tick, 700);
        } else if (!result || (job.status === "done" && !busy())) {
          window.location.reload();
        } else if (job.status === "done") {
          // the whole box says so, not only its live line: the page will not refresh by itself now
          var texts = {"job-stage": "The figures are ready: refresh this page to see them", "job-title": "Ready"};
          Object.keys(texts).forEach(function (key) {
            var el = document.getElementById(key);
            if (el) { el.textContent = texts[key]; }
          });
          var heading = document.getElementById("job-heading");
          if (heading && heading.getAttribute("data-done")) { heading.textContent = heading.getAttribute("data-done"); }
          var done = document.getElementById("job-progress");
          if (done) { done.value = 100; done.textContent = "100%"; }
          ["job-percent-text", "job-by-itself"].forEach(function (key) {
            var el = document.getElementById(key);
            if (el) { el.hidden = true; }
          });
        } else {
          var stopped = document.getElementById("job-stage");
          if (stopped) { stopped.textContent = "The analysis " + (job.status === "failed" ? "stopped: " + (job.error || "") : "was cancelled"); }
        }
      })
      .catch(function () { window.setTimeout(tick, 2000); });
  }
  window.setTimeout(tick, 500);
})();
