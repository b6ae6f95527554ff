"""Fixtures for the browser tests: a live server with the demo data, one Chromium, a fresh context per test.

Self-contained on purpose: the fixtures here do not use the top-level `app` fixture or its database, and
their names (live_server, browser, open_page, page) do not collide with it.
"""

import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from compete import create_app
from compete.extensions import db
from tests.browser.helpers import DESKTOP, save_screenshot

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Our own CSS and JavaScript must load: a page without them still "works" but is not what users see.
ASSET_PATH = re.compile(r"^/(static|bootstrap)/")


@dataclass
class LiveServer:
    url: str
    app: Flask

    def competition_id(self, name: str) -> int:
        from compete.competitions.models import Competition

        with self.app.app_context():
            return db.session.scalars(select(Competition.id).where(Competition.name == name)).one()

    def event_id(self, competition_name: str, code: str) -> int:
        from compete.competitions.models import Competition, Event

        with self.app.app_context():
            return db.session.scalars(
                select(Event.id).join(Competition).where(Competition.name == competition_name, Event.code == code)
            ).one()


@pytest.fixture(scope="session")
def live_server():
    from compete import demo

    with tempfile.TemporaryDirectory(prefix="compete-browser-") as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'browser.sqlite3'}",
                "SECRET_KEY": "browser-tests",
                "RATELIMIT_ENABLED": False,
                "JOBS_RUNNER": "thread",  # as `make run` without Redis: jobs in the server's own threads
                # CSRF stays on: the browser submits the real forms with their tokens.
            }
        )
        with app.app_context():
            db.create_all()
            demo.load()
            db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        try:
            yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageProblems:
    """What went wrong in the page besides the assertions: script errors and missing assets."""

    errors: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(browser, live_server, request):
    """Open a page in a new browser context (fresh cookies) at a viewport, DESKTOP unless told."""
    contexts, problems = [], PageProblems()

    def opener(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.errors.append(f"script error on {page.url}: {error}"))
        page.on("response", lambda response: _check_asset(response, live_server.url, problems))
        return page

    yield opener
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for index, context in enumerate(contexts):
        if failed:
            for number, page in enumerate(context.pages):
                save_screenshot(page, f"FAILED-{request.node.name}-{index}-{number}")
        context.close()
    assert not problems.errors, problems.errors


def _check_asset(response, base_url: str, problems: PageProblems) -> None:
    url = response.url
    if url.startswith(base_url) and ASSET_PATH.match(url[len(base_url) :]) and response.status >= 400:
        problems.errors.append(f"asset {url} answered {response.status}")


@pytest.fixture
def page(open_page):
    """A desktop-sized page (1280×900) in a fresh browser context."""
    return open_page(DESKTOP)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report  # lets open_page keep a screenshot of a failed test
    return report
