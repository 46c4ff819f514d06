"""The chat page, the widget, the source viewer and the admin page in a real browser: Debian's chromium driven by
Playwright, with axe-core (from npm) injected for accessibility. Screenshots go to test-output/ for people to look at.
"""

from __future__ import annotations

import shutil
import threading
import time
from contextlib import contextmanager

import pytest

from qa.settings import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

OUT = PROJECT_ROOT / "test-output"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = PROJECT_ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
W = "[data-policyqa]"


@contextmanager
def serving(app):
    """The app on a free port of 127.0.0.1 in a background thread, stopped afterwards."""
    import uvicorn

    from qa.load import free_port

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.1)
    assert srv.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(web_service):
    from app import create_app

    with serving(create_app(web_service.settings, web_service)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: `make test` installs it (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


def new_page(browser, viewport=DESKTOP, **kw):
    context = browser.new_context(viewport=viewport, locale="zh-CN", **kw)
    return context.new_page()


def axe_violations(page, context=None) -> list[str]:
    """Critical and serious axe-core violations on the page as it is now (shadow DOM included)."""
    assert AXE.exists(), "axe-core is missing: `make test` installs it from npm"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async (ctx) => await axe.run(ctx || document, {resultTypes: ['violations']})", context)
    return [
        f"{v['impact']}: {v['id']} ({len(v['nodes'])}) {v['nodes'][0]['target']} "
        f"{v['nodes'][0].get('failureSummary', '')[:160]}"
        for v in result["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= size["height"]


def ask_widget(page, question: str):
    box = page.locator(f"{W} form.ask textarea")
    box.fill(question)
    box.press("Enter")


def replies(page, host=W) -> int:
    return page.locator(f"{host} .pqa-reply").count()


def wait_replies(page, n: int, host=W):
    page.wait_for_function(
        "([sel, n]) => { const h = document.querySelector(sel); if (!h) return false; const r = h.shadowRoot || h;"
        " return r.querySelectorAll('.pqa-reply').length >= n; }",
        arg=[host, n],
        timeout=60_000,
    )


# ---- widget -------------------------------------------------------------------------------------------------------


def test_widget_answers_first_and_links_each_source(server, browser):
    page = new_page(browser)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server}/widget-demo")
    page.locator(f"{W} .fab").click()
    page.locator(f"{W} .examples button").first.wait_for(timeout=30_000)
    ask_widget(page, "湖南流动科技馆要巡展几站")
    wait_replies(page, 1)
    ask_widget(page, "老年人科学素质提升行动谁牵头")
    wait_replies(page, 2)
    lead = page.locator(f"{W} .pqa-lead").last
    assert lead.inner_text() == "答：牵头单位：区卫健局"
    assert in_view(page, lead)  # the new reply's answer, not its last source, is in view
    first = page.locator(f"{W} .pqa-reply").last.locator(".pqa-card").first
    assert in_view(page, first) and "区卫健局" in first.inner_text()
    link = first.locator("a.pqa-title")
    assert link.get_attribute("target") == "_blank" and "/doc/" in link.get_attribute("href")
    assert "另有" in page.locator(f"{W} .pqa-more summary").last.inner_text()

    evil = "<img src=x onerror=alert(1)>谁牵头"
    ask_widget(page, evil)
    page.wait_for_function(
        "() => document.querySelector('[data-policyqa]').shadowRoot.querySelectorAll('.q').length >= 3"
    )
    wait_replies(page, 3)
    assert page.locator(f"{W} .q").nth(2).inner_text() == evil  # shown as text
    assert page.locator(f"{W} img").count() == 0 and not dialogs
    page.locator(f"{W} .pqa-reply").nth(1).locator("button", has_text="有用").click()
    page.locator(f"{W} .pqa-status", has_text="谢谢反馈").first.wait_for(timeout=10_000)
    page.locator(f"{W} .pqa-reply").nth(1).scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / "widget.png"))
    assert axe_violations(page) == []


def test_widget_by_keyboard_on_a_phone_keeps_focus_inside(server, browser):
    page = new_page(browser, PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{server}/widget-demo")
    page.locator(f"{W} .fab").focus()
    page.keyboard.press("Enter")
    panel = page.locator(f"{W} .panel")
    assert panel.is_visible() and panel.bounding_box()["width"] >= 385  # full screen on a phone
    page.keyboard.type("湖南流动科技馆要巡展几站？")
    page.keyboard.press("Enter")
    wait_replies(page, 1)
    lead = page.locator(f"{W} .pqa-lead").first
    assert "15" in lead.inner_text() and in_view(page, lead)
    assert in_view(page, page.locator(f"{W} .pqa-card").first)  # the answer and the first source on one screen
    page.screenshot(path=str(OUT / "widget-phone.png"))
    inside = (
        "() => { const r = document.querySelector('[data-policyqa]').shadowRoot;"
        " return !!r.activeElement && r.querySelector('.panel').contains(r.activeElement); }"
    )
    for _ in range(25):  # past every control, forwards and back: focus never reaches the host page
        page.keyboard.press("Tab")
        assert page.evaluate(inside)
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(inside)
    page.keyboard.press("Escape")
    assert not panel.is_visible()


@pytest.mark.parametrize("width", [1366, 820, 600, 390])
def test_widget_controls_are_on_screen_at_any_width(server, browser, width):
    page = new_page(browser, {"width": width, "height": 760})
    page.goto(f"{server}/widget-demo")
    fab = page.locator(f"{W} .fab")
    fab.click()
    for control in (page.locator(f"{W} header button"), page.locator(f"{W} form.ask button"), fab):
        if not control.is_visible():
            continue  # the phone panel covers the button
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width and 0 <= box["y"] <= 760 - box["height"], width


def test_host_css_does_not_reach_the_widget_and_options_apply(server, browser):
    page = new_page(browser)
    page.goto(f"{server}/widget-demo")
    host = page.locator(W)
    assert host.evaluate("e => getComputedStyle(e).borderTopStyle") == "none"  # the demo styles div { border }
    assert page.locator(f"{W} .fab").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(179, 38, 30)"
    assert page.evaluate("document.cookie") == "" and page.evaluate("localStorage.length") == 0
    page = new_page(browser, color_scheme="light")
    page.set_content(
        f'<html><body><p>host</p><script src="{server}/widget.js" data-color="#ffd54f" data-position="left"'
        ' data-theme="dark"></script></body></html>'
    )
    fab = page.locator(f"{W} .fab")
    fab.wait_for()
    assert fab.bounding_box()["x"] < 100  # left
    assert fab.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 213, 79)"
    assert fab.evaluate("e => getComputedStyle(e).color") == "rgb(0, 0, 0)"  # dark text on a light accent
    fab.click()
    bg = page.locator(f"{W} .panel").evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg == "rgb(27, 27, 31)"  # data-theme="dark" on a light page


def test_widget_keeps_the_question_when_the_server_refuses(server, browser):
    page = new_page(browser)
    page.route(
        "**/api/ask",
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "17", "Content-Type": "application/json"},
            body='{"error": "请求太频繁，请稍后再试。"}',
        ),
    )
    page.goto(f"{server}/widget-demo")
    page.locator(f"{W} .fab").click()
    ask_widget(page, "湖南流动科技馆要巡展几站？")
    page.locator(f"{W} .err").wait_for(timeout=10_000)
    assert "17 秒后" in page.locator(f"{W} .err").inner_text()
    assert page.locator(f"{W} form.ask textarea").input_value() == "湖南流动科技馆要巡展几站？"


