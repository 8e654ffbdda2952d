// Progressive enhancement only: a petition page works without this file.
// While the page is visible it asks count.json for the count every few seconds
// (data-count-every) and updates the signature bar and the "counted at" line,
// as the UK Parliament's petitions site does; it stops once signing ends.
(function () {
  "use strict";

  function update(section, data) {
    var count = String(data.signature_count);
    section.querySelectorAll("[data-count='signatures']").forEach(function (node) {
      node.textContent = count;
    });
    section.querySelectorAll("progress[data-progress='signatures']").forEach(function (bar) {
      bar.max = data.threshold;
      bar.value = data.signature_count;
    });
    var counted = section.querySelector("#counted-at");
    if (counted) { counted.textContent = data.counted_text; }
  }

  function start(section) {
    var url = section.getAttribute("data-count-url");
    var every = Math.max(2, parseInt(section.getAttribute("data-count-every"), 10) || 10) * 1000;
    var timer = null;

    function poll() {
      timer = null;
      if (document.visibilityState !== "visible") { return; }
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return schedule(); }
          update(section, data);
          if (data.may_sign) { schedule(); }
        })
        .catch(schedule);
    }

    function schedule() {
      if (timer === null) { timer = window.setTimeout(poll, every); }
    }

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { schedule(); }
    });
    schedule();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.querySelector("[data-count-url]");
    if (section && "fetch" in window) { start(section); }
  });
})();
