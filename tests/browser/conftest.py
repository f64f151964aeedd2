"""Browser plumbing: the app served on 127.0.0.1 in a thread, Debian's Chromium through Playwright,
an axe-core check that fails on serious or critical accessibility violations, and the Nu HTML
checker (vnu.jar from the npm package pinned in package.json, run by Debian's Java as a local
service started once per session) that fails on any HTML error, on every page axe checks."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from inspect_app.extensions import db

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/wsi-screens"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
VNU_JAR = Path(os.environ.get("VNU_JAR", Path(__file__).resolve().parents[2] / "node_modules/vnu-jar/build/dist/vnu.jar"))
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}


def wait_for_service_worker(page, timeout: float = 60.0) -> None:
    """Wait until a service worker controls the page. Polled from here with page.evaluate, not with
    page.wait_for_function: that one re-evaluates its predicate with eval() in the page, which our
    Content-Security-Policy (script-src 'self') refuses whenever the first check comes back false.
    If no worker has taken control after 15 s the page is loaded again, as a person's next page would
    be: a worker whose install failed (one precache request failing on a busy machine) is discarded
    by the browser and registered afresh by the next page, never by the page that is already open."""
    deadline = time.monotonic() + timeout
    reload_at = time.monotonic() + 15
    while not page.evaluate("navigator.serviceWorker.controller !== null"):
        if time.monotonic() > deadline:
            raise AssertionError(f"no service worker took control of {page.url} within {timeout:.0f} s")
        if time.monotonic() > reload_at:
            page.reload()
            reload_at = time.monotonic() + 15
        page.wait_for_timeout(100)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright_instance():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); make test installs it")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # assertions wait longer than the 5 s default: CI runs on 2 busy cores

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def live_server(app):
    from inspect_app.clock import utcnow
    from inspect_app.demo.seed import seed_demo

    with app.app_context():
        seed_demo(now=utcnow())
        db.session.commit()
        db.session.remove()
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=TABLET, service_workers="allow")
    context.set_default_timeout(30_000)  # generous: CI runs on 2 busy cores
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return page


class _Checker:
    """The Nu HTML checker as a local HTTP service (one JVM for the whole session)."""

    url: str | None = None
    process: subprocess.Popen | None = None

    @classmethod
    def start(cls) -> str:
        if cls.url:
            return cls.url
        assert shutil.which("java"), "Java is needed for the Nu HTML checker (apt-get install default-jre-headless)"
        assert VNU_JAR.exists(), f"{VNU_JAR} is missing: run `npm ci` (package.json pins vnu-jar)"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        cls.process = subprocess.Popen(
            ["java", "-Xss1m", "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp", str(VNU_JAR),
             "nu.validator.servlet.Main", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(cls.process.terminate)
        url = f"http://127.0.0.1:{port}/?out=json"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                cls._post(url, "<!doctype html><html lang=en><title>x</title></html>")
                cls.url = url
                return url
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the Nu HTML checker did not start")

    @staticmethod
    def _post(url: str, html: str) -> list[dict]:
        request = urllib.request.Request(url, data=html.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)["messages"]


def html_check(page, *, context: str = "") -> None:
    """Fail on any error the Nu HTML checker finds in the page as the browser has it now."""
    messages = _Checker._post(_Checker.start(), page.content())
    errors = [m for m in messages if m.get("type") == "error"]
    summary = "; ".join(f"{m.get('message')} [{(m.get('extract') or '').strip()[:80]}]" for m in errors[:5])
    assert not errors, f"{len(errors)} HTML error(s) on {context or page.url}: {summary}"


def axe_check(page, *, context: str = "") -> None:
    """Run axe-core (bundled with axe-playwright-python, no CDN) and fail on serious/critical issues;
    then the Nu HTML checker on the same page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
    summary = "; ".join(f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in bad)
    assert not bad, f"accessibility violations on {context or page.url}: {summary}"
    html_check(page, context=context)


def screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, base_url: str, email: str, password: str = "ward-demo-pass") -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("domcontentloaded")