# ---- chat page ----------------------------------------------------------------------------------------------------

C = "#pqa-chat"


def chat_ask(page, question: str):
    n = replies(page, C)
    box = page.locator("#pqa-question")
    box.fill(question)
    box.press("Enter")
    wait_replies(page, n + 1, C)


def test_chat_page_answer_first_copy_and_reload(server, browser):
    page = new_page(browser, permissions=["clipboard-read", "clipboard-write"])
    page.goto(server + "/")
    page.locator(f"{C} .pqa-examples button").first.wait_for(timeout=30_000)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.screenshot(path=str(OUT / "chat-first-view.png"))
    example = page.locator(f"{C} .pqa-examples button").first.inner_text()
    page.locator(f"{C} .pqa-examples button").first.click()  # an example asks at once
    wait_replies(page, 1, C)
    assert page.locator(f"{C} .pqa-q").first.inner_text() == example
    chat_ask(page, "湖南流动科技馆要巡展几站？")
    chat_ask(page, "老年人科学素质提升行动谁牵头？")
    chat_ask(page, "那农民那块呢？")
    last = page.locator(f"{C} .pqa-reply").last
    assert last.locator(".pqa-lead").inner_text() == "答：牵头单位：区农业农村局"
    assert "理解为" in last.inner_text()
    assert in_view(page, last.locator(".pqa-lead")) and in_view(page, last.locator(".pqa-card").first)
    page.screenshot(path=str(OUT / "chat.png"))
    last.locator("button", has_text="复制").click()
    page.locator(f"{C} .pqa-status", has_text="已复制").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "<" not in copied and copied.startswith("答：牵头单位：区农业农村局\n〔1〕")
    assert "区农业农村局" in copied.splitlines()[1] and "（" in copied.splitlines()[1]
    page.reload()
    wait_replies(page, 4, C)  # the conversation survives a reload
    assert page.locator(f"{C} .pqa-q").nth(3).inner_text() == "那农民那块呢？"
    assert axe_violations(page) == []
    page.emulate_media(color_scheme="dark")
    page.goto(server + "/?__theme=dark")
    wait_replies(page, 4, C)
    page.screenshot(path=str(OUT / "chat-dark.png"))
    assert axe_violations(page) == []


