"""The chat page and the embedded widget in a real browser: Debian's chromium driven by Playwright.

Screenshots go to test-output/ for people to look at.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from qa.settings import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

OUT = PROJECT_ROOT / "test-output"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def server(web_service):
    import uvicorn

    from app import create_app
    from qa.load import free_port

    port = free_port()
    app = create_app(web_service.settings, web_service)
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
