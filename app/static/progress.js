// Progress bar of a background job: polls the JSON status URL and reloads the page when the job has ended.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var url = box.getAttribute("data-progress-url");
  var tries = 0;
  function poll() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        bar.value = state.progress;
        text.textContent = state.progress + "%";
        if (state.status === "done" || state.status === "failed") { window.location.reload(); return; }
        if (tries < 600) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { if (tries < 600) { window.setTimeout(poll, 3000); } });
  }
  window.setTimeout(poll, 500);
})();