def test_chat_page_on_a_phone_shows_answer_and_first_source(server, browser):
    page = new_page(browser, PHONE, is_mobile=True, has_touch=True)
    page.goto(server + "/")
    page.locator("#pqa-question").wait_for(timeout=30_000)
    chat_ask(page, "湖南流动科技馆要巡展几站？")
    chat_ask(page, "广东今年科普教育基地要搞到多少家？")
    last = page.locator(f"{C} .pqa-reply").last
    assert in_view(page, last.locator(".pqa-lead")) and in_view(page, last.locator(".pqa-card").first)
    page.screenshot(path=str(OUT / "chat-phone.png"))


def test_feedback_lands_on_the_right_reply_after_a_new_conversation(server, browser, web_service):
    page = new_page(browser)
    page.goto(server + "/")
    page.locator("#pqa-question").wait_for(timeout=30_000)
    chat_ask(page, "湖南流动科技馆要巡展几站？")
    page.locator(".pqa-new").click()  # the page's own clear
    assert replies(page, C) == 0
    chat_ask(page, "湖北科普工作要点的文号是多少？")
    reply = page.locator(f"{C} .pqa-reply").last
    reply.locator("button", has_text="没用").click()
    reply.locator("label", has_text="出处不对").click()
    reply.locator("textarea").fill("想看的是正文那一条")
    reply.locator("button", has_text="提交反馈").click()
    reply.locator(".pqa-status", has_text="已记录").wait_for(timeout=10_000)
    row = next(web_service.feedback.rows(newest_first=True))
    assert row["question"] == "湖北科普工作要点的文号是多少？" and row["reasons"] == ["出处不对"]
    assert row["comment"] == "想看的是正文那一条"
    page.screenshot(path=str(OUT / "chat-feedback.png"))
    page.locator(".pqa-history summary").click()
    page.locator(".pqa-history li button", has_text="湖南流动科技馆").click()  # back to the first conversation
    wait_replies(page, 1, C)
    assert page.locator(f"{C} .pqa-q").first.inner_text() == "湖南流动科技馆要巡展几站？"


