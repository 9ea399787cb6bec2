"""Browser tests: Playwright drives Debian's Chromium (headless) against the real server.

The server runs as a subprocess (like production) on a fresh, committed SQLite database.
No browser is ever downloaded: without ``/usr/bin/chromium`` or the ``playwright`` package
the tests are skipped with the reason (and under CI=true a skip fails the run).
"""

import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from evidence_service.db import Database
from tests.conftest import LiveServer, Templates, start_server, stop_server
from tests.factories import PASSWORD, World, load_world, make_item

CHROMIUM = os.environ.get("EVIDENCE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    reason = _missing()
    if reason:
        pytest.skip(f"browser tests need Debian's Chromium and Playwright: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class WebSite:
    url: str
    db: Database
    world: World

    def item(self, **overrides: Any) -> str:
        """A new item, committed; returns its code."""
        with self.db.session(write=True) as session:
            return make_item(session, self.world, **overrides).code


@pytest.fixture(scope="module")
def site(templates: Templates) -> Iterator[WebSite]:
    yield from served_world(templates, "web")


def served_world(
    templates: Templates, name: str, env: dict[str, str] | None = None
) -> Iterator[WebSite]:
    """The test world on a server of its own (``env``: its extra settings). SQLite (the tests
    are marked sqlite_only): they are about the pages, not the database."""
    db = templates.copy("world", name)
    with db.session() as session:
        world = load_world(session)
    server: LiveServer = start_server(db.engine.url.render_as_string(), workers=1, env=env)
    try:
        yield WebSite(server.url, db, world)
    finally:
        stop_server(server)
        db.engine.dispose()


@pytest.fixture
def browser_page(chromium: Any, site: WebSite) -> Iterator[Any]:
    context = chromium.new_context(viewport=DESKTOP, accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page: Any, site: WebSite, username: str = "keeper") -> None:
    page.goto(f"{site.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.url}/scan")


def screenshot(page: Any, name: str) -> None:
    """The page as it is, on a desktop and on a 360 px wide phone."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-360px.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
