"""The page in a real headless browser (Debian's chromium driven by playwright): it loads with no
console error and no network request, the live-where table is found by its accessible name,
axe finds no serious or critical violation, and no state is told by colour alone.

Screenshots at desktop and phone widths are saved under test-artifacts/report/ (or
$RELORCH_TEST_ARTIFACTS) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from relorch.ledger.records import new_record
from tests.gitrepo import run_relorch
from tests.report.conftest import Built
from tests.report.sitekit import NOW, Writer, at, realistic_repo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
STATE_WORDS = (
    "deployed",
    "failed",
    "rolled back",
    "held",
    "in a notice window",
    "deploying",
    "not deployed",
)

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed (scripts/install-ci-tools installs it)",
)


def artifacts() -> Path:
    path = Path(os.environ.get("RELORCH_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "report"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (test extra)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Loaded:
    """A page opened from file:// with every other request stopped and recorded."""

    def __init__(self, browser: Any, url: str, width: int, height: int = 900) -> None:
        self.requests: list[str] = []
        self.console: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.console.append(f"pageerror: {exc}"))
        self.page.route("**/*", self._route)
        self.page.goto(url, wait_until="load")

    def _console(self, message: Any) -> None:
        if message.type in {"error", "warning"}:
            self.console.append(f"{message.type}: {message.text}")

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()


@pytest.fixture(scope="module")
def desktop(browser: Any, built: Built) -> Iterator[Loaded]:
    loaded = Loaded(browser, (built.site / "index.html").as_uri(), 1280)
    yield loaded
    loaded.page.close()


def test_page_loads_with_no_console_error_and_no_network_request(desktop: Loaded) -> None:
    assert desktop.console == []
    assert desktop.requests == []
    assert desktop.page.locator("script").count() == 0  # nothing needs JavaScript


def test_live_where_table_is_found_by_its_name_and_shows_the_cells(desktop: Loaded) -> None:
    table = desktop.page.get_by_role("table", name="What is live where: products")
    assert table.count() == 1
    headers = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
    assert [h.lower() for h in headers] == ["major", "staging", "canary", "production"]
    rows = table.locator("tbody tr")
    v2 = [c.strip() for c in rows.nth(0).get_by_role("cell").all_inner_texts()]
    v1 = [c.strip() for c in rows.nth(1).get_by_role("cell").all_inner_texts()]
    assert rows.nth(0).get_by_role("rowheader").inner_text().startswith("v2")
    assert v2[0].startswith("deployed rev3") and "previous good: rev2" in v2[0]
    assert "preview rev4" in v2[0]
    assert v2[1].startswith("held rev2") and "waiting for the partner sign-off" in v2[1]
    assert v2[2].startswith("failed rev2") and "deploy of v2-rev3 failed" in v2[2]
    assert rows.nth(1).get_by_role("rowheader").inner_text().startswith("v1")
    assert "deprecated" in rows.nth(1).get_by_role("rowheader").inner_text()
    assert v1[1].startswith("not deployed")
    assert v1[2].startswith("rolled back rev2") and "rev3 taken out" in v1[2]
    assert "by lea" in v1[2]
    link = table.get_by_role("link", name="lea")
    assert link.get_attribute("href") == "https://ci.example.com/acme/products/runs/105"


def test_axe_finds_no_serious_or_critical_violation(desktop: Loaded) -> None:
    assert_axe_passes(desktop)


def test_a_deploy_in_its_notice_window_has_a_word_and_icon_axe_accepts(
    browser: Any, tmp_path: Path
) -> None:
    repo = realistic_repo(tmp_path)
    Writer(repo).add(
        new_record(
            api="products",
            env="production",
            action="deploy",
            status="announced",
            now=at("2026-08-20T11:55:00"),
            actor="ana",
            major=2,
            revision=4,
            tag="v2-rev4",
            extra={"notice_until": "2026-08-20T12:25:00Z"},
        )
    )
    site = tmp_path / "site"
    done = run_relorch(repo.path, "report", "-o", str(site), "--now", NOW)
    assert done.returncode == 0, done.stderr
    loaded = Loaded(browser, (site / "index.html").as_uri(), 1280)
    try:
        cell = loaded.page.locator("table.live .state.in-a-notice-window")
        assert cell.count() == 1
        assert cell.locator(".word").inner_text().strip() == "in a notice window"
        assert cell.locator("svg use").get_attribute("href") == "#i-in-a-notice-window"
        assert "until 2026-08-20 12:25 UTC" in cell.inner_text()
        assert loaded.console == [] and loaded.requests == []
        assert_axe_passes(loaded)
    finally:
        loaded.page.close()


def assert_axe_passes(loaded: Loaded) -> None:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = axe_module.Axe().run(loaded.page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert bad == []
    assert results.response["passes"]  # axe really ran over the page


def test_no_state_is_told_by_colour_alone(desktop: Loaded) -> None:
    """Every cell says its state in words and carries an icon of its own shape per state."""
    cells = desktop.page.locator("table.live .state").all()
    assert cells
    icon_of: dict[str, str] = {}
    for cell in cells:
        word = cell.locator(".word").inner_text().strip()
        assert word in STATE_WORDS
        icon = cell.locator("svg use").get_attribute("href")
        assert icon is not None
        assert icon_of.setdefault(word, icon) == icon
        assert cell.locator("svg").get_attribute("aria-hidden") == "true"
    assert len(set(icon_of.values())) == len(icon_of) >= 5  # distinct shapes, not hues
    # The timeline says its states in text too (the bars' colours only repeat it).
    assert "deprecated" in (desktop.page.locator("#content figure svg desc").text_content() or "")


@pytest.mark.parametrize(
    ("label", "width", "height"), [("desktop", 1280, 900), ("phone", 390, 844)]
)
def test_screenshots_are_saved_at_desktop_and_phone_widths(
    browser: Any, built: Built, label: str, width: int, height: int
) -> None:
    loaded = Loaded(browser, (built.site / "index.html").as_uri(), width, height)
    try:
        target = artifacts() / f"site-{label}.png"
        loaded.page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
        assert loaded.requests == [] and loaded.console == []
        # Nothing runs off the side of the page: only the marked scroll regions scroll.
        overflow = loaded.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
    finally:
        loaded.page.close()