def test_chat_page_keeps_the_question_after_an_error(server, browser):
    page = new_page(browser)
    page.goto(server + "/")
    page.locator("#pqa-question").wait_for(timeout=30_000)
    page.route("**/api/ask", lambda route: route.abort())  # the server is down
    page.locator("#pqa-question").fill("老年人科学素质提升行动谁牵头？")
    page.locator("#pqa-question").press("Enter")
    page.locator(f"{C} .pqa-error").wait_for(timeout=10_000)
    assert "无法连接" in page.locator(f"{C} .pqa-error").inner_text()
    assert page.locator("#pqa-question").input_value() == "老年人科学素质提升行动谁牵头？"


def test_source_viewer_opens_at_the_passage(server, browser):
    page = new_page(browser)
    page.goto(server + "/")
    page.locator("#pqa-question").wait_for(timeout=30_000)
    chat_ask(page, "湖南流动科技馆要巡展几站？")
    page.locator(f"{C} .pqa-reply").last.locator("a.pqa-title").first.click()
    page.wait_for_url("**/doc/**")
    mark = page.locator("mark#passage")
    mark.wait_for()
    assert in_view(page, mark) and "15" in mark.locator("strong").inner_text()
    assert page.evaluate("window.scrollY") > 200  # scrolled down the whole document to it
    assert "湘科协通〔2023〕10号" in page.locator("header").inner_text()
    assert page.locator("a[download]").count() == 1
    page.screenshot(path=str(OUT / "source-viewer.png"))
    assert axe_violations(page) == []
    page.emulate_media(color_scheme="dark")
    assert axe_violations(page) == []


# ---- admin --------------------------------------------------------------------------------------------------------


