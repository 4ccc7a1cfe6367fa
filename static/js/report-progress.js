// The page of a report being produced follows its progress until nothing more will happen to it
// (complete, failed, or left behind by a stopped worker), then reloads once: the server then shows the
// report or what went wrong, and no longer includes this script, so the polling stops.
(function () {
  "use strict";
  var box = document.getElementById("report-progress");
  if (!box || !box.dataset.statusUrl) { return; }
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"}).then(function (response) {
      return response.json();
    }).then(function (state) {
      document.getElementById("report-status").textContent = state.label;
      document.getElementById("report-progress-bar").value = state.progress;
      if (state.finished) {
        window.location.reload();
      } else {
        setTimeout(poll, 1500);
      }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
