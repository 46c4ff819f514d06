"""The chat page and the embedded widget in a real browser: Debian's chromium driven by Playwright.

Screenshots go to test-output/ for people to look at.
"""

from __future__ import annotations

import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from qa.settings import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

OUT = PROJECT_ROOT / "test-output"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


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


def _ask_widget(page, question: str):
    box = page.locator("[data-policyqa] textarea")
    box.fill(question)
    box.press("Enter")


def test_widget_answers_with_a_citation(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server}/widget-demo")
    page.locator("[data-policyqa] .fab").click()
    _ask_widget(page, "老年人科学素质提升行动谁牵头")
    cite = page.locator("[data-policyqa] .cite").first
    cite.wait_for(timeout=30_000)
    assert "区卫健局" in page.locator("[data-policyqa] .a").last.inner_text()
    assert page.locator("[data-policyqa] .direct").last.inner_text() == "牵头单位：区卫健局"
    assert page.locator("[data-policyqa] mark").count() >= 1

    evil = "<img src=x onerror=alert(1)>谁牵头"
    _ask_widget(page, evil)
    page.locator("[data-policyqa] .q").nth(1).wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-policyqa]').shadowRoot.querySelectorAll('.a').length >= 2",
        timeout=30_000,
    )
    assert page.locator("[data-policyqa] .q").nth(1).inner_text() == evil  # shown as text
    assert page.locator("[data-policyqa] img").count() == 0 and not dialogs
    page.screenshot(path=str(OUT / "widget.png"))


def test_widget_works_by_keyboard_on_a_phone(server, browser):
    page = browser.new_page(viewport={"width": 375, "height": 720}, is_mobile=True)
    page.goto(f"{server}/widget-demo")
    page.locator("[data-policyqa] .fab").focus()
    page.keyboard.press("Enter")
    panel = page.locator("[data-policyqa] .panel")
    assert panel.is_visible()
    box = panel.bounding_box()
    assert box["width"] >= 370  # full screen on a phone
    page.keyboard.type("湖南流动科技馆要巡展几站？")
    page.keyboard.press("Enter")
    page.locator("[data-policyqa] .direct").first.wait_for(timeout=30_000)
    assert "15" in page.locator("[data-policyqa] .direct").first.inner_text()
    page.screenshot(path=str(OUT / "widget-phone.png"))
    page.keyboard.press("Escape")
    assert not panel.is_visible()


def test_host_page_styles_do_not_reach_the_widget(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/widget-demo")
    color = page.locator("[data-policyqa] .fab").evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(179, 38, 30)"  # the demo page forces lime on every button
    assert page.evaluate("document.cookie") == "" and page.evaluate("localStorage.length") == 0


def test_chat_page_answers_with_highlighted_citation(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(server + "/")
    box = page.locator("#question textarea")
    box.wait_for(timeout=30_000)
    box.fill("老年人科学素质提升行动谁牵头？")
    box.press("Enter")
    page.locator("#chat mark").first.wait_for(timeout=30_000)
    text = page.locator("#chat").inner_text()
    assert "区卫健局" in text and "咸安区人民政府办公室" in text
    box.fill("那农民那块呢？")
    box.press("Enter")
    page.get_by_text("牵头单位：区农业农村局").first.wait_for(timeout=30_000)
    page.screenshot(path=str(OUT / "chat.png"), full_page=True)
    assert Path(OUT / "chat.png").stat().st_size > 10_000


def test_admin_page_uploads_with_progress_and_lists_the_new_document(built_settings, browser, tmp_path):
    """The admin page behind its token: upload a Word file and a broken PDF, watch the progress, see each result."""
    from app import create_app
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
        }
    )
    docx = write_docx(
        "某市科协2026年科普月活动方案\n\n一、活动时间\n\n2026年5月举办科普月，开展活动不少于200场。",
        tmp_path / "科普月.docx",
    )
    broken = tmp_path / "扫描件.pdf"
    broken.write_bytes(b"%PDF-1.4 broken")
    with serving(create_app(settings)) as url:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(f"{url}/admin")
        page.fill("#token", "wrong")
        page.click("#login")
        page.locator("#login-msg.err").wait_for(timeout=10_000)
        assert "管理口令不正确" in page.inner_text("#login-msg") and page.locator("#panel").is_hidden()
        page.fill("#token", "browser-token-1")
        page.click("#login")
        page.locator("#docs tr").first.wait_for(timeout=10_000)
        assert page.locator("#docs tr").count() == 5
        page.set_input_files("#files", [str(docx), str(broken)])
        page.click("#upload")
        page.locator("#progress-box").wait_for(state="visible", timeout=10_000)
        page.wait_for_function("() => document.querySelector('#stage').textContent.startsWith('完成')", timeout=90_000)
        results = page.inner_text("#results")
        assert "✓ 科普月.docx" in results and "✗ 扫描件.pdf：PDF 文件已损坏" in results
        assert page.locator("#docs tr").count() == 6 and "某市科协2026年科普月活动方案" in page.inner_text("#docs")
        page.screenshot(path=str(OUT / "admin.png"), full_page=True)
        assert (
            page.evaluate("document.cookie") == "" and page.evaluate("localStorage.length + sessionStorage.length") == 0
        )
