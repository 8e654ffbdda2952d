// The live room, kept up to date over /ws/live/<id>/ (protocol: docs/live.md).
// Progressive enhancement: the page is complete without this file, and its forms
// post normally. With it, forms go through the socket and events update the page.
(function () {
  "use strict";

  var room, lastSeq, socket, attempt = 0, words = [], refs = 0, staff = false;
  var asked = {}, mine = {}; // refs of our "ask" frames; ids of our own questions

  function $(selector, scope) { return (scope || document).querySelector(selector); }

  function word(index) { return words[index] || ""; }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var id = room.getAttribute("data-live-room");
    var lang = room.getAttribute("data-live-lang") || "";
    socket = new WebSocket(scheme + window.location.host + "/ws/live/" + id + "/?lang=" +
      encodeURIComponent(lang) + "&after=" + lastSeq);
    socket.addEventListener("open", function () {
      attempt = 0;
      status("");
      room.setAttribute("data-live-connected", "");
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      receive(frame);
    });
    socket.addEventListener("close", function (event) {
      room.removeAttribute("data-live-connected");
      if (event.code === 4404) { return; }
      status(word(8));
      // 4008: we were too slow; reconnect at once and read the rest from the server.
      var delay = event.code === 4008 ? 100 :
        Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.5 + Math.random());
      attempt += 1;
      window.setTimeout(connect, delay);
    });
  }

  function status(text) { var s = $("[data-live-status]"); if (s) { s.textContent = text; } }

  function error(text) {
    var region = $("[data-live-errors]");
    if (!region) { return; }
    var p = document.createElement("p");
    p.className = "message message-error";
    p.textContent = text;
    region.textContent = "";
    region.appendChild(p);
  }

  function receive(frame) {
    if (frame.type === "event") {
      if (frame.seq <= lastSeq) { return; } // already shown
      lastSeq = frame.seq;
      room.setAttribute("data-live-seq", String(lastSeq));
      apply(frame.event, frame.data);
    } else if (frame.type === "snapshot") {
      if (frame.reset || frame.seq > lastSeq) { window.location.reload(); }
    } else if (frame.type === "viewers") {
      var v = $("[data-live-viewers]");
      if (v) { v.textContent = String(frame.count); $("[data-live-viewers-wrap]").hidden = false; }
    } else if (frame.type === "ack") {
      if (frame.id && asked[frame.ref]) {
        mine[frame.id] = true; // no vote button on one's own question
        remove("#question-" + frame.id + " form[data-live=vote]");
      }
    } else if (frame.type === "error") {
      error(frame.message);
    } else if (frame.type === "staff") {
      staffEvent(frame.event, frame.data);
    }
  }

  function apply(kind, data) {
    if (kind === "message") { upsertMessage(data); }
    else if (kind === "message.hidden") { remove("#message-" + data.id); }
    else if (kind === "message.pinned") {
      var m = $("#message-" + data.id);
      if (m) { m.classList.toggle("pinned", !!data.pinned); }
    } else if (kind === "question") { upsertQuestion(data); }
    else if (kind === "question.hidden") { remove("#question-" + data.id); }
    else if (kind === "question.votes") {
      var q = $("#question-" + data.id);
      if (q) { setVotes(q, data.votes); sortQuestions(); }
    } else if (kind === "question.answering") {
      var items = document.querySelectorAll("[data-question].answering");
      for (var i = 0; i < items.length; i++) {
        items[i].classList.remove("answering");
        setText($("[data-status]", items[i]), word(11));
      }
      var current = $("#question-" + data.id);
      if (current) { current.classList.add("answering"); setText($("[data-status]", current), word(5)); }
    } else if (kind === "question.answered") {
      var a = $("#question-" + data.id);
      if (a) {
        a.classList.remove("answering");
        a.classList.add("answered");
        setText($("[data-status]", a), word(6));
        // Sanitised on the server (moderation.sanitize): safe to insert as HTML.
        $("[data-answer]", a).innerHTML = data.answer || "";
        var forms = a.querySelectorAll("form");
        for (var j = 0; j < forms.length; j++) { forms[j].remove(); }
      }
    } else if (kind === "session.live" || kind === "session.ended") {
      window.location.reload();
    }
    var none = $("[data-live-no-questions]");
    if (none) { none.hidden = !!$("[data-live-questions] [data-question]"); }
  }

  function setText(node, text) { if (node) { node.textContent = text; } }

  function remove(selector) { var node = $(selector); if (node) { node.remove(); } }

  function hiddenInput(name, value) {
    var input = document.createElement("input");
    input.type = "hidden"; input.name = name; input.value = String(value);
    return input;
  }

  function actionForm(step, id, kind, label) {
    var form = document.createElement("form");
    form.method = "post";
    form.className = "inline-form";
    form.setAttribute("data-live", step);
    var csrf = $("input[name=csrfmiddlewaretoken]");
    if (csrf) { form.appendChild(hiddenInput("csrfmiddlewaretoken", csrf.value)); }
    form.appendChild(hiddenInput("step", step));
    form.appendChild(hiddenInput("id", id));
    if (kind) { form.appendChild(hiddenInput("kind", kind)); }
    if (step === "answered") {
      var field = document.createElement("label");
      field.textContent = word(12) + " ";
      var input = document.createElement("input");
      input.type = "text"; input.name = "text"; input.maxLength = 10000;
      field.appendChild(input);
      form.appendChild(field);
    }
    var button = document.createElement("button");
    button.type = "submit"; button.className = "button button-small button-secondary"; button.textContent = label;
    form.appendChild(button);
    return form;
  }

  function upsertMessage(data) {
    var list = $("[data-live-chat]");
    if (!list) { return; }
    var item = $("#message-" + data.id);
    if (!item) {
      item = document.createElement("li");
      item.id = "message-" + data.id;
      item.className = "live-message";
      item.setAttribute("data-message", String(data.id));
      var author = document.createElement("strong");
      author.setAttribute("data-author", "");
      item.appendChild(author);
      if (data.host) {
        var badge = document.createElement("span");
        badge.className = "badge"; badge.textContent = word(10);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(badge);
        item.classList.add("host");
      }
      var body = document.createElement("div");
      body.className = "user-content"; body.setAttribute("data-html", "");
      item.appendChild(body);
      if (staff) {
        item.appendChild(actionForm("pin", data.id, "", word(2)));
        item.appendChild(actionForm("hide", data.id, "message", word(1)));
      }
      list.appendChild(item);
      list.scrollTop = list.scrollHeight;
    }
    $("[data-author]", item).textContent = data.author;
    $("[data-html]", item).innerHTML = data.html; // sanitiser output
    item.classList.toggle("pinned", !!data.pinned);
  }

  function upsertQuestion(data) {
    var list = $("[data-live-questions]");
    if (!list) { return; }
    var item = $("#question-" + data.id);
    if (!item) {
      item = document.createElement("li");
      item.id = "question-" + data.id;
      item.className = "card live-question";
      item.setAttribute("data-question", String(data.id));
      var body = document.createElement("div");
      body.className = "user-content"; body.setAttribute("data-html", "");
      var meta = document.createElement("p");
      meta.className = "muted";
      var author = document.createElement("span"); author.setAttribute("data-author", "");
      var votes = document.createElement("span"); votes.setAttribute("data-votes-label", "");
      var state = document.createElement("span"); state.setAttribute("data-status", "");
      meta.appendChild(author); meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(votes); meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(state);
      var answer = document.createElement("div");
      answer.className = "user-content live-answer"; answer.setAttribute("data-answer", "");
      item.appendChild(body); item.appendChild(meta); item.appendChild(answer);
      if (data.status !== "answered") {
        if (room.hasAttribute("data-live-signed-in") && !mine[data.id]) {
          item.appendChild(actionForm("vote", data.id, "", word(0)));
        }
        if (staff) {
          item.appendChild(actionForm("answering", data.id, "", word(3)));
          item.appendChild(actionForm("answered", data.id, "", word(4)));
          item.appendChild(actionForm("hide", data.id, "question", word(1)));
        }
      }
      list.appendChild(item);
      remove("[data-waiting='question-" + data.id + "']");
    }
    $("[data-html]", item).innerHTML = data.html; // sanitiser output
    $("[data-author]", item).textContent = data.author;
    $("[data-answer]", item).innerHTML = data.answer || "";
    setText($("[data-status]", item),
      data.status === "answered" ? word(6) : data.status === "answering" ? word(5) : word(11));
    setVotes(item, data.votes);
    sortQuestions();
  }

  function setVotes(item, votes) {
    item.setAttribute("data-votes", String(votes));
    setText($("[data-votes-label]", item), votes + " " + word(7));
  }

  function sortQuestions() {
    var list = $("[data-live-questions]");
    var items = Array.prototype.slice.call(list.querySelectorAll("[data-question]"));
    items.sort(function (a, b) {
      return (parseInt(b.getAttribute("data-votes"), 10) || 0) -
        (parseInt(a.getAttribute("data-votes"), 10) || 0);
    });
    for (var i = 0; i < items.length; i++) {
      if (list.children[i] !== items[i]) { list.appendChild(items[i]); }
    }
  }

  function staffEvent(kind, data) {
    var list = $("[data-live-waiting]");
    if (!list) { return; }
    var key = data.kind + "-" + data.id;
    if (kind === "decided") { remove("[data-waiting='" + key + "']"); return; }
    if (kind !== "pending" || $("[data-waiting='" + key + "']")) { return; }
    var item = document.createElement("li");
    item.setAttribute("data-waiting", key);
    var author = document.createElement("span");
    author.textContent = data.author + ": ";
    var body = document.createElement("span");
    body.className = "user-content";
    body.innerHTML = data.html; // sanitiser output
    item.appendChild(author); item.appendChild(body);
    item.appendChild(actionForm("approve", data.id, data.kind, word(9)));
    item.appendChild(actionForm("hide", data.id, data.kind, word(1)));
    list.appendChild(item);
  }

  // Forms go through the socket when it is open; otherwise they post as usual.
  function onSubmit(event) {
    var form = event.target;
    var step = form.getAttribute && form.getAttribute("data-live");
    if (!step || !socket || socket.readyState !== 1) { return; }
    event.preventDefault();
    var fields = new FormData(form);
    var frame = { type: step, ref: ++refs };
    if (step === "ask" || step === "chat") { frame.text = fields.get("text"); }
    if (step === "ask") { asked[frame.ref] = true; }
    if (fields.get("id")) {
      if (step === "vote" || step === "answering" || step === "answered") { frame.question = fields.get("id"); }
      else { frame.id = fields.get("id"); }
    }
    if (fields.get("kind")) { frame.kind = fields.get("kind"); }
    if (step === "answered") { frame.text = fields.get("text") || ""; }
    socket.send(JSON.stringify(frame));
    if (step === "ask" || step === "chat") { form.reset(); }
    if (step === "vote") { form.remove(); }
    if (step === "approve" || step === "hide") {
      var waiting = form.closest("[data-waiting]");
      if (waiting) { waiting.remove(); }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    room = $("[data-live-room]");
    if (!room || !("WebSocket" in window)) { return; }
    var text = $("template[data-live-text]");
    words = text ? text.content.textContent.split("|") : [];
    lastSeq = parseInt(room.getAttribute("data-live-seq"), 10) || 0;
    staff = room.hasAttribute("data-live-staff");
    document.addEventListener("submit", onSubmit);
    if (room.getAttribute("data-live-state") !== "ended") { connect(); }
  });
})();
