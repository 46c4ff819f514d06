/* 政策问答 widget: <script src="http://HOST/widget.js" data-title="政策问答" defer></script>
 * Options: data-title, data-k (passages per reply), data-color (accent, any CSS colour), data-position (right | left),
 * data-theme (light | dark | auto). Adds a floating button that opens a chat panel calling HOST/api/ask. Everything
 * lives in a shadow root under a host element shielded from the page's CSS; every text is set with textContent, never
 * as HTML; nothing is read from or written to the host page's cookies or storage. Served after reply.js, which
 * renders each reply (answer first, source cards, copy, feedback) exactly as the chat page does. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__policyqaWidget) return;
  window.__policyqaWidget = true;
  var base = new URL(".", script.src).href;
  var title = script.getAttribute("data-title") || "政策问答";
  var k = parseInt(script.getAttribute("data-k") || "3", 10);
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";
  var theme = script.getAttribute("data-theme") || "auto";
  var accent = script.getAttribute("data-color") || "";

  /** Black or white text, whichever reads better on the accent colour (WCAG relative luminance). */
  function onColor(color) {
    var probe = document.createElement("span");
    probe.style.color = color;
    probe.style.display = "none";
    document.documentElement.append(probe);
    var m = getComputedStyle(probe).color.match(/\d+(\.\d+)?/g);
    probe.remove();
    if (!m) return null;
    var lum = m.slice(0, 3).map(function (v) {
      v = v / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    var L = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return (L + 0.05) / 0.05 > 1.05 / (L + 0.05) ? "#000" : "#fff";
  }

  var host = document.createElement("policyqa-widget");  // a custom tag: no `div {…}` of the page matches it
  host.setAttribute("data-policyqa", "");
  host.setAttribute("style", "all:initial !important;position:static !important;display:inline !important");
  var root = host.attachShadow({ mode: "open" });
  var css = [
    ":host{all:initial !important}",
    ".w{--pqa-accent:#b3261e;--pqa-on-accent:#fff;--pqa-bg:#faf7f5;--pqa-card:#fff;--pqa-fg:#1f1f1f;--pqa-muted:#5c5c5c;",
    "--pqa-border:#d9d4d1;--pqa-link:#0b57d0;--pqa-warn:#8a1c14;--pqa-mark-bg:#ffe28a;--pqa-mark-fg:#1f1f1f;--pqa-focus:#b35c00;",
    "font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;font-size:14px;line-height:1.6;color:var(--pqa-fg)}",
    ".w.dark{--pqa-accent:#f2b8b5;--pqa-on-accent:#410e0b;--pqa-bg:#1b1b1f;--pqa-card:#26262b;--pqa-fg:#ececf1;",
    "--pqa-muted:#b9b9c3;--pqa-border:#4a4a52;--pqa-link:#a8c7fa;--pqa-warn:#ffb4ab;--pqa-mark-bg:#6b5700;--pqa-mark-fg:#fff8dc;",
    "--pqa-focus:#ffd180}",
    "*{box-sizing:border-box;font-family:inherit}",
    ".fab{position:fixed;" + side + ":16px;bottom:16px;z-index:2147483000;border:0;border-radius:28px;padding:12px 18px;",
    "background:var(--pqa-accent);color:var(--pqa-on-accent);font-size:16px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    "button:focus-visible,textarea:focus-visible,.log:focus-visible{outline:3px solid var(--pqa-focus);outline-offset:2px}",
    ".panel{position:fixed;" + side + ":16px;bottom:76px;z-index:2147483000;width:400px;max-width:calc(100vw - 32px);",
    "height:600px;max-height:calc(100vh - 96px);max-height:calc(100dvh - 96px);display:flex;flex-direction:column;",
    "background:var(--pqa-bg);color:var(--pqa-fg);border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden}",
    ".panel[hidden]{display:none}",
    "header{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:8px 8px 8px 14px;",
    "background:var(--pqa-accent);color:var(--pqa-on-accent)}",
    "header h2{margin:0;font-size:16px}",
    "header button{background:transparent;border:0;color:inherit;font-size:22px;line-height:1;cursor:pointer;",
    "min-width:40px;min-height:40px}",
    ".log{flex:1;overflow-y:auto;padding:10px 12px;overscroll-behavior:contain}",
    ".q{margin:10px 0 6px 40px;padding:6px 10px;background:var(--pqa-accent);color:var(--pqa-on-accent);border-radius:10px;",
    "white-space:pre-wrap;word-break:break-word}",
    ".a{margin:6px 0 10px;padding:8px 10px;background:var(--pqa-card);border:1px solid var(--pqa-border);border-radius:10px}",
    ".note{color:var(--pqa-muted);font-size:13px;margin:4px 0}",
    ".err{color:var(--pqa-warn);font-weight:700;margin:6px 0 10px}",
    ".examples{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0}",
    ".examples button{font:inherit;font-size:13px;border:1px solid var(--pqa-border);background:var(--pqa-card);",
    "color:var(--pqa-fg);border-radius:14px;padding:3px 10px;cursor:pointer;text-align:left}",
    "form.ask{display:flex;gap:6px;padding:8px;border-top:1px solid var(--pqa-border);background:var(--pqa-card)}",
    "form.ask textarea{flex:1;min-width:0;resize:none;height:44px;padding:8px;border:1px solid var(--pqa-border);",
    "border-radius:8px;font-size:14px;background:var(--pqa-bg);color:var(--pqa-fg)}",
    "form.ask button{flex:none;border:0;border-radius:8px;background:var(--pqa-accent);color:var(--pqa-on-accent);",
    "padding:0 14px;font-size:14px;cursor:pointer;min-height:44px}",
    "form.ask button[disabled]{cursor:wait}",
    "@media (max-width:480px){.panel{left:0;right:0;bottom:0;top:0;width:100vw;max-width:100vw;height:auto;max-height:none;",
    "border-radius:0}.fab{" + side + ":12px;bottom:12px}}",
    PolicyQAReply.css
  ].join("");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  var wrap = el("div", "w");
  if (accent) {
    var on = onColor(accent);
    if (on) { wrap.style.setProperty("--pqa-accent", accent); wrap.style.setProperty("--pqa-on-accent", on); }
  }
  var dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function applyTheme() {
    wrap.classList.toggle("dark", theme === "dark" || (theme === "auto" && !!dark && dark.matches));
  }
  applyTheme();
  if (dark && dark.addEventListener) dark.addEventListener("change", applyTheme);

  var style = el("style");
  style.textContent = css;
  var fab = el("button", "fab", title);
  fab.type = "button";
  fab.setAttribute("aria-haspopup", "dialog");
  fab.setAttribute("aria-expanded", "false");
  var panel = el("section", "panel");
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "true");
  panel.setAttribute("aria-label", title);
  var header = el("header");
  var h2 = el("h2", null, title);
  var close = el("button", null, "×");
  close.type = "button";
  close.setAttribute("aria-label", "关闭");
  header.append(h2, close);
  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-label", "对话记录");
  log.tabIndex = 0;  // scrollable by keyboard
  var welcome = el("div");
  welcome.append(el("p", "note", "请用日常的话提问，回答都附有文件出处，点出处可看原文。"));
  var examples = el("div", "examples");
  welcome.append(examples);
  log.append(welcome);
  var form = el("form", "ask");
  var input = el("textarea");
  input.setAttribute("aria-label", "输入问题");
  input.placeholder = "输入问题，回车发送";
  input.maxLength = 500;
  var send = el("button", null, "发送");
  send.type = "submit";
  form.append(input, send);
  panel.append(header, log, form);
  wrap.append(fab, panel);
  root.append(style, wrap);

  var history = [];
  var busy = false;

  function loadExamples() {
    fetch(new URL("api/examples", base).href, { credentials: "omit" }).then(function (r) {
      return r.ok ? r.json() : { questions: [] };
    }).then(function (body) {
      examples.replaceChildren();
      (body.questions || []).forEach(function (q) {
        var b = el("button", null, q);
        b.type = "button";
        b.addEventListener("click", function () { ask(q); });
        examples.append(b);
      });
    }).catch(function () { /* no examples: the welcome line still stands */ });
  }

  function toggle(open) {
    panel.hidden = !open;
    fab.setAttribute("aria-expanded", String(open));
    if (open) { if (!examples.childNodes.length) loadExamples(); input.focus(); } else fab.focus();
  }

  function focusables() {
    return Array.prototype.filter.call(
      panel.querySelectorAll("button,textarea,input,a[href],summary,[tabindex='0']"),
      function (e) { return !e.disabled && e.getClientRects().length > 0; });
  }

  function sendFeedback(body) {
    return fetch(new URL("api/feedback", base).href, {
      method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) {
      if (r.ok) return r;
      return r.json().catch(function () { return {}; }).then(function (b) {
        throw new Error(PolicyQAReply.errorText(r.status, b, r.headers.get("Retry-After")));
      });
    });
  }

  /** Scroll the log so that the reply's first line is at its top: the answer, not the last source, is in view. */
  function showStart(node) {
    log.scrollTop += node.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
  }

  function ask(question) {
    if (busy) return;
    busy = true;
    send.disabled = true;
    var qNode = el("div", "q", question);
    log.append(qNode);
    var waiting = el("div", "a note", "正在查找…");
    waiting.setAttribute("role", "status");
    log.append(waiting);
    showStart(qNode);
    input.value = "";
    fetch(new URL("api/ask", base).href, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "omit",
      body: JSON.stringify({ question: question, k: k, history: history.slice(-5) })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        return { ok: r.ok, status: r.status, body: body, retry: r.headers.get("Retry-After") };
      });
    }).then(function (res) {
      waiting.remove();
      if (!res.ok) { fail(qNode, question, PolicyQAReply.errorText(res.status, res.body, res.retry)); return; }
      history.push(question);
      var node = el("div", "a");
      node.append(PolicyQAReply.render(res.body, { base: base, newTab: true, sendFeedback: sendFeedback, root: root }));
      qNode.after(node);
      showStart(qNode);
    }).catch(function () {
      waiting.remove();
      fail(qNode, question, "无法连接到服务，请稍后再试。问题还在输入框里。");
    }).finally(function () { busy = false; send.disabled = false; input.focus(); });
  }

  /** A failed question: say why under it, and put it back in the box unless something new was typed. */
  function fail(qNode, question, message) {
    var e = el("div", "err", message);
    e.setAttribute("role", "alert");
    qNode.after(e);
    if (!input.value.trim()) input.value = question;
  }

  fab.addEventListener("click", function () { toggle(panel.hidden); });
  close.addEventListener("click", function () { toggle(false); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { toggle(false); return; }
    if (e.key !== "Tab") return;
    var items = focusables();  // focus stays inside the open panel
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1], active = root.activeElement;
    if (e.shiftKey && (active === first || !panel.contains(active))) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && (active === last || !panel.contains(active))) { e.preventDefault(); first.focus(); }
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value.trim();
    if (q && !busy) ask(q);
  });

  function mount() { document.body.appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
