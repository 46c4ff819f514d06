/* 政策问答: one reply, rendered the same way on the chat page and in the widget.
 * The answer comes first (the direct answer, the answering sentence, or 可能相关 / 没有找到), then compact numbered
 * source cards linking to the source viewer; copy as clean text; 👍/👎 with reasons, tied to the reply's id.
 * Every text is set with textContent, never parsed as HTML. */
var PolicyQAReply = (function () {
  "use strict";
  var REASONS = ["答案不对", "出处不对", "文件里有但没找到", "其他"];
  var LOW = "可能相关：文件中没有直接的答案，以下段落可能与问题有关。";
  var NONE = "文件中没有找到相关内容。";

  var css = [
    ".pqa-reply{outline:none}",
    ".pqa-lead{margin:0 0 8px;font-weight:700;font-size:1.05em;line-height:1.6}",
    ".pqa-lead.pqa-low,.pqa-lead.pqa-none{color:var(--pqa-warn)}",
    ".pqa-understood{margin:0 0 4px;color:var(--pqa-muted);font-size:.86em}",
    ".pqa-sources{list-style:none;margin:0;padding:0}",
    ".pqa-card{margin:6px 0;padding:8px 10px;border:1px solid var(--pqa-border);border-radius:8px;background:var(--pqa-card)}",
    ".pqa-title{font-weight:600;color:var(--pqa-link);text-decoration:underline;text-underline-offset:2px}",
    ".pqa-meta,.pqa-path{color:var(--pqa-muted);font-size:.86em;margin-top:2px}",
    ".pqa-text{margin-top:4px;white-space:pre-wrap;word-break:break-word}",
    ".pqa-text mark{background:var(--pqa-mark-bg);color:var(--pqa-mark-fg);padding:0 1px;border-radius:2px}",
    ".pqa-more>summary,.pqa-near>summary{cursor:pointer;color:var(--pqa-link);margin:6px 0;font-size:.92em}",
    ".pqa-actions{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin-top:8px}",
    ".pqa-actions button,.pqa-reasons button,.pqa-toggle{font:inherit;font-size:.86em;padding:3px 10px;border-radius:14px;",
    "border:1px solid var(--pqa-border);background:var(--pqa-card);color:var(--pqa-fg);cursor:pointer}",
    ".pqa-actions button[aria-pressed=true]{border-color:var(--pqa-accent);background:var(--pqa-accent);color:var(--pqa-on-accent)}",
    ".pqa-toggle{margin-top:4px;font-size:.8em}",
    ".pqa-status{color:var(--pqa-muted);font-size:.86em}",
    ".pqa-reasons{margin-top:6px;padding:8px;border:1px solid var(--pqa-border);border-radius:8px;background:var(--pqa-card)}",
    ".pqa-reasons fieldset{border:0;margin:0;padding:0}",
    ".pqa-reasons legend{font-size:.9em;margin-bottom:4px}",
    ".pqa-reasons label{margin-right:10px;font-size:.9em;white-space:nowrap}",
    ".pqa-reasons textarea{display:block;width:100%;margin:6px 0;min-height:48px;font:inherit;font-size:.9em;",
    "color:var(--pqa-fg);background:var(--pqa-bg);border:1px solid var(--pqa-border);border-radius:6px;padding:4px}",
    ".pqa-reply a:focus-visible,.pqa-reply button:focus-visible,.pqa-reply summary:focus-visible,",
    ".pqa-reply textarea:focus-visible,.pqa-reply input:focus-visible{outline:3px solid var(--pqa-focus);outline-offset:2px}"
  ].join("");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function confidence(data) {
    if (data.confidence === "high" || data.confidence === "low" || data.confidence === "none") return data.confidence;
    return data.no_answer ? "none" : "high";
  }

  function validHighlight(p) {
    var h = p.highlight, t = String(p.text || "");
    return h && h.length === 2 && h[0] >= 0 && h[1] <= t.length && h[0] < h[1] ? h : null;
  }

  function firstSentence(text) {
    var t = String(text || "").replace(/\s+/g, " ").trim();
    var m = t.match(/^.{4,}?[。！？；]/);
    t = m ? m[0] : t;
    return t.length > 90 ? t.slice(0, 88) + "…" : t;
  }

  /** The one line a reply opens with. */
  function lead(data) {
    var c = confidence(data);
    if (c === "none") return NONE;
    if (c === "low") return LOW;
    if (data.answer) return "答：" + data.answer;
    var p = (data.passages || [])[0];
    if (!p) return NONE;
    var h = validHighlight(p);
    return h ? String(p.text).slice(h[0], h[1]).trim() : firstSentence(p.text);
  }

  /** The section path without the document title it usually starts with. */
  function shortPath(p) {
    var path = (p.section_path || []).slice();
    var title = (p.doc || {}).title || "";
    if (path.length && (path[0] === title || title.indexOf(path[0]) >= 0 || path[0].indexOf(title) >= 0)) path.shift();
    return path;
  }

  function citation(p) {
    var d = p.doc || {};
    var rest = [d.issuer, d.date, d.doc_no, p.page ? "第" + p.page + "页" : "", p.scanned ? "扫描件识别" : ""]
      .filter(Boolean);
    return (d.title || d.file || "（无标题）") + (rest.length ? "（" + rest.join("，") + "）" : "");
  }

  /** Clean text for the clipboard: the answer line, then 〔n〕标题（发文单位，日期，文号）› 章节：原文 per source. */
  function copyText(data) {
    var lines = [lead(data)];
    (data.passages || []).forEach(function (p, i) {
      var path = shortPath(p);
      var text = String(p.text || "").replace(/\s*\n+\s*/g, " ").trim();
      lines.push("〔" + (i + 1) + "〕" + citation(p) + (path.length ? " › " + path.join(" › ") : "") + "：" + text);
    });
    return lines.join("\n");
  }

  function sourceUrl(base, p) {
    var d = p.doc || {};
    var id = d.file || "";
    var q = "";
    if (p.span && p.span.length === 2) q += "at=" + p.span[0] + "-" + p.span[1];
    var h = validHighlight(p);  // offsets into the passage; a table row's text is written out, not the file's line
    if (h && p.kind !== "table_row") q += "&hl=" + h[0] + "-" + h[1];
    return new URL("doc/" + encodeURIComponent(id) + (q ? "?" + q : "") + "#passage", base).href;
  }

  function excerpt(text, h) {
    var from = 0, to = Math.min(text.length, 150);
    if (h) { from = Math.max(0, h[0] - 40); to = Math.min(text.length, Math.max(h[1] + 50, from + 120)); }
    return { from: from, to: to };
  }

  function fillText(box, p, full, mark) {
    var t = String(p.text || "");
    var h = mark ? validHighlight(p) : null;
    var r = full ? { from: 0, to: t.length } : excerpt(t, h);
    box.replaceChildren();
    if (r.from > 0) box.append("…");
    if (h && h[0] >= r.from && h[1] <= r.to) {
      box.append(t.slice(r.from, h[0]), el("mark", null, t.slice(h[0], h[1])), t.slice(h[1], r.to));
    } else {
      box.append(t.slice(r.from, r.to));
    }
    if (r.to < t.length) box.append("…");
    return r.from > 0 || r.to < t.length;
  }

  function card(p, n, opts, mark) {
    var li = el("li", "pqa-card");
    var a = el("a", "pqa-title", "〔" + n + "〕" + ((p.doc || {}).title || (p.doc || {}).file || "（无标题）"));
    a.href = sourceUrl(opts.base, p);
    if (opts.newTab) { a.target = "_blank"; a.rel = "noopener"; }
    a.title = "打开原文，定位到这一段";
    li.append(a);
    var d = p.doc || {};
    var where = [p.page ? "第" + p.page + "页" : "", p.scanned ? "扫描件识别" : ""];  // OCR'd pages say so
    var meta = [d.issuer, d.date, d.doc_no].concat(where).filter(Boolean).join(" · ");
    if (meta) li.append(el("div", "pqa-meta", meta));
    var path = shortPath(p);
    if (path.length) li.append(el("div", "pqa-path", path.join(" › ")));
    var text = el("div", "pqa-text");
    li.append(text);
    if (fillText(text, p, false, mark)) {
      var more = el("button", "pqa-toggle", "展开本段");
      more.type = "button";
      more.setAttribute("aria-expanded", "false");
      more.addEventListener("click", function () {
        var open = more.getAttribute("aria-expanded") !== "true";
        fillText(text, p, open, mark);
        more.setAttribute("aria-expanded", String(open));
        more.textContent = open ? "收起" : "展开本段";
      });
      li.append(more);
    }
    return li;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {  // plain http on a LAN address: the older way
      var area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      (opts_root || document.body).append(area);
      area.select();
      var ok = document.execCommand("copy");
      area.remove();
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }
  var opts_root = null;

  function flash(status, text) {
    status.textContent = text;
    clearTimeout(status._t);
    status._t = setTimeout(function () { status.textContent = ""; }, 4000);
  }

  /** The feedback row: 复制, 👍, 👎 (which asks for reasons and a comment). */
  function actions(data, opts, reply) {
    var bar = el("div", "pqa-actions");
    var status = el("span", "pqa-status");
    status.setAttribute("role", "status");
    var copyBtn = el("button", null, "复制");
    copyBtn.type = "button";
    copyBtn.setAttribute("aria-label", "复制回答和出处");
    copyBtn.addEventListener("click", function () {
      opts_root = opts.root || null;
      copy(copyText(data)).then(function () { flash(status, "已复制"); },
        function () { flash(status, "复制失败，请手动选择文字"); });
    });
    bar.append(copyBtn);
    if (!data.reply_id || !opts.sendFeedback) { bar.append(status); return bar; }
    var up = el("button", null, "👍 有用"), down = el("button", null, "👎 没用");
    up.type = down.type = "button";
    up.setAttribute("aria-pressed", String(data.rating === "up"));
    down.setAttribute("aria-pressed", String(data.rating === "down"));
    var form = reasonsForm(data, opts, status, function (rating) {
      up.setAttribute("aria-pressed", String(rating === "up"));
      down.setAttribute("aria-pressed", String(rating === "down"));
    });
    up.addEventListener("click", function () {
      form.hidden = true;
      send(data, opts, status, { rating: "up" }, function () {
        up.setAttribute("aria-pressed", "true"); down.setAttribute("aria-pressed", "false");
      });
    });
    down.addEventListener("click", function () {
      form.hidden = !form.hidden;
      if (!form.hidden) form.querySelector("input").focus();
    });
    bar.append(up, down, status);
    reply.append(bar, form);
    return null;
  }

  function send(data, opts, status, body, done) {
    body.reply_id = data.reply_id;
    opts.sendFeedback(body).then(function () {
      data.rating = body.rating;
      if (opts.onChange) opts.onChange(data);
      done();
      flash(status, body.rating === "up" ? "谢谢反馈" : "已记录，谢谢");
    }, function (err) {
      flash(status, (err && err.message) || "反馈没有发送成功，请稍后再试");
    });
  }

  function reasonsForm(data, opts, status, pressed) {
    var form = el("form", "pqa-reasons");
    form.hidden = true;
    var set = el("fieldset");
    set.append(el("legend", null, "哪里不对？（可多选）"));
    var boxes = REASONS.map(function (r) {
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.value = r;
      label.append(box, " " + r);
      set.append(label);
      return box;
    });
    var commentLabel = el("label", null, "补充说明（可选）");
    var comment = el("textarea");
    comment.maxLength = 2000;
    commentLabel.append(comment);
    var submit = el("button", null, "提交反馈");
    submit.type = "submit";
    form.append(set, commentLabel, submit);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var reasons = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      send(data, opts, status, { rating: "down", reasons: reasons, comment: comment.value.trim() || null }, function () {
        form.hidden = true;
        pressed("down");
      });
    });
    return form;
  }

  /** A reply element. opts: base (URL the API and viewer live under), newTab, sendFeedback(body) → Promise,
   *  onChange(data) after a rating, root (where a fallback copy textarea may go). */
  function render(data, opts) {
    var reply = el("article", "pqa-reply");
    reply.tabIndex = -1;
    reply.setAttribute("aria-label", "回答：" + (data.question || ""));
    var c = confidence(data);
    if (data.understood_as) reply.append(el("p", "pqa-understood", "理解为：" + data.understood_as));
    reply.append(el("p", "pqa-lead pqa-" + c, lead(data)));
    var passages = data.passages || [];
    var mark = c === "high";  // highlights only where the passages answer; the API sets them only there
    if (passages.length) {
      var holder = reply;
      if (c === "none") {
        holder = el("details", "pqa-near");
        holder.append(el("summary", null, "最接近的 " + passages.length + " 段（仅供参考）"));
        reply.append(holder);
      }
      var list = el("ol", "pqa-sources");
      list.setAttribute("aria-label", "出处");
      list.append(card(passages[0], 1, opts, mark));
      holder.append(list);
      if (passages.length > 1) {
        var more = el("details", "pqa-more");
        more.append(el("summary", null, "另有 " + (passages.length - 1) + " 处出处"));
        var rest = el("ol", "pqa-sources");
        passages.slice(1).forEach(function (p, i) { rest.append(card(p, i + 2, opts, mark)); });
        more.append(rest);
        holder.append(more);
      }
    }
    var bar = actions(data, opts, reply);
    if (bar) reply.append(bar);
    return reply;
  }

  /** A failed request as a sentence for people: 429 says when to try again. */
  function errorText(status, body, retryAfter) {
    if (status === 429) {
      var s = parseInt(retryAfter || "", 10);
      return "请求太频繁，请" + (s > 0 ? " " + s + " 秒后" : "稍后") + "再试。问题还在输入框里。";
    }
    if (body && body.error) return body.error;
    if (status >= 500) return "服务暂时出错，请稍后再试。问题还在输入框里。";
    return "出错了（" + status + "），请稍后再试。";
  }

  return { render: render, copyText: copyText, lead: lead, css: css, errorText: errorText, REASONS: REASONS };
})();
