"""Every cookbook query in docs/queries runs against the seeded curated graph and answers what the data says.

Expectations are computed from `graph_seed.records.load_dataset()`, never written down, so the test follows
the data as the curators extend it. Each query's Cypher round trips are recorded (see the README table).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph_seed.records import load_dataset
from tests.test_graphql_helpers import run_query

pytestmark = [pytest.mark.neo4j, pytest.mark.usefixtures("seeded_graph")]
QUERIES = Path(__file__).resolve().parents[1] / "docs" / "queries"
DATA = load_dataset()
NODES = DATA.node_index()


def out(rel: str, start: str) -> set[str]:
    return {e.end for e in DATA.edges if e.type == rel and e.start == start}


def into(rel: str, end: str) -> set[str]:
    return {e.start for e in DATA.edges if e.type == rel and e.end == end}


def ids(connection: dict) -> set[str]:
    return {edge["node"]["graphId"] for edge in connection["edges"]}


def of_label(label: str) -> set[str]:
    return {n.id for n in DATA.nodes if n.label == label}


def fy(props: dict) -> str:
    """The period key, written out here from the rule in docs/graphql.md (not from the code under test)."""
    start, end = props.get("fiscalYearStart"), props.get("fiscalYearEnd")
    if props.get("fiscalYear") is not None:
        start = end = props["fiscalYear"]
    elif start is None and end is None and props.get("date"):
        start = end = int(str(props["date"])[:4])
    span = f"{'' if start is None else f'FY{start}'}-{'' if end is None else f'FY{end}'}"
    if props.get("cumulative"):
        return "cumulative" if span == "-" else f"cumulative {span}"
    if start is None and end is None:
        return "undated"
    return f"FY{start}" if start == end else span


def totals_by(key: Callable[[dict], Any], flow: str | None = None,
              keep: Callable[[str], bool] = lambda period: not period.startswith("cumulative")) -> dict[Any, float]:
    """Sums of amountUsd by `key` over the Fundings whose period key `keep` keeps (default: all but cumulative,
    as fundingAggregate sums when it groups by FISCAL_YEAR)."""
    sums: dict[Any, float] = defaultdict(float)
    for n in DATA.nodes:
        if n.label == "Funding" and (flow is None or n.properties["flowType"] == flow) and keep(fy(n.properties)):
            sums[key(n.properties)] += n.properties.get("amountUsd") or 0.0
    return dict(sums)


def check_01(d: dict) -> None:
    want = {n.id for n in DATA.nodes if n.label == "Government" and n.properties.get("cbsiRole") == "partner"}
    assert ids(d["governments"]) == want and d["governments"]["totalCount"] == len(want)


def check_02(d: dict) -> None:
    fundings = sorted((n for n in DATA.nodes if n.label == "Funding"),
                      key=lambda n: (n.properties.get("fiscalYear") is None, n.properties.get("fiscalYear") or 0, n.id))
    assert d["fundings"]["totalCount"] == len(fundings)
    assert d["fundings"]["pageInfo"]["hasNextPage"] == (len(fundings) > 100)
    assert [e["node"]["graphId"] for e in d["fundings"]["edges"]] == [n.id for n in fundings[:100]]
    for edge in d["fundings"]["edges"]:
        f = edge["node"]
        assert ids(f["provider"]) == into("PROVIDES", f["graphId"])
        assert ids(f["program"]) == out("FUNDS", f["graphId"])
        assert ids(f["recipient"]) == out("RECEIVED_BY", f["graphId"])


def check_03(d: dict) -> None:
    youth = {n.id for n in DATA.nodes if n.label == "FocusArea" and "youth" in n.name.lower()}
    programs = {e.start for e in DATA.edges if e.type == "ADDRESSES" and e.end in youth}
    assert ids(d["programs"]) == programs
    for edge in d["programs"]["edges"]:
        want = {e.start for e in DATA.edges if e.type == "PARTICIPATES_IN" and e.end == edge["node"]["graphId"]
                and e.properties["role"] == "implementing"}
        assert ids(edge["node"]["participants"]) == want


def check_04(d: dict) -> None:
    meetings = d["mechanism"]["meetings"]
    assert ids(meetings) == into("OF", "mechanism:security-cooperation-dialogue")
    for edge in meetings["edges"]:
        actors = {a for a in into("ATTENDED", edge["node"]["graphId"]) if NODES[a].label != "Person"}
        assert ids(edge["node"]["attendees"]) == actors  # officials are in `people`


def check_05(d: dict) -> None:
    agg = d["fundingAggregate"]
    assert agg["groupBy"] == ["FLOW_TYPE", "FISCAL_YEAR"]
    got = {(g["flowType"], g["key"][1]["value"]): g["totalUsd"] for g in agg["groups"]}
    assert got == pytest.approx(totals_by(lambda p: (p["flowType"], fy(p))))
    assert all(g["key"][0]["value"] == g["flowType"] for g in agg["groups"])
    cumulative = {n.id for n in DATA.nodes if n.label == "Funding" and n.properties.get("cumulative")}
    assert {i for x in agg["leftOut"] for i in x["fundingIds"]} == cumulative
    assert {x["reason"] for x in agg["leftOut"]} <= {"cumulative"}


def check_06(d: dict) -> None:
    got = {g["key"][0]["value"]: g["totalUsd"] for g in d["fundingAggregate"]["groups"]}
    assert got == pytest.approx(totals_by(fy, "appropriation"))


def check_07(d: dict) -> None:
    assert ids(d["intergovernmentalOrganizations"]) == of_label("IntergovernmentalOrganization")
    for edge in d["intergovernmentalOrganizations"]["edges"]:
        assert ids(edge["node"]["members"]) == into("MEMBER_OF", edge["node"]["graphId"])


def check_08(d: dict) -> None:
    bodies = out("MEMBER_OF", "gov:JM")
    assert ids(d["government"]["memberships"]) == bodies & of_label("IntergovernmentalOrganization")
    assert ids(d["government"]["mechanisms"]) == bodies & of_label("Mechanism")


def check_09(d: dict) -> None:
    inl = "agency:us-state-inl"
    funded = {p for f in out("PROVIDES", inl) for p in out("FUNDS", f)}
    want = {p for p in into("OPERATES_IN", "gov:JM") if p in funded or p in out("PARTICIPATES_IN", inl)}
    assert ids(d["programs"]) == want


def check_10(d: dict) -> None:
    coop = d["cooperation"]
    both = out("MEMBER_OF", "gov:JM") & out("MEMBER_OF", "gov:BB")
    assert {m["node"]["graphId"] for m in coop["memberships"]} == both
    assert {p["node"]["graphId"] for p in coop["programs"]} == out("PARTICIPATES_IN", "gov:JM") & out(
        "PARTICIPATES_IN", "gov:BB")
    assert {m["node"]["graphId"] for m in coop["meetings"]} == out("ATTENDED", "gov:JM") & out("ATTENDED", "gov:BB")
    assert all(link["sources"] for m in coop["memberships"] for link in m["links"])


def _mentions(node_id: str, word: str) -> bool:
    n = NODES[node_id]
    return word in " ".join([n.name, *n.aliases, n.description or ""]).lower()


def check_11(d: dict) -> None:
    hits = d["search"]
    assert hits and _mentions(hits[0]["node"]["graphId"], "impacs")
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def check_12(d: dict) -> None:
    assert d["search"][0]["node"]["graphId"] == "gov:BB"


def check_13(d: dict) -> None:
    children = d["program"]["children"]
    assert ids(children) == into("PART_OF", "program:cbsi") & of_label("Program")
    for edge in children["edges"]:
        assert ids(edge["node"]["children"]) == into("PART_OF", edge["node"]["graphId"]) & of_label("Program")


def check_14(d: dict) -> None:
    agencies = d["government"]["agencies"]
    assert ids(agencies) == into("PART_OF", "gov:US") & of_label("Agency")
    for edge in agencies["edges"]:
        assert ids(edge["node"]["subAgencies"]) == into("PART_OF", edge["node"]["graphId"]) & of_label("Agency")


def check_15(d: dict) -> None:
    per_flow: dict[str, float] = defaultdict(float)
    for group in d["fundingAggregate"]["groups"]:
        per_flow[group["flowType"]] += group["totalUsd"]
    single_years = totals_by(lambda p: p["flowType"], keep=lambda period: period.startswith("FY") and "-" not in period)
    assert dict(per_flow) == pytest.approx(single_years)  # shares add up to the single-year total, never more
    for group in d["fundingAggregate"]["groups"]:
        assert group["totalUsd"] == pytest.approx(group["statedUsd"] + group["estimatedUsd"])


def check_16(d: dict) -> None:
    assert ids(d["legislation"]) == of_label("Legislation")
    for edge in d["legislation"]["edges"]:
        law = edge["node"]["graphId"]
        assert ids(edge["node"]["enactedBy"]) == out("ENACTED_BY", law)
        assert ids(edge["node"]["authorizes"]) | ids(edge["node"]["authorizesFunding"]) == into("AUTHORIZED_BY", law)


def check_17(d: dict) -> None:
    assert ids(d["actors"]) == {e.start for e in DATA.edges if e.type == "PARTNERS_WITH"}
    for edge in d["actors"]["edges"]:
        assert ids(edge["node"]["partners"]) == out("PARTNERS_WITH", edge["node"]["graphId"])


def check_18(d: dict) -> None:
    for field, label in (("civilSocietyOrganizations", "CivilSocietyOrganization"),
                         ("privateSectorActors", "PrivateSectorActor")):
        assert ids(d[field]) == of_label(label)
        for edge in d[field]["edges"]:
            assert ids(edge["node"]["programs"]) == out("PARTICIPATES_IN", edge["node"]["graphId"])


def nodes_where(label: str, **props: Any) -> set[str]:
    return {n.id for n in DATA.nodes if n.label == label and all(n.properties.get(k) == v for k, v in props.items())}


def edges_of(rel: str, start: str | None = None, end: str | None = None) -> list:
    return [e for e in DATA.edges if e.type == rel and (start is None or e.start == start)
            and (end is None or e.end == end)]


def check_19(d: dict) -> None:
    want = {f for f in into("FUNDS", "program:cbsi")
            if NODES[f].properties["flowType"] in ("request", "proposed", "appropriation")
            and not NODES[f].properties.get("cumulative")}
    assert ids(d["fundings"]) == want and d["fundings"]["totalCount"] == len(want)
    years = [e["node"]["fiscalYear"] for e in d["fundings"]["edges"]]
    assert years == sorted(years, key=lambda y: (y is None, y or 0))
    for edge in d["fundings"]["edges"]:
        node = edge["node"]
        assert ids(node["proposedBy"]) == out("PROPOSED_BY", node["graphId"])
        assert {s["graphId"] for s in node["sources"]} == set(NODES[node["graphId"]].sources)
        assert node["account"] == NODES[node["graphId"]].properties.get("account")


def check_20(d: dict) -> None:
    assert ids(d["fundings"]) == nodes_where("Funding", cumulative=True)
    for edge in d["fundings"]["edges"]:
        node, stated = edge["node"], NODES[edge["node"]["graphId"]].properties
        for field in ("fiscalYearStart", "fiscalYearEnd", "asOf", "amountQualifier"):
            assert node[field] == stated.get(field), (node["graphId"], field)  # a period only where stated


def check_21(d: dict) -> None:
    meetings = d["mechanism"]["meetings"]["edges"]
    assert {e["node"]["graphId"] for e in meetings} == into("OF", "mechanism:security-cooperation-dialogue")
    dates = [e["node"]["date"] for e in meetings]
    assert dates == sorted(dates, key=lambda v: (v is None, v or ""))
    for edge in meetings:
        node = edge["node"]
        assert ids(node["host"]) == out("HOSTED_BY", node["graphId"])
        assert ids(node["people"]) == into("ATTENDED", node["graphId"]) & of_label("Person")
        for person in node["people"]["edges"]:
            records = edges_of("ATTENDED", person["node"]["graphId"], node["graphId"])
            stated = {e.properties.get("role") for e in records}
            assert person["role"] in stated
        assert ids(node["outcomes"]) == out("PRODUCED", node["graphId"])


def check_22(d: dict) -> None:
    dialogue = into("OF", "mechanism:security-cooperation-dialogue")
    want = {e.start for e in DATA.edges if e.type == "ATTENDED" and e.end in dialogue} & of_label("Person")
    assert ids(d["people"]) == want
    for edge in d["people"]["edges"]:
        person = edge["node"]["graphId"]
        held = out("HOLDS_POSITION", person)
        assert ids(edge["node"]["positions"]) == {h for h in held if NODES[h].label != "Mechanism"}
        assert ids(edge["node"]["mechanismPositions"]) == {h for h in held if NODES[h].label == "Mechanism"}


def check_23(d: dict) -> None:
    body = d["intergovernmentalOrganization"]
    assert ids(body["members"]) == into("MEMBER_OF", "igo:rss") and ids(body["members"])
    assert ids(body["seat"]) == out("HEADQUARTERED_IN", "igo:rss")
    for edge in body["members"]["edges"]:
        record = edges_of("MEMBER_OF", edge["node"]["graphId"], "igo:rss")[0]
        assert edge["since"] == record.properties.get("since")
        assert {s["graphId"] for s in edge["sources"]} == set(record.sources)


def check_24(d: dict) -> None:
    want = {n.id for n in DATA.nodes if n.label == "Legislation" and (n.properties.get("congress") or 0) >= 114}
    assert ids(d["legislation"]) == want
    for edge in d["legislation"]["edges"]:
        bill = edge["node"]["graphId"]
        sponsors = {e.start for e in edges_of("SPONSORED", end=bill) if e.properties["role"] == "sponsor"}
        assert ids(edge["node"]["sponsors"]) == sponsors
        assert ids(edge["node"]["actions"]) == into("ACTION_ON", bill)
        dates = [a["node"]["date"] for a in edge["node"]["actions"]["edges"]]
        assert dates == sorted(dates)


def check_25(d: dict) -> None:
    laws = d["program"]["authorizedBy"]["edges"]
    assert {e["node"]["graphId"] for e in laws} == out("AUTHORIZED_BY", "program:cbsi")
    for edge in laws:
        record = edges_of("AUTHORIZED_BY", "program:cbsi", edge["node"]["graphId"])[0]
        assert edge["how"] == record.properties.get("how")


def check_26(d: dict) -> None:
    assert ids(d["fundings"]) == {e.start for e in DATA.edges if e.type == "ALLOCATED_TO"}
    for edge in d["fundings"]["edges"]:
        for share in edge["node"]["allocatedTo"]["edges"]:
            record = edges_of("ALLOCATED_TO", edge["node"]["graphId"], share["node"]["graphId"])[0]
            assert share["percentage"] == record.properties.get("percentage")
            assert share["amount"] == record.properties.get("amount")


def check_27(d: dict) -> None:
    assert ids(d["fundings"]) == nodes_where("Funding", flowType="in-kind")
    for edge in d["fundings"]["edges"]:
        node = edge["node"]
        assert ids(node["provider"]) == into("PROVIDES", node["graphId"])
        assert ids(node["recipient"]) == out("RECEIVED_BY", node["graphId"])


def check_28(d: dict) -> None:
    from analysis import cooperation_paths, from_records

    want = cooperation_paths(from_records(DATA), "gov:SR", "cso:padf", max_paths=5)
    got = [tuple(p["nodeIds"]) for p in d["paths"]]
    assert got == [p.nodes for p in want.paths if p.length <= 4]
    for path in d["paths"]:
        assert path["length"] == len(path["hops"]) and path["nodeIds"][0] == "gov:SR"
        for hop in path["hops"]:
            assert hop["relationships"] and all(r["sources"] for r in hop["relationships"])


def check_29(d: dict) -> None:
    from analysis import from_records
    from analysis.knowledge_coverage import TRACKED_FISCAL_YEARS, coverage_report

    report = coverage_report(from_records(DATA))
    cells = d["coverage"]["fiscalYears"]
    assert {c["fiscalYear"] for c in cells} == set(TRACKED_FISCAL_YEARS)
    assert [(c["fiscalYear"], c["flowType"], c["account"], c["figures"]) for c in cells] == [
        (c.fiscal_year, c.flow_type, c.account, c.figures) for c in report.fiscal_years]
    assert {g["kind"] for g in d["coverage"]["gaps"]} <= {"meeting", "bill", "body"}
    assert [(s["kind"], s["total"], s["complete"]) for s in d["coverage"]["summary"]] == [
        (s.kind, s.total, s.complete) for s in report.summary]


def check_30(d: dict) -> None:
    source = "src:gao-19-201"
    assert {n["graphId"] for n in d["source"]["citedBy"]} == {n.id for n in DATA.nodes if source in n.sources}
    assert sorted((r["type"], r["startId"], r["endId"]) for r in d["source"]["citedIn"]) == sorted(
        (e.type, e.start, e.end) for e in DATA.edges if source in e.sources)


def check_31(d: dict) -> None:
    us = {"gov:US"} | {n.id for n in DATA.nodes if n.properties.get("countryCode") == "US"}
    assert ids(d["people"]) == {e.start for e in DATA.edges if e.type == "HOLDS_POSITION" and e.end in us}


def check_32(d: dict) -> None:
    rels = d["intergovernmentalOrganization"]["relationships"]
    want = sorted({(e.type, "out" if e.start == "igo:caricom-impacs" else "in", e.end if e.start == "igo:caricom-impacs"
                    else e.start) for e in DATA.edges if "igo:caricom-impacs" in (e.start, e.end)})
    assert sorted((r["type"], r["direction"], r["other"]["graphId"]) for r in rels) == want


def _program_ancestors(program: str) -> set[str]:
    found, frontier = set(), {program}
    for _level in range(6):
        frontier = {p for f in frontier for p in out("PART_OF", f) & of_label("Program")} - found
        found |= frontier
    return found


def check_33(d: dict) -> None:
    in_jamaica = into("OPERATES_IN", "gov:JM")
    want = {p for p in of_label("Program") if ({p} | _program_ancestors(p)) & in_jamaica}
    assert ids(d["programs"]) == want and want - in_jamaica  # sub-programs without their own OPERATES_IN
    for edge in d["programs"]["edges"]:
        assert ids(edge["node"]["ancestors"]) == _program_ancestors(edge["node"]["graphId"])


def check_34(d: dict) -> None:
    agg = d["fundingAggregate"]
    assert agg["groupBy"] == ["FLOW_TYPE", "RECIPIENT"]
    yearly = {n.id: n.properties["flowType"] for n in DATA.nodes
              if n.label == "Funding" and fy(n.properties).startswith("FY") and "-" not in fy(n.properties)}
    loops = {f for f in yearly if into("PROVIDES", f) & out("RECEIVED_BY", f)}
    left = {f for x in agg["leftOut"] if x["reason"] == "self-funding" for f in x["fundingIds"]}
    assert left == loops
    got = {(g["flowType"], g["key"][1]["value"]) for g in agg["groups"] if g["key"][1]["value"]}
    assert got == {(flow, r) for f, flow in yearly.items() for r in out("RECEIVED_BY", f) - into("PROVIDES", f)}


CHECKS: dict[str, Callable[[dict], None]] = {name[6:8]: check for name, check in globals().items()
                                             if name.startswith("check_")}
ROUND_TRIPS: dict[str, int] = {}


def test_every_cookbook_file_has_a_check_and_a_question() -> None:
    files = sorted(QUERIES.glob("*.graphql"))
    assert len(files) >= 15
    readme = (QUERIES / "README.md").read_text(encoding="utf-8")
    for path in files:
        assert path.name[:2] in CHECKS, path.name
        assert path.read_text(encoding="utf-8").startswith("# "), path.name
        assert path.name in readme, f"{path.name} is not indexed in docs/queries/README.md"


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.graphql")), ids=lambda p: p.stem)
def test_cookbook_query(neo4j_auth: tuple[str, str, str], path: Path) -> None:
    result, context = run_query(neo4j_auth, path.read_text(encoding="utf-8"))
    assert result.errors is None, result.errors
    CHECKS[path.name[:2]](result.data)
    ROUND_TRIPS[path.stem] = context.runner.queries_sent
    print(f"{path.stem}: {context.runner.queries_sent} Cypher round trips")
