// Progressive enhancement only: every page works without this file.
// Live notifications: the notifications socket pushes a signed-in person's new
// notifications; we update the unread badge and announce them politely.
(function () {
  "use strict";

  function connect(path, attempt) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + path);
    socket.addEventListener("open", function () { attempt = 0; });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.event === "notification") { show(data.payload); }
    });
    socket.addEventListener("close", function (event) {
      if (event.code === 4401) { return; } // signed out: do not retry
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.5 + Math.random());
      window.setTimeout(function () { connect(path, attempt + 1); }, delay);
    });
  }

  function show(notification) {
    var badge = document.querySelector("[data-unread-count]");
    if (badge) {
      badge.textContent = String((parseInt(badge.textContent, 10) || 0) + 1);
      badge.hidden = false;
    }
    var region = document.querySelector("[data-live-notifications]");
    if (region) {
      var item = document.createElement("p");
      item.className = "message message-info";
      item.setAttribute("data-notification-id", String(notification.id));
      if (notification.url) {
        var link = document.createElement("a");
        link.href = notification.url;
        link.textContent = notification.text;
        item.appendChild(link);
      } else {
        item.textContent = notification.text;
      }
      region.appendChild(item);
    }
    var list = document.querySelector("[data-notification-list]");
    if (list) {
      var entry = document.createElement("li");
      entry.className = "unread";
      entry.textContent = notification.text;
      list.insertBefore(entry, list.firstChild);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var path = document.body.getAttribute("data-notifications-socket");
    if (path && "WebSocket" in window) { connect(path, 0); }
  });
})();
