"""IATI importer: the official 2.03 example, 1.0x codes, hostile and malformed XML, atomicity, idempotence."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import Driver

from graph_seed import neo4j_writer
from graph_seed.importers import (
    MalformedFileError,
    StrictModeError,
    UnsafeXMLError,
    import_files,
)
from graph_seed.importers import sink as sink_module
from graph_seed.importers.common import us_fiscal_year
from graph_seed.importers.iati_parse import IatiHeader, iter_activities
from graph_seed.model import NodeRecord
from graph_seed.neo4j_writer import write_records
from tests.import_helpers import SAMPLES, WALL_CLOCK, count, dump, one

FIXTURES = Path(__file__).parent / "fixtures" / "iati"
EXAMPLE = "iati-2.03-activity-standard-example-annotated.xml"
HOSTILE = ["xxe_file.xml", "billion_laughs.xml", "external_dtd.xml", "parameter_entity.xml"]


# -- pure parsing -----------------------------------------------------------------------------------------

def test_parse_official_example() -> None:
    header = IatiHeader()
    (activity,) = list(iter_activities(SAMPLES / EXAMPLE, header))
    assert header.version == "2.03"
    assert activity.identifier == "AA-AAA-123456789-ABC123"
    assert activity.title == "Activity title"  # the English (unmarked) narrative, not fr/es
    assert activity.default_currency == "USD"
    assert [(o.ref, o.role, o.type) for o in activity.participating] == [
        ("BB-BBB-123456789", "1", "40"), ("CC-CCC-123456789", "2", "10"), ("AA-AAA-123456789", "3", "21")]
    assert [(c, p) for c, p, _ in activity.countries] == [("AF", "25"), ("AG", "25")]
    assert activity.budgets == 1
    (tx,) = activity.transactions
    assert (tx.type_code, tx.value, tx.currency, tx.date, tx.line) == ("1", "1000", "EUR", "2012-01-01", 265)
    assert tx.provider is not None and tx.provider.ref == "BB-BBB-123456789"


def test_parse_legacy_inline_text() -> None:
    (activity,) = list(iter_activities(FIXTURES / "legacy_105.xml"))
    assert activity.title == "Caribbean juvenile justice reform"
    assert [o.role for o in activity.participating] == ["Funding", "Implementing"]
    assert [t.type_code for t in activity.transactions] == ["C", "D"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_xml_is_refused_by_the_parser(name: str) -> None:
    with pytest.raises(UnsafeXMLError) as caught:
        list(iter_activities(FIXTURES / name))
    assert name in str(caught.value) and "not allowed" in str(caught.value)


def test_malformed_xml_names_file_and_line() -> None:
    with pytest.raises(MalformedFileError) as caught:
        list(iter_activities(FIXTURES / "malformed.xml"))
    assert caught.value.line == 9
    assert "malformed.xml:9" in str(caught.value)


@pytest.mark.parametrize(("day", "year"), [("2012-01-01", 2012), ("2012-09-30", 2012), ("2012-10-01", 2013),
                                           ("2021-12-31", 2022)])
def test_us_fiscal_year(day: str, year: int) -> None:
    assert us_fiscal_year(day) == year


def test_dry_run_without_a_database() -> None:
    summary = import_files(None, "iati", [FIXTURES / "bad_transactions.xml"], dry_run=True)
    assert summary.dry_run and summary.funding == 2 and summary.rows_skipped == 3


# -- against Neo4j ----------------------------------------------------------------------------------------

@pytest.mark.neo4j
def test_official_example_imports_as_the_file_says(empty_graph: Driver) -> None:
    seen: list[int] = []
    summary = import_files(empty_graph, "iati", [SAMPLES / EXAMPLE], progress=seen.append)
    assert seen and seen[-1] == 1
    assert (summary.activities, summary.programs, summary.transactions, summary.funding) == (1, 1, 1, 1)
    assert summary.problems == []
    program = one(empty_graph, "MATCH (p:Program) RETURN p")["p"]
    assert program["id"] == "program:iati:AA-AAA-123456789-ABC123"
    assert program["name"] == "Activity title"
    assert program["status"] == "active"
    assert (program["startDate"], program["endDate"]) == ("2012-04-28", "2015-12-31")  # actual start preferred
    assert program["sectorCodes"] == ["2:111", "2:112", "99:A1"]
    roles = empty_graph.execute_query(
        "MATCH (a:Actor)-[r:PARTICIPATES_IN]->(:Program) RETURN a.id AS id, labels(a) AS labels, r.role AS role "
        "ORDER BY role")[0]
    assert [(r["id"], sorted(r["labels"]), r["role"]) for r in roles] == [
        ("agency:iati:CC-CCC-123456789", ["Actor", "Agency", "Entity"], "accountable"),
        ("cso:iati:AA-AAA-123456789", ["Actor", "CivilSocietyOrganization", "Entity"], "extending"),
        ("igo:iati:BB-BBB-123456789", ["Actor", "Entity", "IntergovernmentalOrganization"], "funding")]
    countries = empty_graph.execute_query(
        "MATCH (:Program)-[r:OPERATES_IN]->(g:Government) RETURN g.id AS id, g.countryCode AS cc, "
        "r.percentage AS pct ORDER BY id")[0]
    assert [(r["id"], r["cc"], r["pct"]) for r in countries] == [("gov:AF", "AF", 25.0), ("gov:AG", "AG", 25.0)]
    funding = one(empty_graph,
                  "MATCH (p:Actor)-[:PROVIDES]->(f:Funding)-[:FUNDS]->(:Program), (f)-[:RECEIVED_BY]->(r:Actor) "
                  "RETURN f, p.id AS provider, r.id AS receiver")
    f = funding["f"]
    assert (f["amount"], f["currency"], f["flowType"], f["date"], f["fiscalYear"]) == (
        1000.0, "EUR", "incoming", "2012-01-01", 2012)
    assert "amountUsd" not in f
    assert (funding["provider"], funding["receiver"]) == ("igo:iati:BB-BBB-123456789", "cso:iati:AA-AAA-123456789")
    source = one(empty_graph, "MATCH (s:Source) RETURN s")["s"]
    assert source["id"].startswith("src:file:") and source["name"] == EXAMPLE
    assert source["publisher"] == "Organisation name" and len(source["sha256"]) == 64 and source["importedAt"]
    assert count(empty_graph, "MATCH (n:Entity) WHERE NOT n:Source AND NOT $s IN n.sources RETURN count(n)",
                 s=source["id"]) == 0
    assert count(empty_graph, "MATCH ()-[r]->() WHERE NOT $s IN r.sources RETURN count(r)", s=source["id"]) == 0


@pytest.mark.neo4j
def test_importing_twice_changes_nothing(empty_graph: Driver) -> None:
    files = [SAMPLES / EXAMPLE, FIXTURES / "legacy_105.xml", FIXTURES / "bad_transactions.xml"]
    import_files(empty_graph, "iati", files)
    first = dump(empty_graph)
    import_files(empty_graph, "iati", files)
    assert dump(empty_graph) == first


@pytest.mark.neo4j
def test_legacy_codes_and_resolution_to_usaid(empty_graph: Driver) -> None:
    summary = import_files(empty_graph, "iati", [FIXTURES / "legacy_105.xml"])
    assert summary.funding == 2 and summary.problems == []
    flows = empty_graph.execute_query(
        "MATCH (a:Agency)-[:PROVIDES]->(f:Funding) RETURN a.id AS a, f.flowType AS t, f.amountUsd AS usd, "
        "f.fiscalYear AS fy ORDER BY t")[0]
    assert [(r["a"], r["t"], r["usd"], r["fy"]) for r in flows] == [
        ("agency:usaid", "commitment", 250000.0, 2014), ("agency:usaid", "disbursement", 100000.5, 2014)]
    roles = empty_graph.execute_query(
        "MATCH (a:Actor)-[r:PARTICIPATES_IN]->(:Program) RETURN a.id AS a, r.role AS role ORDER BY role")[0]
    assert [(r["a"], r["role"]) for r in roles] == [
        ("agency:usaid", "funding"), ("cso:iati:name-example-justice-institute", "implementing")]
    assert count(empty_graph, "MATCH (n:Agency) RETURN count(n)") == 1


@pytest.mark.neo4j
def test_focus_area_link_only_to_existing_focus(empty_graph: Driver) -> None:
    write_records_focus(empty_graph)
    import_files(empty_graph, "iati", [FIXTURES / "legacy_105.xml"])
    assert count(empty_graph, "MATCH (:Program)-[:ADDRESSES]->(f:FocusArea {id: 'focus:rule-of-law'}) "
                              "RETURN count(f)") == 1
    focus = one(empty_graph, "MATCH (f:FocusArea) RETURN f")["f"]
    assert focus["name"] == "Rule of law" and len(focus["sources"]) == 2  # touched: source added, name kept


def write_records_focus(driver: Driver) -> None:
    with driver.session() as session:
        write_records(session, [
            NodeRecord(id="src:test", label="Source", name="test", properties={"title": "test"}),
            NodeRecord(id="focus:rule-of-law", label="FocusArea", name="Rule of law", sources=("src:test",)),
        ], [])


@pytest.mark.neo4j
def test_bad_transactions_are_reported_with_lines(empty_graph: Driver) -> None:
    summary = import_files(empty_graph, "iati", [FIXTURES / "bad_transactions.xml"])
    where = sorted((p.line, p.field) for p in summary.problems)
    assert where == [(11, "value"), (16, "transaction-date@iso-date"), (27, "iati-identifier")]
    assert summary.rows_skipped == 3
    # the two identical transactions stay two flows
    assert count(empty_graph, "MATCH (f:Funding) RETURN count(f)") == 2


@pytest.mark.neo4j
def test_strict_writes_nothing_when_a_row_is_bad(empty_graph: Driver) -> None:
    before = dump(empty_graph)
    with pytest.raises(StrictModeError) as caught:
        import_files(empty_graph, "iati", [FIXTURES / "bad_transactions.xml"], strict=True)
    assert "bad_transactions.xml:11" in str(caught.value)
    assert dump(empty_graph) == before
    import_files(empty_graph, "iati", [FIXTURES / "legacy_105.xml"], strict=True)  # a clean file goes through
    assert count(empty_graph, "MATCH (f:Funding) RETURN count(f)") == 2


@pytest.mark.neo4j
@pytest.mark.parametrize("name", [*HOSTILE, "malformed.xml"])
def test_hostile_or_malformed_file_writes_nothing(empty_graph: Driver, name: str) -> None:
    import_files(empty_graph, "iati", [SAMPLES / EXAMPLE])
    before = dump(empty_graph)
    expected = MalformedFileError if name == "malformed.xml" else UnsafeXMLError
    # the good file first, the bad one second: the first must not be half-committed either
    with pytest.raises(expected) as caught:
        import_files(empty_graph, "iati", [FIXTURES / "legacy_105.xml", FIXTURES / name])
    assert name in str(caught.value)
    assert dump(empty_graph) == before


@pytest.mark.neo4j
def test_failure_mid_way_leaves_graph_unchanged(empty_graph: Driver,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    write_records_focus(empty_graph)
    before = dump(empty_graph)
    files = [SAMPLES / EXAMPLE, FIXTURES / "legacy_105.xml"]
    calls = {"n": 0}
    real = neo4j_writer.write_batch

    def failing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:  # the second file's batch: the first file's has committed
            raise RuntimeError("injected failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(sink_module, "BATCH_SIZE", 2)
    monkeypatch.setattr(neo4j_writer, "write_batch", failing)
    with pytest.raises(RuntimeError, match="injected"):
        import_files(empty_graph, "iati", files)
    assert calls["n"] == 2
    assert dump(empty_graph) == before
    monkeypatch.setattr(neo4j_writer, "write_batch", real)
    import_files(empty_graph, "iati", files)
    after_retry = dump(empty_graph)
    with empty_graph.session() as session:
        session.run("MATCH (n:Entity) DETACH DELETE n").consume()
    write_records_focus(empty_graph)
    import_files(empty_graph, "iati", files)
    assert _without_imported_at(dump(empty_graph)) == _without_imported_at(after_retry)


def _without_imported_at(state: tuple) -> tuple:  # type: ignore[type-arg]
    nodes, rels = state
    return tuple((i, labels, tuple(p for p in props if p[0] not in WALL_CLOCK)) for i, labels, props in nodes), rels
