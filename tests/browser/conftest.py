"""Browser fixtures: the app served on a free local port with the demo data, and headless Chromium.

The live server has its own database (a PostgreSQL schema or a SQLite file), migrated, loaded with the demo
and committed, so the browser sees real pages, real forms and real CSRF tokens. It does not use the
rolled-back `app` fixture: the server thread and the test thread each have their own connections.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import BaseWSGIServer, make_server

from app.demo.loader import load_demo
from app.extensions import db, limiter
from tests.conftest import make_test_app
from tests.databases import fresh_database_url

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Console errors about these paths are not counted: the app serves no favicon and Chromium asks for one on
#: its own (a 404 logged as a console error, at a moment that varies from run to run).
IGNORED_CONSOLE_PATHS = ("/favicon.ico",)
#: the phone the pages are designed for
VIEWPORT = {"width": 360, "height": 740}
READY_TIMEOUT_S = 10.0
BROWSER_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives a browser: mark it so that `-m "not browser"` leaves it out."""
    for item in items:
        if BROWSER_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")


@dataclass
class LiveServer:
    """The running app: its base URL, and the Flask app for looking things up in its database."""

    app: Flask
    url: str
    server: BaseWSGIServer = field(repr=False)

    def path(self, path: str) -> str:
        return self.url + path


def _wait_until_healthy(url: str) -> None:
    """Poll /healthz until it answers 200, for at most READY_TIMEOUT_S seconds."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    deadline = time.monotonic() + READY_TIMEOUT_S
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with opener.open(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as error:
            last_error = error
        time.sleep(0.05)  # back-off between polls; the loop, not the pause, decides readiness
    raise RuntimeError(f"the live server did not answer {url}/healthz within {READY_TIMEOUT_S} s: {last_error}")


@contextmanager
def serving(tmp: Path, name: str, load: Callable[[], None]) -> Iterator[LiveServer]:
    """An app on its own migrated database, filled by ``load`` (in an app context, committed), served on a free
    loopback port until the block ends."""
    # The limiter is one object shared by every app in the process and `init_app` overwrites its global
    # `enabled` flag; keep the flag the rest of the suite had (the throttling tests need it) and switch it
    # off only while a browser test runs (`_no_rate_limits`).
    limits_were_enabled = limiter.enabled
    app = make_test_app(fresh_database_url(tmp, name), tmp, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    limiter.enabled = limits_were_enabled
    with app.app_context():
        upgrade()
        load()
        db.session.commit()
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=f"live-server-{name}", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        _wait_until_healthy(url)
        yield LiveServer(app=app, url=url, server=server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with the demo loaded, for the whole session."""
    with serving(tmp_path_factory.mktemp("browser"), "browser", load_demo) as server:
        yield server


@pytest.fixture(autouse=True)
def _no_rate_limits() -> Iterator[None]:
    """The live app is configured without rate limits; the shared limiter's flag follows while a test runs."""
    was_enabled = limiter.enabled
    limiter.enabled = False
    try:
        yield
    finally:
        limiter.enabled = was_enabled


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught page errors of the test's page (a CSP violation is a console error)."""
    return []


def phone_tab(browser: Any, live_server: LiveServer, console_errors: list[str]) -> Any:
    """A page in a fresh phone-sized browser context (no cookies), in Chinese, with short timeouts, whose console
    errors go to ``console_errors``; the caller closes ``tab.context``."""
    context = browser.new_context(
        viewport=VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.set_default_navigation_timeout(10_000)

    def on_console(message: Any) -> None:
        source = message.location.get("url", "")
        if message.type == "error" and urlsplit(source).path not in IGNORED_CONSOLE_PATHS:
            console_errors.append(f"{message.text} ({source})")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: console_errors.append(f"page error: {error}"))
    return tab


@pytest.fixture
def page(browser: Any, live_server: LiveServer, console_errors: list[str]) -> Iterator[Any]:
    """A fresh phone-sized browser context (no cookies) and its page, in Chinese, with short timeouts."""
    tab = phone_tab(browser, live_server, console_errors)
    context = tab.context
    try:
        yield tab
    finally:
        context.close()
