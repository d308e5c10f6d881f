"""GraphiQL and the explorer in a real browser: Debian's Chromium, driven by Playwright, against `cbsi-graph serve`.

Every page runs with all requests beyond 127.0.0.1 aborted and recorded, and with console errors recorded; each
test asserts that there were none. Chromium comes from Debian (`apt-get install chromium`, done by `.ci/run`);
Playwright never downloads a browser of its own.

Set CBSI_SCREENSHOTS=docs/img to save a screenshot of each view (the README shows them).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, sync_playwright

from graph_seed.records import load_dataset
from tests import test_server_e2e

pytestmark = [pytest.mark.e2e, pytest.mark.neo4j]

server = test_server_e2e.server  # `cbsi-graph serve` with its own seeded Neo4j, once for this module

CHROMIUM = os.environ.get("CBSI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1"}
SCREENSHOTS = os.environ.get("CBSI_SCREENSHOTS")
COOKBOOK = Path(__file__).resolve().parents[1] / "docs" / "queries"


@dataclass
class Watched:
    """A page and what it did that it should not have: requests beyond 127.0.0.1, console errors."""

    page: Page
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.blocked == [], f"requests left 127.0.0.1: {self.blocked}"
        assert self.errors == [], f"console errors: {self.errors}"

    def screenshot(self, name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (`apt-get install chromium`, as .ci/run does)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    watch = Watched(page)

    def only_local(route: Route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            watch.blocked.append(url)
            route.abort()

    context.route("**/*", only_local)
    page.on("console", lambda message: watch.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.set_default_timeout(30_000)
    yield watch
    context.close()


def has_field(server: test_server_e2e.Server, type_name: str, field_name: str) -> bool:
    """Whether the server's schema has this field (the explorer asks the same way)."""
    body = server.graphql(f'{{ __type(name: "{type_name}") {{ fields {{ name }} }} }}')
    return field_name in {f["name"] for f in (body["data"]["__type"] or {}).get("fields", [])}


def open_view(watch: Watched, server: test_server_e2e.Server, fragment: str) -> Page:
    page = watch.page
    page.goto(f"{server.url}/explore{fragment}")
    page.wait_for_selector("main[data-state=ready]", state="attached")
    return page


def test_graphiql_is_served_locally_and_runs_a_cookbook_query(server: test_server_e2e.Server, watched: Watched) -> None:
    html = httpx.get(f"{server.url}/graphql", headers={"accept": "text/html"}).text
    assert not re.search(r"""(src|href)=["']https?://""", html), "the GraphiQL page must load nothing from elsewhere"
    page = watched.page
    page.goto(f"{server.url}/graphql")
    page.wait_for_selector(".graphiql-container")
    cookbook = page.locator(".cookbook button[data-file]")
    assert cookbook.count() == len(list(COOKBOOK.glob("*.graphql")))
    page.locator('.cookbook button[data-file="07-regional-bodies-and-members.graphql"]').click()
    page.locator(".graphiql-execute-button").click()
    result_text = "() => document.querySelector('.result-window .CodeMirror')?.CodeMirror.getValue() || ''"
    page.wait_for_function(f"() => ({result_text})().includes('\"data\"')")
    answer = json.loads(page.evaluate(result_text))
    assert "errors" not in answer, answer
    bodies = {edge["node"]["graphId"] for edge in answer["data"]["intergovernmentalOrganizations"]["edges"]}
    assert "igo:caricom" in bodies
    watched.screenshot("graphiql")
    page.get_by_label("Show Documentation Explorer").click()
    page.locator(".graphiql-doc-explorer").get_by_text("Query", exact=True).first.wait_for()
    watched.assert_clean()


def test_search_for_a_misspelt_partner_opens_its_page(server: test_server_e2e.Server, watched: Watched) -> None:
    page = open_view(watched, server, "#/")
    page.locator("#top-search input").fill("Jamiaca")
    page.locator("#top-search input").press("Enter")
    hit = page.locator('.hit-name[data-id="gov:JM"]')
    hit.wait_for()
    assert page.url.endswith("#/search/Jamiaca")
    assert page.locator(".hit-name").first.get_attribute("data-id") == "gov:JM", "Jamaica is the best hit"
    watched.screenshot("search")
    hit.click()
    page.wait_for_selector('h1[data-id="gov:JM"]')
    page.wait_for_selector("main[data-state=ready]", state="attached")
    assert page.locator("h1").inner_text() == "Jamaica"
    assert "#/entity/gov%3AJM" in page.url
    assert page.locator(".entity-sources a.source").count() >= 1, "the page links its sources"
    if has_field(server, "Entity", "relationships"):
        groups = page.locator(".rel-group").evaluate_all("els => els.map(e => e.dataset.type)")
        assert "MEMBER_OF" in groups
        assert page.locator('.rel-group[data-type="MEMBER_OF"] a.entity-link[data-id="igo:caricom"]').count() == 1
    else:
        assert "has no Entity.relationships field yet" in page.locator(".notice").inner_text()
    watched.screenshot("entity")
    watched.assert_clean()


def neighbours(graph_id: str) -> set[str]:
    """The seed dataset's neighbours of a node, in either direction, and the node itself."""
    found = {graph_id}
    for edge in load_dataset().edges:
        if graph_id in (edge.start, edge.end):
            found.update((edge.start, edge.end))
    return found


