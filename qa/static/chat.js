/* 政策问答 chat page: the conversation UI inside the Gradio page at /. Replies are rendered by reply.js (the same
 * renderer as the widget). Conversations are kept in this site's own localStorage (the app's origin, not a host
 * page's), so they survive reloads and server restarts; 对话记录 lists them and 新对话 starts another. */
(function () {
  "use strict";
  var KEY = "policyqa.conversations.v1", CURRENT = "policyqa.current.v1";
  var MAX_CONVERSATIONS = 50, MAX_TURNS = 100;
  var base = new URL("/", location.href).href;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function load() {
    try { var v = JSON.parse(localStorage.getItem(KEY) || "[]"); return Array.isArray(v) ? v : []; }
    catch (_) { return []; }
  }
  function save(all) {
    all.sort(function (a, b) { return b.updated - a.updated; });
    try { localStorage.setItem(KEY, JSON.stringify(all.slice(0, MAX_CONVERSATIONS))); }
    catch (_) { /* storage full or off: the conversation still works, it is just not kept */ }
  }
  function newId() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 8); }

  var conversations = load();
  var current = null;

  function build(root) {
    var page = el("div", "pqa-page");
    var top = el("div", "pqa-top");
    var h1 = el("h1", null, "政策问答");
    var fresh = el("button", "pqa-new", "新对话");
    fresh.type = "button";
    top.append(h1, fresh);
    var intro = el("p", "pqa-intro", "用日常的话提问，先看答案，再看出处：标题、发文单位、日期、文号和章节，点出处可看原文。");
    var past = el("details", "pqa-history");
    var pastTitle = el("summary", null, "对话记录");
    var pastList = el("ul");
    past.append(pastTitle, pastList);
    var log = el("div", "pqa-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-label", "对话");
    log.tabIndex = 0;
    var form = el("form", "pqa-ask");
    var label = el("label", "pqa-sr", "输入问题");
    label.htmlFor = "pqa-question";
    var box = el("textarea");
    box.id = "pqa-question";
    box.rows = 2;
    box.maxLength = 500;
    box.placeholder = "输入问题，回车发送（Shift+回车换行）";
    var send = el("button", "pqa-send", "提问");
    send.type = "submit";
    form.append(label, box, send);
    page.append(top, intro, past, log, form);
    root.replaceChildren(page);
    var ui = { log: log, box: box, send: send, pastList: pastList, pastTitle: pastTitle, past: past, busy: false };

    fresh.addEventListener("click", function () { open(ui, null); box.focus(); });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = box.value.trim();
      if (q && !ui.busy) ask(ui, q);
    });
    var remembered = localStorage.getItem(CURRENT);
    open(ui, conversations.filter(function (c) { return c.id === remembered; })[0] || null);
  }

  function renderHistory(ui) {
    ui.pastList.replaceChildren();
    ui.pastTitle.textContent = "对话记录（" + conversations.length + "）";
    conversations.forEach(function (c) {
      var li = el("li");
      var b = el("button", null, c.title);
      b.type = "button";
      if (current && c.id === current.id) b.setAttribute("aria-current", "true");
      b.addEventListener("click", function () { open(ui, c); ui.past.open = false; ui.box.focus(); });
      li.append(b);
      ui.pastList.append(li);
    });
  }

  function welcome(ui) {
    var w = el("div", "pqa-welcome");
    w.append(el("p", null, "您好！我可以回答已收录的政策文件里的问题，每个回答都标明出处。可以试试："));
    var list = el("div", "pqa-examples");
    w.append(list);
    fetch(base + "api/examples").then(function (r) { return r.ok ? r.json() : { questions: [] }; })
      .then(function (body) {
        (body.questions || []).forEach(function (q) {
          var b = el("button", null, q);
          b.type = "button";
          b.addEventListener("click", function () { ask(ui, q); });
          list.append(b);
        });
      }).catch(function () { /* the welcome line stands alone */ });
    return w;
  }

  function open(ui, conversation) {
    current = conversation;
    if (conversation) localStorage.setItem(CURRENT, conversation.id); else localStorage.removeItem(CURRENT);
    ui.log.replaceChildren();
    if (!conversation || !conversation.turns.length) ui.log.append(welcome(ui));
    else conversation.turns.forEach(function (t) { showTurn(ui, t); });
    renderHistory(ui);
  }

  function sendFeedback(body) {
    return fetch(base + "api/feedback", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) {
      if (r.ok) return r;
      return r.json().catch(function () { return {}; }).then(function (b) {
        throw new Error(PolicyQAReply.errorText(r.status, b, r.headers.get("Retry-After")));
      });
    });
  }

  function showTurn(ui, turn) {
    var q = el("div", "pqa-q", turn.question);
    ui.log.append(q);
    var a = el("div", "pqa-a");
    a.append(PolicyQAReply.render(turn.data, {
      base: base, newTab: false, sendFeedback: sendFeedback,
      onChange: function () { if (current) save(conversations); }
    }));
    ui.log.append(a);
    return q;
  }

  function ask(ui, question) {
    ui.busy = true;
    ui.send.disabled = true;
    var welcomeNode = ui.log.querySelector(".pqa-welcome");
    if (welcomeNode) welcomeNode.remove();
    var qNode = el("div", "pqa-q", question);
    var waiting = el("div", "pqa-wait", "正在查找…");
    waiting.setAttribute("role", "status");
    ui.log.append(qNode, waiting);
    ui.box.value = "";
    var earlier = current ? current.turns.map(function (t) { return t.question; }).slice(-5) : [];
    fetch(base + "api/ask", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: question, history: earlier })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        return { ok: r.ok, status: r.status, body: body, retry: r.headers.get("Retry-After") };
      });
    }).then(function (res) {
      waiting.remove();
      qNode.remove();
      if (!res.ok) { fail(ui, question, PolicyQAReply.errorText(res.status, res.body, res.retry)); return; }
      if (!current) {
        current = { id: newId(), title: question.slice(0, 40), updated: Date.now(), turns: [] };
        conversations.unshift(current);
        localStorage.setItem(CURRENT, current.id);
      }
      var turn = { question: question, data: res.body };
      current.turns.push(turn);
      if (current.turns.length > MAX_TURNS) current.turns.shift();
      current.updated = Date.now();
      save(conversations);
      renderHistory(ui);
      var shown = showTurn(ui, turn);
      shown.scrollIntoView({ block: "start" });  // the answer, not the last source, is in view
    }).catch(function () {
      waiting.remove();
      qNode.remove();
      fail(ui, question, "无法连接到服务，请稍后再试。问题还在输入框里。");
    }).finally(function () { ui.busy = false; ui.send.disabled = false; ui.box.focus(); });
  }

  /** A failed question: say why, and put it back in the box unless something new was typed meanwhile. */
  function fail(ui, question, message) {
    var e = el("div", "pqa-error", message);
    e.setAttribute("role", "alert");
    ui.log.append(e);
    if (!ui.box.value.trim()) ui.box.value = question;
    e.scrollIntoView({ block: "nearest" });
  }

  document.documentElement.lang = "zh-CN";  // Gradio's page says "en"; screen readers should read Chinese
  function start() {
    var root = document.getElementById("pqa-chat");
    if (!root) return false;
    if (root.dataset.ready) return true;
    root.dataset.ready = "1";
    var style = el("style");
    // the reply styles, each rule scoped under the container so that Gradio's own button and list styles lose
    style.textContent = PolicyQAReply.css.replace(/(^|})([^{}]+)\{/g, function (m, end, selectors) {
      return end + selectors.split(",").map(function (s) { return "#pqa-chat " + s.trim(); }).join(",") + "{";
    });
    document.head.append(style);
    build(root);
    return true;
  }
  // Gradio renders the page after its scripts load: wait for the container to appear
  if (!start()) {
    var watch = new MutationObserver(function () { if (start()) watch.disconnect(); });
    watch.observe(document.documentElement, { childList: true, subtree: true });
  }
})();
