/* Report build progress: polls the job's status and updates the page in place (the page
   refreshes itself through <noscript><meta refresh> when scripts are off). */
(function () {
  "use strict";
  var box = document.querySelector("[data-report-job]");
  if (!box) { return; }
  var text = box.querySelector("[data-job-text]");
  var bar = box.querySelector("[data-job-bar]");
  var link = box.querySelector("[data-job-download]");
  var heading = box.querySelector("[data-job-heading]");
  var hint = box.querySelector("[data-job-hint]");

  function describe(s) {
    if (s.status === "queued") { return "Waiting for another report to finish…"; }
    if (s.done === 0) { return "Building report… preparing " + s.total + " " + s.unit + "."; }
    if (s.done >= s.total) { return "Building report… " + s.total + " of " + s.total + " " + s.unit + "; finishing the last pages."; }
    return "Building report… " + s.done + " of " + s.total + " " + s.unit;
  }

  function poll() {
    fetch(box.getAttribute("data-report-job"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        if (s.status === "failed") { window.location.reload(); return; }
        if (bar) { bar.value = s.percent; bar.textContent = s.percent + "%"; }
        if (s.status === "done") {
          heading.textContent = "Your report is ready";
          text.textContent = s.filename + " is ready to download.";
          link.hidden = false;
          if (hint) { hint.hidden = true; }
          link.focus();
          return;
        }
        text.textContent = describe(s);
        window.setTimeout(poll, 700);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  if (link && link.hidden) { window.setTimeout(poll, 300); }
}());