def test_network_view_draws_the_neighbourhood_and_expands(server: test_server_e2e.Server, watched: Watched) -> None:
    page = open_view(watched, server, "#/network/igo%3Acaricom-impacs")
    if not has_field(server, "Entity", "relationships"):
        assert "has no Entity.relationships field yet" in page.locator(".notice").inner_text()
        watched.assert_clean()
        return
    drawn = set(page.evaluate("() => window.explorerNetwork.nodes().not('.hidden').map(n => n.id())"))
    assert drawn == neighbours("igo:caricom-impacs")
    listed = set(page.locator(".node-list li").evaluate_all("els => els.map(e => e.dataset.id)"))
    assert listed == drawn
    # colour legend: one checkbox per node type drawn
    types = set(page.evaluate("() => window.explorerNetwork.nodes().map(n => n.data('type'))"))
    assert set(page.locator(".filter input[data-type]").evaluate_all("els => els.map(e => e.dataset.type)")) == types
    # expand a neighbour through its details panel: its own neighbours join, and the URL remembers it
    other = sorted(drawn - {"igo:caricom-impacs"})[0]
    page.evaluate(f"() => window.explorerNetwork.getElementById('{other}').emit('tap')")
    page.locator(".details button", has_text="Expand").click()
    page.wait_for_function(f"() => window.explorerNetwork.nodes().length >= {len(drawn | neighbours(other))}")
    assert "expand=" in page.url
    # filter by relationship type: with every type unticked only the centre is left
    for box in page.locator(".filter input[data-relation]").all():
        box.uncheck()
    visible = page.evaluate("() => window.explorerNetwork.nodes().not('.hidden').map(n => n.id())")
    assert visible == ["igo:caricom-impacs"]
    assert "hideRel=" in page.url
    watched.assert_clean()


def test_network_screenshot_of_jamaica(server: test_server_e2e.Server, watched: Watched) -> None:
    page = open_view(watched, server, "#/network/gov%3AJM")
    if has_field(server, "Entity", "relationships"):
        drawn = set(page.evaluate("() => window.explorerNetwork.nodes().map(n => n.id())"))
        assert drawn == neighbours("gov:JM")
        watched.screenshot("network")
        # colour by community: the actors get their community's colour, the legend says which
        by_type = page.evaluate("() => window.explorerNetwork.getElementById('gov:JM').data('colour')")
        page.get_by_label("Colour nodes by").select_option("community")
        page.wait_for_function("() => window.location.hash.includes('colour=community')")
        assert page.evaluate("() => window.explorerNetwork.getElementById('gov:JM').data('community')") is not None
        assert page.evaluate("() => window.explorerNetwork.getElementById('gov:JM').data('colour')") != by_type
        assert "Louvain communities" in page.locator(".network-side").inner_text()
    else:
        assert "has no Entity.relationships field yet" in page.locator(".notice").inner_text()
        watched.screenshot("network")
    watched.assert_clean()


def test_path_finder_shows_a_known_path_with_sources(server: test_server_e2e.Server, watched: Watched) -> None:
    page = open_view(watched, server, "#/paths/gov%3ASR/cso%3Apadf")
    if not has_field(server, "Query", "paths"):
        assert "has no Query.paths field yet" in page.locator(".notice").inner_text()
        watched.assert_clean()
        return
    paths = page.locator("section.path")
    assert paths.count() >= 1
    first = paths.first
    ids = first.locator(".path-node").evaluate_all("els => els.map(e => e.dataset.id)")
    assert ids[0] == "gov:SR" and ids[-1] == "cso:padf"
    hops = first.locator(".hop")
    assert hops.count() == len(ids) - 1
    for index in range(hops.count()):
        assert hops.nth(index).locator(".source").count() >= 1, "every hop shows its evidence"
    watched.screenshot("paths")
    watched.assert_clean()


def test_coverage_view_renders(server: test_server_e2e.Server, watched: Watched) -> None:
    page = open_view(watched, server, "#/coverage")
    if not has_field(server, "Query", "coverage"):
        assert "has no Query.coverage field yet" in page.locator(".notice").inner_text()
        watched.assert_clean()
        return
    assert page.locator(".coverage-summary tbody tr").count() >= 1
    assert page.locator(".coverage-years tbody tr").count() >= 1
    watched.screenshot("coverage")
    watched.assert_clean()


def test_funding_chart_on_the_cbsi_program(server: test_server_e2e.Server, watched: Watched) -> None:
    page = open_view(watched, server, "#/entity/program%3Acbsi")
    if not has_field(server, "Entity", "relationships"):
        assert "has no Entity.relationships field yet" in page.locator(".notice").inner_text()
        watched.assert_clean()
        return
    page.wait_for_function("() => document.querySelector('#funding canvas')?.chart !== undefined")
    labels = page.evaluate("() => document.querySelector('#funding canvas').chart.data.labels")
    series = page.evaluate("() => document.querySelector('#funding canvas').chart.data.datasets.map(d => d.label)")
    assert "FY2020" in labels
    assert series.index("request") < series.index("appropriation"), "requests beside (before) appropriations"
    apart = page.locator("#funding table.figures caption", has_text="Multi-year and cumulative")
    assert apart.count() == 1
    page.locator("#funding").scroll_into_view_if_needed()
    watched.screenshot("funding")
    watched.assert_clean()
