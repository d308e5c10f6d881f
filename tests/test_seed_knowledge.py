"""The curated content's shape (issue: the graph knows CBSI): sizes, sources, the money series, the Dialogue,
regional bodies, bills and people. Expectations are rules about the content, not copied numbers."""

from __future__ import annotations

from collections import Counter

import pytest

from analysis import from_records
from analysis.knowledge_coverage import SERIES_FLOW_TYPES, TRACKED_FISCAL_YEARS, coverage_report
from graph_seed.model import QUOTE_MAX_WORDS
from graph_seed.records import Dataset, load_dataset

DIALOGUE = "mechanism:security-cooperation-dialogue"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset()


def test_size_and_distinct_sources(dataset: Dataset) -> None:
    assert len(dataset.nodes) >= 600 and len(dataset.edges) >= 1500
    sources = [n for n in dataset.nodes if n.label == "Source"]
    cited = {s for record in [*dataset.nodes, *dataset.edges] for s in record.sources}
    assert len({s.id for s in sources} & cited) >= 150


def test_every_source_is_traceable(dataset: Dataset) -> None:
    for source in (n for n in dataset.nodes if n.label == "Source"):
        assert source.properties.get("publisher"), source.id
        # the facts table cites one CRS edition by number only; its date and address are not stated
        assert source.properties.get("url") or source.id == "src:crs-if10789", source.id
        quote = source.properties.get("quote")
        assert quote is None or len(quote.split()) <= QUOTE_MAX_WORDS, source.id


def test_every_record_names_a_source(dataset: Dataset) -> None:
    assert all(n.sources for n in dataset.nodes if n.label != "Source")
    assert all(e.sources for e in dataset.edges)


def test_every_tracked_fiscal_year_is_in_the_coverage_report(dataset: Dataset) -> None:
    report = coverage_report(from_records(dataset))
    cells = {(c.fiscal_year, c.flow_type) for c in report.fiscal_years if c.account is None}
    assert cells == {(y, k) for y in TRACKED_FISCAL_YEARS for k in SERIES_FLOW_TYPES}
    held = {c.fiscal_year for c in report.fiscal_years if c.figures and c.flow_type in ("request", "appropriation")}
    assert len(held) >= 8, f"only {sorted(held)} have a request or appropriation"
    assert report.cumulative, "the cumulative statements are reported apart"


def test_cumulative_figures_are_never_one_years_money(dataset: Dataset) -> None:
    for node in dataset.nodes:
        if node.label == "Funding" and node.properties.get("cumulative"):
            assert node.properties.get("fiscalYear") is None, node.id


def test_proposed_levels_name_their_bill(dataset: Dataset) -> None:
    proposed = {n.id for n in dataset.nodes if n.label == "Funding" and n.properties["flowType"] == "proposed"}
    linked = {e.start for e in dataset.edges if e.type == "PROPOSED_BY"}
    assert proposed and proposed <= linked


def test_every_dialogue_has_a_date_and_a_place_or_shows_as_a_gap(dataset: Dataset) -> None:
    meetings = {e.start for e in dataset.edges if e.type == "OF" and e.end == DIALOGUE}
    nodes = dataset.node_index()
    assert len(meetings) >= 10
    assert all(nodes[m].properties.get("date") for m in meetings)
    placeless = {m for m in meetings
                 if not (nodes[m].properties.get("location") or nodes[m].properties.get("format") == "virtual")}
    # the record names no place for the 10th Dialogue (May 2022): it stays absent and the coverage report says so
    assert len(placeless) <= 1, sorted(placeless)
    gaps = {g.id: g.missing for g in coverage_report(from_records(dataset)).gaps}
    assert all("location" in gaps.get(m, ()) for m in placeless)


def test_the_dialogue_has_people_in_roles(dataset: Dataset) -> None:
    nodes = dataset.node_index()
    meetings = {e.start for e in dataset.edges if e.type == "OF" and e.end == DIALOGUE}
    roles = Counter((e.properties.get("role"), nodes[e.start].label == "Person") for e in dataset.edges
                    if e.type == "ATTENDED" and e.end in meetings)
    assert roles[("co-chair", False)] + roles[("co-chair", True)] >= 3  # co-chairs: governments or officials
    assert roles[("head-of-delegation", True)] >= 3


def test_every_regional_body_has_members(dataset: Dataset) -> None:
    bodies = {n.id for n in dataset.nodes if n.label == "IntergovernmentalOrganization"
              and n.properties.get("scope") in ("regional", "subregional")}
    members = {e.end for e in dataset.edges if e.type == "MEMBER_OF"}
    parts = {e.start for e in dataset.edges if e.type == "PART_OF"}
    assert {"igo:rss", "igo:caricom", "igo:oecs"} <= members
    # a body without members of its own is an institution of another body (IMPACS's JRCC, the RSS Air Wing)
    assert bodies - members <= parts, sorted(bodies - members - parts)


def test_named_programs_and_awards(dataset: Dataset) -> None:
    programs = [n for n in dataset.nodes if n.label == "Program"
                and n.properties.get("level") in ("program", "project", "activity")]
    assert len(programs) >= 60
    implemented = {e.end for e in dataset.edges if e.type == "PARTICIPATES_IN"
                   and e.properties["role"] == "implementing"}
    assert sum(p.id in implemented for p in programs) >= 40


def test_cbsi_bills_have_sponsors_and_actions(dataset: Dataset) -> None:
    bills = {n.id for n in dataset.nodes if n.label == "Legislation" and (n.properties.get("congress") or 0) >= 114}
    sponsored = {e.end for e in dataset.edges if e.type == "SPONSORED" and e.properties["role"] == "sponsor"}
    acted = {e.end for e in dataset.edges if e.type == "ACTION_ON"}
    assert len(bills & sponsored) >= 6 and len(bills & acted) >= 5
    congresses = {n.properties.get("congress") for n in dataset.nodes if n.id in bills & sponsored}
    assert {114, 116, 117, 118, 119} <= congresses
