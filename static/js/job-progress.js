// A background job's page (a report, a ledger import, an export) follows the job until nothing more will
// happen to it (finished, failed, or left behind by a stopped worker), then reloads once: the server then
// shows the outcome and no longer includes templates/core/job_progress.html, so the polling stops.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box) { return; }
  function poll() {
    fetch(box.dataset.jobStatusUrl, {credentials: "same-origin"}).then(function (response) {
      return response.json();
    }).then(function (state) {
      document.querySelectorAll("[data-job-status]").forEach(function (label) { label.textContent = state.label; });
      box.querySelector("[data-job-progress]").value = state.progress;
      if (state.finished) {
        window.location.reload();
      } else {
        setTimeout(poll, 1500);
      }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 700);
})();