def test_admin_page_follows_a_long_job_to_the_end(built_settings, browser, tmp_path, monkeypatch):
    """Upload a Word file and a broken PDF; the indexing job is made to last 60 seconds while the public rate limit
    (60 a minute) is on, which the page's polling exceeds: it must wait out the 429s and follow the job to the end."""
    from app import create_app
    from qa import jobs
    from qa.settings import Settings

    from .make_formats import write_docx

    shutil.copytree(built_settings.corpus_dir, tmp_path / "corpus")
    shutil.copytree(built_settings.index_dir, tmp_path / "index")
    settings = Settings(
        **{
            **built_settings.model_dump(),
            "corpus_dir": tmp_path / "corpus",
            "index_dir": tmp_path / "index",
            "feedback_db": tmp_path / "fb.db",
            "admin_token": "browser-token-1",
            "rate_limit_per_minute": 60,
            "rate_limit_burst": 10,
        }
    )
    real_build = jobs.build_index

    def slow_build(settings, progress=False, on_progress=None, **kw):
        for second in range(60):  # a long job: reading a big upload, reported as it goes
            if on_progress:
                on_progress("reading", second, 60)
            time.sleep(1)
        return real_build(settings, progress=progress, on_progress=on_progress, **kw)

    monkeypatch.setattr(jobs, "build_index", slow_build)  # the job runner's build (qa/jobs.py)
    docx = write_docx(
        "某市科协2026年科普月活动方案\n\n一、活动时间\n\n2026年5月举办科普月，开展活动不少于200场。",
        tmp_path / "科普月.docx",
    )
    broken = tmp_path / "扫描件.pdf"
    broken.write_bytes(b"%PDF-1.4 broken")
    with serving(create_app(settings)) as url:
        page = new_page(browser, {"width": 1100, "height": 900})
        asked = page.request.post(f"{url}/api/ask", data={"question": "广东省科协现在的主席是谁"}).json()
        page.request.post(
            f"{url}/api/feedback",
            data={"reply_id": asked["reply_id"], "rating": "down", "reasons": ["文件里有但没找到"], "comment": "换届"},
        )
        page.goto(f"{url}/admin")
        page.fill("#token", "wrong")
        page.click("#login")
        page.locator("#login-msg.err").wait_for(timeout=10_000)
        assert "管理口令不正确" in page.inner_text("#login-msg") and page.locator("#panel").is_hidden()
        page.fill("#token", "browser-token-1")
        page.click("#login")
        page.locator("#docs tr").first.wait_for(timeout=10_000)
        assert page.locator("#docs tr").count() == 5
        uncovered, feedback = page.inner_text("#uncovered"), page.inner_text("#feedback")
        assert "广东省科协现在的主席是谁" in uncovered and "没有找到" in uncovered
        assert "文件里有但没找到" in feedback and "换届" in feedback
        page.set_input_files("#files", [str(docx), str(broken)])
        assert "已选 2 个" in page.inner_text("#picked")
        page.click("#upload")
        page.locator("#progress-box").wait_for(state="visible", timeout=10_000)
        started = time.time()
        page.wait_for_function("() => document.querySelector('#stage').textContent.startsWith('完成')", timeout=180_000)
        assert time.time() - started > 55
        results = page.inner_text("#results")
        assert "✓ 科普月.docx" in results and "✗ 扫描件.pdf：PDF 文件已损坏" in results
        docs = page.inner_text("#docs")
        assert page.locator("#docs tr").count() == 6 and "某市科协2026年科普月活动方案" in docs
        assert "科普月.docx" in docs  # listed under its uploaded name, not the stored hash name
        page.screenshot(path=str(OUT / "admin.png"), full_page=True)
        assert axe_violations(page) == []
        assert (
            page.evaluate("document.cookie") == "" and page.evaluate("localStorage.length + sessionStorage.length") == 0
        )


