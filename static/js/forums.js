// Progressive enhancement only: a thread page works without this file.
// The thread socket tells an open page that replies were published since it
// was loaded; we say how many and link to the newest (the page is not redrawn).
(function () {
  "use strict";

  var seen = 0;

  function show(box, payload) {
    seen += 1;
    box.textContent = box.getAttribute("data-label") + " " + String(seen) + ". ";
    var link = document.createElement("a");
    link.href = payload.url;
    link.textContent = box.getAttribute("data-link");
    box.appendChild(link);
    box.hidden = false;
  }

  function connect(box, path, attempt) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + path);
    socket.addEventListener("open", function () { attempt = 0; });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.event === "forum.post" && data.payload) { show(box, data.payload); }
    });
    socket.addEventListener("close", function (event) {
      if (event.code === 4404) { return; } // not a public thread: do not retry
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.5 + Math.random());
      window.setTimeout(function () { connect(box, path, attempt + 1); }, delay);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-thread-socket]");
    if (box && "WebSocket" in window) { connect(box, box.getAttribute("data-thread-socket"), 0); }
  });
})();
