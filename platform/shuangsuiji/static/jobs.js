// The job page: poll the job's JSON until it ends, then reload once to show the end state
// (its message, retry or download). Plain polling: it survives reloads and any node answers.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "yes") { return; }
  var url = box.dataset.statusUrl;
  var state = document.getElementById("job-state");
  function show(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) {
        if (job.finished) {
          // a refused draw goes back to the draw form, which says why and keeps the input
          if (job.state === "failed" && box.dataset.refusedUrl) {
            window.location.assign(box.dataset.refusedUrl);
          } else {
            window.location.reload();
          }
          return;
        }
        state.textContent = state.dataset[job.state] || job.state;
        state.className = "job-state job-" + job.state;
        show("job-phase", job.phase_label || job.phase);
        show("job-done", String(job.done));
        show("job-total", job.total === null ? "?" : String(job.total));
        var bar = document.getElementById("job-progress");
        if (bar && job.total) { bar.max = job.total; bar.value = job.done; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
