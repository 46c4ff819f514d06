/* 政策问答 widget: <script src="http://HOST/widget.js" data-title="政策问答" defer></script>
 * Adds a floating button that opens a chat panel calling HOST/api/ask. Everything lives in a shadow root, so the host
 * page's styles and the widget's cannot reach each other; every text is set with textContent, never as HTML; nothing
 * is read from or written to the host page's cookies or storage. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__policyqaWidget) return;
  window.__policyqaWidget = true;
  var api = new URL("api/ask", script.src).href;
  var title = script.getAttribute("data-title") || "政策问答";
  var k = parseInt(script.getAttribute("data-k") || "3", 10);

  var host = document.createElement("div");
  host.setAttribute("data-policyqa", "");
  var root = host.attachShadow({ mode: "open" });
  var css = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif}",
    ".fab{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:28px;padding:14px 20px;",
    "background:#b3261e;color:#fff;font-size:16px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".fab:focus-visible,button:focus-visible,textarea:focus-visible{outline:3px solid #ffb300;outline-offset:2px}",
    ".panel{position:fixed;right:20px;bottom:84px;z-index:2147483000;width:380px;max-width:calc(100vw - 24px);",
    "height:560px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;color:#1f1f1f;",
    "border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden;font-size:14px;line-height:1.6}",
    ".panel[hidden]{display:none}",
    "header{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:#b3261e;color:#fff}",
    "header h2{margin:0;font-size:16px}",
    "header button{background:transparent;border:0;color:#fff;font-size:20px;cursor:pointer;padding:2px 8px}",
    ".log{flex:1;overflow-y:auto;padding:12px;background:#faf7f5}",
    ".q{margin:8px 0 8px 40px;padding:8px 10px;background:#b3261e;color:#fff;border-radius:10px;white-space:pre-wrap;word-break:break-all}",
    ".a{margin:8px 40px 8px 0;padding:8px 10px;background:#fff;border:1px solid #eee;border-radius:10px}",
    ".direct{font-weight:700;margin-bottom:6px}",
    ".none{font-weight:700;color:#8a1c14}",
    ".note{color:#666;font-size:12px}",
    ".cite{border-top:1px solid #eee;padding-top:6px;margin-top:6px}",
    ".src{font-weight:600;font-size:13px}",
    ".path{color:#666;font-size:12px}",
    ".text{white-space:pre-wrap;word-break:break-all}",
    "mark{background:#ffe28a;color:inherit}",
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid #eee;background:#fff}",
    "textarea{flex:1;resize:none;height:44px;padding:8px;border:1px solid #ccc;border-radius:8px;font-size:14px}",
    "form button{border:0;border-radius:8px;background:#b3261e;color:#fff;padding:0 14px;font-size:14px;cursor:pointer}",
    "form button[disabled]{opacity:.5}",
    "@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;max-width:100vw;height:100vh;max-height:100vh;border-radius:0}",
    ".fab{right:12px;bottom:12px}}"
  ].join("");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  var style = el("style");
  style.textContent = css;
  var fab = el("button", "fab", title);
  fab.type = "button";
  fab.setAttribute("aria-haspopup", "dialog");
  fab.setAttribute("aria-expanded", "false");
  var panel = el("section", "panel");
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  var header = el("header");
  var h2 = el("h2", null, title);
  var close = el("button", null, "×");
  close.type = "button";
  close.setAttribute("aria-label", "关闭");
  header.append(h2, close);
  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.append(el("div", "note", "请用日常的话提问，例如：老年人科学素质提升行动谁牵头？回答都附有文件出处。"));
  var form = el("form");
  var input = el("textarea");
  input.setAttribute("aria-label", "输入问题");
  input.placeholder = "输入问题，回车发送";
  input.maxLength = 500;
  var send = el("button", null, "发送");
  send.type = "submit";
  form.append(input, send);
  panel.append(header, log, form);
  root.append(style, fab, panel);

  var history = [];

  function toggle(open) {
    panel.hidden = !open;
    fab.setAttribute("aria-expanded", String(open));
    if (open) input.focus(); else fab.focus();
  }

  function passage(p, n) {
    var box = el("div", "cite");
    var d = p.doc || {};
    var where = [p.page ? "第" + p.page + "页" : "", p.scanned ? "扫描件识别" : ""];
    var src = [d.title, d.issuer, d.date, d.doc_no].concat(where).filter(Boolean).join(" · ");
    box.append(el("div", "src", "[" + n + "] " + src));
    box.append(el("div", "path", (p.section_path || []).join(" › ")));
    var text = el("div", "text");
    var t = String(p.text || "");
    var h = p.highlight;
    if (h && h.length === 2 && h[0] >= 0 && h[1] <= t.length && h[0] < h[1]) {
      text.append(document.createTextNode(t.slice(0, h[0])), el("mark", null, t.slice(h[0], h[1])),
        document.createTextNode(t.slice(h[1])));
    } else {
      text.textContent = t;
    }
    box.append(text);
    return box;
  }

  function show(data) {
    var a = el("div", "a");
    if (data.understood_as) a.append(el("div", "note", "理解为：" + data.understood_as));
    if (data.no_answer) {
      a.append(el("div", "none", "文件中没有找到相关内容。"));
      if ((data.passages || []).length) a.append(el("div", "note", "以下是最接近的段落，仅供参考："));
    } else if (data.answer) {
      a.append(el("div", "direct", data.answer));
    }
    (data.passages || []).forEach(function (p, i) { a.append(passage(p, i + 1)); });
    log.append(a);
    log.scrollTop = log.scrollHeight;
  }

  function ask(question) {
    log.append(el("div", "q", question));
    var waiting = el("div", "a note", "正在查找…");
    log.append(waiting);
    log.scrollTop = log.scrollHeight;
    send.disabled = true;
    fetch(api, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "omit",
      body: JSON.stringify({ question: question, k: k, history: history.slice(-5) })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      waiting.remove();
      if (!res.ok) { log.append(el("div", "a none", (res.body && res.body.error) || "出错了，请稍后再试。")); return; }
      history.push(question);
      show(res.body);
    }).catch(function () {
      waiting.remove();
      log.append(el("div", "a none", "无法连接到服务，请稍后再试。"));
    }).finally(function () { send.disabled = false; input.focus(); });
  }

  fab.addEventListener("click", function () { toggle(panel.hidden); });
  close.addEventListener("click", function () { toggle(false); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") toggle(false); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value.trim();
    if (!q || send.disabled) return;
    input.value = "";
    ask(q);
  });

  function mount() { document.body.appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