def test_admin_page_lists_versions_and_restores_one_by_keyboard(built_settings, browser, tmp_path):
    """A revision uploaded under the same title and issuer replaces the document; the page lists both versions (the
    revision current), and 恢复 — pressed from the keyboard, confirmed — brings the old one back: the page, `policyqa
    list`, the index and the answers agree on it, and the revision is listed as the old version in turn."""
    from click.testing import CliRunner

    from app import create_app
    from qa.cli import main
    from qa.index import load_index
    from qa.settings import Settings

    shutil.copytree(built_settings.corpus_dir, tmp_path / "corpus")
    shutil.copytree(built_settings.index_dir, tmp_path / "index", ignore=shutil.ignore_patterns(".leases", ".jobs"))
    settings = Settings(
        **{
            **built_settings.model_dump(),
            "corpus_dir": tmp_path / "corpus",
            "index_dir": tmp_path / "index",
            "feedback_db": tmp_path / "fb.db",
            "admin_token": "browser-token-2",
            "rate_limit_per_minute": 0,
        }
    )
    original = next(p for p in settings.corpus_dir.iterdir() if p.name.startswith("湖南"))
    title = load_index(settings.index_dir).records[original.name].meta.title
    text = original.read_text(encoding="utf-8")
    assert "全省巡展不低于 15 站" in text
    revision = tmp_path / "湖南要点-修订版.txt"
    revision.write_text(text.replace("全省巡展不低于 15 站", "全省巡展不低于 20 站"), encoding="utf-8")
    question = {"question": "湖南流动科技馆要巡展几站"}

    def versions_table() -> list[list[str]]:
        rows = page.locator("#versions tbody tr")
        return [[c.strip() for c in rows.nth(i).inner_text().split("\t")] for i in range(rows.count())]

    with serving(create_app(settings)) as url:
        page = new_page(browser, {"width": 1100, "height": 900})
        page.goto(f"{url}/admin")
        page.fill("#token", "browser-token-2")
        page.click("#login")
        page.locator("#docs tr").first.wait_for(timeout=10_000)
        assert page.locator("#ver-empty").is_visible() and page.locator("#versions tr").count() == 0

        page.set_input_files("#files", [str(revision)])
        page.click("#upload")
        page.wait_for_function("() => document.querySelector('#stage').textContent.startsWith('完成')", timeout=180_000)
        assert page.locator("#docs tr").count() == 5  # replaced, not added beside the old one
        assert "不低于20站" in page.request.post(f"{url}/api/ask", data=question).json()["answer"]
        assert title in page.inner_text("#versions h3")
        rows = versions_table()
        assert [r[0] for r in rows] == ["湖南要点-修订版.txt", original.name], rows
        assert rows[0][2] == "当前版本" and rows[0][1].startswith("收录于 20")
        assert rows[1][2] == "旧版本（已被替换）" and rows[1][1].startswith("存档于 20")
        assert page.locator("#versions button").count() == 1  # only the old version can be restored
        page.screenshot(path=str(OUT / "admin-versions.png"), full_page=True)
        assert axe_violations(page) == []

        asked = []
        page.on("dialog", lambda d: asked.append(d.message) or d.accept())
        restore = page.get_by_role("button", name=f"恢复 {original.name}")
        # the server refuses once (the version went meanwhile): its Chinese reason is shown, nothing changes
        gone = {"status": 404, "content_type": "application/json", "body": '{"error":"没有这个版本。","code":"x"}'}
        page.route("**/api/versions/*/restore", lambda route: route.fulfill(**gone), times=1)
        restore.click()
        page.wait_for_function("() => document.querySelector('#ver-stage').textContent.startsWith('恢复失败')")
        assert page.inner_text("#ver-stage") == "恢复失败：没有这个版本。" and restore.is_enabled()
        assert restore.evaluate("b => b === document.activeElement")  # a keyboard user can simply try again
        assert [r[0] for r in versions_table()] == ["湖南要点-修订版.txt", original.name]
        restore.focus()
        page.keyboard.press("Enter")
        ended = "() => /^(已恢复|恢复失败|网络错误)/.test(document.querySelector('#ver-stage').textContent)"
        page.wait_for_function(ended, timeout=180_000)
        status = page.inner_text("#ver-stage")
        assert status.startswith("已恢复“" + title) and original.name in status, status
        assert asked and "确定恢复" in asked[0] and original.name in asked[0]
        assert page.get_attribute("#ver-stage", "aria-live") == "polite"
        assert page.evaluate("document.activeElement.id") == "ver-heading"  # focus not lost with the old list
        rows = versions_table()
        assert [r[0] for r in rows] == [original.name, "湖南要点-修订版.txt"], rows
        assert rows[0][2] == "当前版本" and rows[1][2] == "旧版本（已被替换）"
        page.screenshot(path=str(OUT / "admin-versions-restored.png"), full_page=True)
        assert axe_violations(page) == []

        answer = page.request.post(f"{url}/api/ask", data=question).json()
        assert answer["answer"] == "不低于15站" and answer["passages"][0]["doc"]["file"] == original.name
    args = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    listed = CliRunner().invoke(main, [*args, "list"]).stdout
    files = {line.split("\t")[0] for line in listed.splitlines()[1:]}
    assert original.name in files and len(files) == 5 and not any(f.startswith("upload-") for f in files)
    assert set(load_index(settings.index_dir).records) == files == {p.name for p in settings.corpus_dir.glob("*.txt")}
    assert (settings.corpus_dir / original.name).read_text(encoding="utf-8") == text
    kept = CliRunner().invoke(main, [*args, "versions"]).stdout.splitlines()[1:]
    assert [line.split("\t")[2] for line in kept] == [title, title]  # both versions of it, restorable from the CLI
