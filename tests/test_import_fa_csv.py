"""ForeignAssistance.gov CSV importer: the real El Salvador sample, both layouts, quirks, bad rows, strict,
entity resolution against the seed, atomicity and idempotence."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from neo4j import Driver

from graph_seed import neo4j_writer
from graph_seed.importers import MissingColumnError, StrictModeError, import_files
from graph_seed.importers import sink as sink_module
from graph_seed.importers.common import fa_date
from graph_seed.importers.fa_csv import is_placeholder_partner, parse_fiscal_year
from graph_seed.importers.resolve import normalise_name
from tests.import_helpers import SAMPLES, count, dump, one

FIXTURES = Path(__file__).parent / "fixtures" / "fa"
SAMPLE = "fa_gov_El_Salvador_sample_100rows.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# -- pure helpers -----------------------------------------------------------------------------------------

def test_fiscal_years_and_dates() -> None:
    assert parse_fiscal_year("2022") == (2022, False)
    assert parse_fiscal_year("1976tq") == (1976, True)
    assert parse_fiscal_year(" 1976TQ ") == (1976, True)
    with pytest.raises(ValueError):
        parse_fiscal_year("FY22")
    assert fa_date("01OCT2021") == "2021-10-01"
    assert fa_date("2027-03-31") == "2027-03-31"
    with pytest.raises(ValueError):
        fa_date("31FEB2021")


def test_name_normalisation() -> None:
    usaid = normalise_name("U.S. Agency for International Development")
    assert normalise_name("United States Agency for International Development") == usaid
    assert normalise_name("THE U. S. Agency for International Development.") == usaid
    assert normalise_name("Fundación Crisálida Internacional") == normalise_name("Fundacion Crisalida Internacional")


def test_placeholder_partners() -> None:
    assert is_placeholder_partner("Multilateral - United Nations Organization Redacted")
    assert is_placeholder_partner("Enterprise - Non United States Other")
    assert is_placeholder_partner("Unspecified Vendors - El Salvador")
    assert not is_placeholder_partner("Pact World")


def test_missing_column_is_named() -> None:
    with pytest.raises(MissingColumnError) as caught:
        import_files(None, "fa-csv", [FIXTURES / "missing_column.csv"], dry_run=True)
    assert "Current Dollar Amount" in str(caught.value) and "missing_column.csv:1" in str(caught.value)


def test_bad_rows_are_reported_with_lines() -> None:
    summary = import_files(None, "fa-csv", [FIXTURES / "bad_rows.csv"], dry_run=True)
    where = sorted((p.line, p.field, p.reason.split(":")[0]) for p in summary.problems)
    assert where == [
        (4, "Current Dollar Amount", "row skipped"),  # line 2-3 is one row with a two-line description
        (5, "Fiscal Year", "row skipped"),
        (10, "Activity End Date", "day is out of range for month; date dropped"),
    ]
    assert summary.rows_read == 7 and summary.rows_skipped == 2 and summary.funding == 5


# -- against Neo4j ----------------------------------------------------------------------------------------

@pytest.mark.neo4j
def test_real_sample_imports_as_the_file_says(empty_graph: Driver) -> None:
    rows = _rows(SAMPLES / SAMPLE)
    seen: list[int] = []
    summary = import_files(empty_graph, "fa-csv", [SAMPLES / SAMPLE], progress=seen.append)
    assert seen[-1] == 100 and summary.problems == [] and summary.rows_skipped == 0
    activities = {r["Activity ID"] for r in rows}
    assert count(empty_graph, "MATCH (p:Program) RETURN count(p)") == len(activities) == summary.programs
    assert count(empty_graph, "MATCH (f:Funding) RETURN count(f)") == len(rows) == summary.funding
    total = sum(Decimal(r["Current Dollar Amount"]) for r in rows)
    stored = one(empty_graph, "MATCH (f:Funding) RETURN sum(f.amountUsd) AS usd, collect(DISTINCT f.flowType) AS t, "
                              "collect(DISTINCT f.fiscalYear) AS fy")
    assert Decimal(str(stored["usd"])) == total and stored["t"] == ["obligation"] and stored["fy"] == [2022]
    # every row's money is kept, also where the partner is redacted (no RECEIVED_BY then)
    redacted = sum(1 for r in rows if "redacted" in r["Implementing Partner Name"].lower())
    assert count(empty_graph, "MATCH (f:Funding) WHERE NOT (f)-[:RECEIVED_BY]->() RETURN count(f)") >= redacted > 0
    assert count(empty_graph, "MATCH (a:Actor) WHERE toLower(a.name) CONTAINS 'redacted' RETURN count(a)") == 0
    # El Salvador: ISO3 SLV -> gov:SV, created once, every program operates there
    gov = one(empty_graph, "MATCH (g:Government) RETURN g")["g"]
    assert (gov["id"], gov["countryCode"], gov["name"]) == ("gov:SV", "SV", "El Salvador")
    assert count(empty_graph, "MATCH (:Program)-[:OPERATES_IN]->(:Government {id: 'gov:SV'}) RETURN count(*)") == 60
    # one USAID: managing agency 1, funding agency 1 and partner 1000001 are the same node
    assert count(empty_graph, "MATCH (a:Actor) WHERE a.name CONTAINS 'International Development' "
                              "RETURN count(a)") == 1
    usaid_rows = sum(1 for r in rows if r["Managing Agency Acronym"] == "USAID")
    assert count(empty_graph, "MATCH (:Agency {id: 'agency:usaid'})-[:PROVIDES]->(f) RETURN count(f)") == usaid_rows
    assert count(empty_graph, "MATCH (b:Agency {id: 'agency:fa:subagency-26'})-[:PART_OF]->(:Agency {id: "
                              "'agency:usaid'}) RETURN count(b)") == 1
    pact = one(empty_graph, "MATCH (p:CivilSocietyOrganization {faId: 'partner:4000627'}) RETURN p")["p"]
    assert pact["name"] == "Pact World" and pact["kind"] == "NGO - International"  # swapped columns fixed
    program = one(empty_graph, "MATCH (p:Program {faActivityId: '172472'}) RETURN p")["p"]
    assert program["name"] == "Social Accountability and Effective Governance"
    codes = list(dict.fromkeys(r["International Purpose Code"] for r in rows if r["Activity ID"] == "172472"))
    assert program["endDate"] == "2027-03-31" and program["sectorCodes"] == codes == ["15150", "15130"]
    # a redacted activity name is not used as a program name
    assert count(empty_graph, "MATCH (p:Program) WHERE p.name CONTAINS 'redacted' RETURN count(p)") == 0
    source = one(empty_graph, "MATCH (s:Source) RETURN s")["s"]
    assert source["publisher"] == "ForeignAssistance.gov" and source["name"] == SAMPLE


@pytest.mark.neo4j
def test_importing_twice_changes_nothing(empty_graph: Driver) -> None:
    files = [SAMPLES / SAMPLE, FIXTURES / "bad_rows.csv", FIXTURES / "new_layout.csv"]
    import_files(empty_graph, "fa-csv", files)
    first = dump(empty_graph)
    import_files(empty_graph, "fa-csv", files)
    assert dump(empty_graph) == first


@pytest.mark.neo4j
def test_quirks_transition_quarter_duplicates_new_layout(empty_graph: Driver) -> None:
    import_files(empty_graph, "fa-csv", [FIXTURES / "bad_rows.csv", FIXTURES / "new_layout.csv"])
    # two identical rows are two flows
    assert count(empty_graph, "MATCH (f:Funding)-[:FUNDS]->(:Program {faActivityId: '900001'}) "
                              "RETURN count(f)") == 2
    tq = one(empty_graph, "MATCH (f:Funding)-[:FUNDS]->(:Program {faActivityId: '900004'}) RETURN f")["f"]
    assert tq["fiscalYear"] == 1976 and "transition quarter" in tq["description"]
    disbursement = one(empty_graph, "MATCH (f:Funding)-[:FUNDS]->(:Program {faActivityId: '910001'}) RETURN f")["f"]
    assert (disbursement["flowType"], disbursement["date"], disbursement["amount"]) == (
        "disbursement", "2021-10-01", 300.0)
    assert "72x1021" in disbursement["description"]  # "Funding Account ID" matched by name in the new layout
    program = one(empty_graph, "MATCH (p:Program {faActivityId: '910002'}) RETURN p")["p"]
    assert program["sectorCodes"] == ["15130", "16063"]  # codes of all its rows
    kinds = empty_graph.execute_query("MATCH (p:CivilSocietyOrganization {faId: 'partner:4000627'}) "
                                      "RETURN p.kind AS kind")[0]
    assert [r["kind"] for r in kinds] == ["NGO - International"]


@pytest.mark.neo4j
def test_strict_writes_nothing_when_a_row_is_bad(empty_graph: Driver) -> None:
    import_files(empty_graph, "fa-csv", [SAMPLES / SAMPLE])
    before = dump(empty_graph)
    with pytest.raises(StrictModeError) as caught:
        import_files(empty_graph, "fa-csv", [FIXTURES / "new_layout.csv", FIXTURES / "bad_rows.csv"], strict=True)
    assert "bad_rows.csv:4" in str(caught.value) and "Current Dollar Amount" in str(caught.value)
    assert dump(empty_graph) == before


@pytest.mark.neo4j
def test_seeded_usaid_is_reused_not_duplicated(seeded_graph: Driver) -> None:
    usaid_before = one(seeded_graph, "MATCH (a:Agency {id: 'agency:usaid'}) RETURN a")["a"]
    agency_ids = "MATCH (a:Agency) RETURN collect(a.id) AS ids"
    agencies_before = set(one(seeded_graph, agency_ids)["ids"])
    provides = "MATCH (:Agency {id: 'agency:usaid'})-[:PROVIDES]->(f:Funding) RETURN count(f)"
    provided_before = count(seeded_graph, provides)
    import_files(seeded_graph, "fa-csv", [SAMPLES / SAMPLE, FIXTURES / "new_layout.csv"])
    usaid = one(seeded_graph, "MATCH (a:Agency {id: 'agency:usaid'}) RETURN a")["a"]
    assert usaid["name"] == usaid_before["name"]  # curated properties untouched, only the source added
    assert set(usaid["sources"]) - set(usaid_before["sources"]) and len(usaid["sources"]) == (
        len(usaid_before["sources"]) + 2)
    names = [normalise_name(n) for n in ("USAID", "U.S. Agency for International Development")]
    dupes = seeded_graph.execute_query(
        "MATCH (a:Actor) WHERE a.id <> 'agency:usaid' AND (toLower(a.name) CONTAINS 'agency for international "
        "development' OR a.acronym = 'USAID' OR a.faId IN ['agency:1', 'partner:1000001']) RETURN a.id AS id")[0]
    assert dupes == [] and names[0] != names[1]
    assert count(seeded_graph, provides) == provided_before + 98 + 3  # 98 USAID rows in the sample, 3 in the fixture
    # the State Department (funding agency 2, partner 1000004) is the seed's node as well
    assert count(seeded_graph, "MATCH (a:Agency) WHERE a.name CONTAINS 'Department of State' RETURN count(a)") == 1
    created = set(one(seeded_graph, agency_ids)["ids"]) - agencies_before
    bureaus = {f"agency:fa:subagency-{n}" for n in (26, 152, 153, 104, 21, 82)}
    # the six USAID bureaus, plus the alias table's ids for agencies the seed lacks (IAF, USDA)
    assert created - bureaus <= {"agency:iaf", "agency:usda"} and bureaus <= created
    assert count(seeded_graph, "MATCH (g:Government {id: 'gov:SV'}) RETURN count(g)") == 1


@pytest.mark.neo4j
def test_failure_mid_way_leaves_graph_unchanged(seeded_graph: Driver,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    before = dump(seeded_graph)
    calls = {"n": 0}
    real = neo4j_writer.write_batch

    def failing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("injected failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(sink_module, "BATCH_SIZE", 50)
    monkeypatch.setattr(neo4j_writer, "write_batch", failing)
    with pytest.raises(RuntimeError, match="injected"):
        import_files(seeded_graph, "fa-csv", [SAMPLES / SAMPLE])
    assert dump(seeded_graph) == before
    monkeypatch.setattr(neo4j_writer, "write_batch", real)
    import_files(seeded_graph, "fa-csv", [SAMPLES / SAMPLE])
    assert count(seeded_graph, "MATCH (f:Funding)-[:FUNDS]->(:Program {faActivityId: '172472'}) RETURN count(f)") == 3
