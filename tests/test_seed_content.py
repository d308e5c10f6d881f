"""The curated seed dataset says what its sources say: pure Python, no database.

Each check below is a fact from /work/shared/sources (the State Department flyer and cbsi-facts.md).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from graph_seed import vocabulary as vocab
from graph_seed.model import EdgeRecord, NodeRecord
from graph_seed.records import Dataset, load_dataset

PARTNER_CODES = {"AG", "BS", "BB", "DM", "DO", "GD", "GY", "JM", "LC", "KN", "VC", "SR", "TT"}


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset()


@pytest.fixture(scope="module")
def nodes(dataset: Dataset) -> dict[str, NodeRecord]:
    return dataset.node_index()


def edges(dataset: Dataset, rel_type: str, start: str | None = None, end: str | None = None,
          role: str | None = None) -> list[EdgeRecord]:
    return [
        e for e in dataset.edges
        if e.type == rel_type
        and (start is None or e.start == start)
        and (end is None or e.end == end)
        and (role is None or e.properties.get("role") == role)
    ]


def test_dataset_size_is_in_the_curated_range(dataset: Dataset) -> None:
    # the curated record grew from the flyer's 160 nodes to the public record's (see test_seed_knowledge)
    assert 600 <= len(dataset.nodes) <= 5000
    assert 1500 <= len(dataset.edges) <= 20000


def test_every_label_and_relationship_type_is_used(dataset: Dataset) -> None:
    assert {n.label for n in dataset.nodes} == set(vocab.NODE_LABELS)
    assert {e.type for e in dataset.edges} == set(vocab.RELATIONSHIP_TYPES)


def test_every_source_is_cited_and_every_record_cites_one(dataset: Dataset) -> None:
    cited = {s for r in (*dataset.nodes, *dataset.edges) for s in r.sources}
    sources = {n.id for n in dataset.nodes if n.label == "Source"}
    assert sources == cited
    assert all(n.sources for n in dataset.nodes if n.label != "Source")
    assert all(e.sources for e in dataset.edges)


def test_no_non_source_node_is_isolated(dataset: Dataset) -> None:
    degree: Counter[str] = Counter()
    for e in dataset.edges:
        degree[e.start] += 1
        degree[e.end] += 1
    assert [n.id for n in dataset.nodes if n.label != "Source" and not degree[n.id]] == []


def test_thirteen_partners_with_their_iso_codes(dataset: Dataset) -> None:
    partners = [n for n in dataset.nodes if n.label == "Government" and n.properties["cbsiRole"] == "partner"]
    assert len(partners) == 13
    assert {n.properties["countryCode"] for n in partners} == PARTNER_CODES
    assert all(n.id == f"gov:{n.properties['countryCode']}" for n in partners)
    for n in partners:
        assert edges(dataset, "PARTICIPATES_IN", n.id, "program:cbsi", "partner")
        assert "src:state-cbsi-page" in n.sources


def test_united_states_observers_and_donors(nodes: dict[str, NodeRecord]) -> None:
    assert nodes["gov:US"].properties["cbsiRole"] == "united-states"
    for code in ("BZ", "HT"):
        assert nodes[f"gov:{code}"].properties["cbsiRole"] == "observer"
        assert "src:usembassy-bs-cbsi" in nodes[f"gov:{code}"].sources
    assert nodes["gov:GB"].properties["cbsiRole"] == "donor"
    assert nodes["gov:CA"].properties["cbsiRole"] == "donor"
    assert nodes["igo:eu"].properties["scope"] == "international"


def test_cbsi_launch_and_objectives(dataset: Dataset, nodes: dict[str, NodeRecord]) -> None:
    cbsi = nodes["program:cbsi"]
    assert cbsi.properties["level"] == "initiative"
    assert cbsi.properties["startDate"] == "2010-05-27"
    advanced = {e.end for e in edges(dataset, "ADVANCES", "program:cbsi")}
    assert len(advanced) == 6  # the flyer's three key objectives and state.gov's three current pillars
    names = {nodes[i].name.lower() for i in advanced}
    assert "promote social justice" in names
    assert any("citizen security" in name for name in names)


def test_program_areas_are_part_of_cbsi(dataset: Dataset, nodes: dict[str, NodeRecord]) -> None:
    areas = [n for n in dataset.nodes if n.label == "Program" and n.properties["level"] == "program-area"]
    assert len(areas) == 5
    for area in areas:
        assert edges(dataset, "PART_OF", area.id, "program:cbsi")
        assert edges(dataset, "ADDRESSES", area.id)


def test_cbsi_is_managed_by_usaid_inl_pm_in_coordination_with_wha(dataset: Dataset) -> None:
    managers = {e.start for e in edges(dataset, "PARTICIPATES_IN", end="program:cbsi", role="managing")}
    assert managers == {"agency:usaid", "agency:us-state-inl", "agency:us-state-pm"}
    assert edges(dataset, "PARTICIPATES_IN", "agency:us-state-wha", "program:cbsi", "coordinating")


def test_trainers_and_working_group_members(dataset: Dataset) -> None:
    trainers = {e.start for e in edges(dataset, "PARTICIPATES_IN", end="program:cbsi", role="training")}
    assert trainers == {"agency:us-dea", "agency:us-atf", "agency:us-cbp", "agency:us-hsi"}
    members = {e.start for e in edges(dataset, "MEMBER_OF", end="mechanism:cbsi-technical-working-groups")}
    assert members == {"agency:us-dod", "agency:us-doj"}


def test_agency_parents(dataset: Dataset) -> None:
    parent = {e.start: e.end for e in edges(dataset, "PART_OF") if e.start.startswith("agency:")}
    for bureau in ("inl", "pm", "wha"):
        assert parent[f"agency:us-state-{bureau}"] == "agency:us-state"
    assert parent["agency:us-southcom"] == parent["agency:us-army"] == "agency:us-dod"
    assert parent["agency:us-uscg"] == parent["agency:us-cbp"] == parent["agency:us-hsi"] == "agency:us-dhs"
    assert parent["agency:us-dea"] == parent["agency:us-atf"] == "agency:us-doj"
    assert parent["agency:usaid"] == "gov:US"


def test_taft_is_staffed_by_coast_guard_and_army_and_funded_by_pm_and_inl(dataset: Dataset,
                                                                          nodes: dict[str, NodeRecord]) -> None:
    staff = {e.start for e in edges(dataset, "PARTICIPATES_IN", end="program:taft", role="staffing")}
    assert {"agency:us-uscg", "agency:us-army"} <= staff
    assert "agency:us-southcom" in staff
    funders = {e.start for e in edges(dataset, "PARTICIPATES_IN", end="program:taft", role="funding")}
    assert funders == {"agency:us-state-pm", "agency:us-state-inl"}
    assert nodes["program:taft"].properties["startDate"] == "2013"
    assert "15" in (nodes["program:taft"].description or "")


def test_cfyr_implementer_dates_countries_and_sub_partners(dataset: Dataset, nodes: dict[str, NodeRecord]) -> None:
    cfyr = nodes["program:cfyr"]
    assert (cfyr.properties["startDate"], cfyr.properties["endDate"]) == ("2016-07-01", "2020-09-30")
    implementers = {e.start for e in edges(dataset, "PARTICIPATES_IN", end="program:cfyr", role="implementing")}
    assert implementers == {"org:creative-associates"}  # the prime; its partners are sub-awardees
    subs = {e.start for e in edges(dataset, "PARTICIPATES_IN", end="program:cfyr", role="sub-awardee")}
    assert subs == {"cso:padf", "cso:usc", "cso:youthbuild-international"}
    assert nodes["org:creative-associates"].properties["kind"] == "contractor"
    assert nodes["cso:usc"].properties["kind"] == "university"
    countries = {e.end for e in edges(dataset, "OPERATES_IN", "program:cfyr")}
    assert countries == {"gov:LC", "gov:KN", "gov:GY"}
    assert edges(dataset, "PARTICIPATES_IN", "agency:usaid", "program:cfyr", "funding")


def test_every_funding_has_a_flow_type_amount_and_source(dataset: Dataset) -> None:
    fundings = [n for n in dataset.nodes if n.label == "Funding"]
    assert len(fundings) >= 14
    for f in fundings:
        assert f.properties["flowType"] in vocab.FLOW_TYPES
        if f.properties["flowType"] == "in-kind":  # a gift: what was given, its value only where stated
            assert f.properties.get("items") or f.properties.get("amount"), f.id
        else:
            assert f.properties["amount"] > 0, f.id
        assert f.sources
        assert edges(dataset, "PROVIDES", end=f.id), f"nobody provides {f.id}"


def funding_by(dataset: Dataset, **props: object) -> list[NodeRecord]:
    return [n for n in dataset.nodes if n.label == "Funding"
            and all(n.properties.get(k) == v for k, v in props.items())]


def test_funding_figures_as_the_sources_state_them(dataset: Dataset) -> None:
    expected = [
        # (amount, qualifier, flowType, fiscal-year props, source)
        (37e6, "at-least", "appropriation", {"fiscalYear": 2010}, "src:justf-2010-02-04"),
        (203e6, "about", "allocation", {"fiscalYearStart": 2010, "fiscalYearEnd": 2012, "cumulative": True},
         "src:gao-13-367r"),
        (560e6, "more-than", "allocation", {"fiscalYearStart": 2010, "fiscalYearEnd": 2018, "cumulative": True},
         "src:gao-19-201"),
        (400e6, "more-than", "provided", {"fiscalYearStart": 2010, "cumulative": True}, "src:state-cbsi-flyer"),
        # "as of 2022" is the date of the statement, not a fiscal year
        (832e6, "more-than", "commitment", {"asOf": "2022", "cumulative": True, "fiscalYearEnd": None},
         "src:state-cbsi-page"),
        (58e6, "exactly", "appropriation", {"fiscalYear": 2019}, "src:crs-if10789-2019-07-15"),
        (60e6, "at-least", "appropriation", {"fiscalYear": 2020}, "src:crs-if10789-2020-01-30"),
        (40.2e6, "exactly", "request", {"fiscalYear": 2020}, "src:crs-if10789-2020-01-30"),
        (66e6, "exactly", "request", {"fiscalYear": 2022}, "src:crs-if10789-2021-08"),
        (63.5e6, "exactly", "request", {"fiscalYear": 2023}, "src:crs-if10789-2022-05-16"),
        (82e6, "at-least", "appropriation", {"fiscalYear": 2023}, "src:crs-if10789-2022-12-28"),
    ]
    for amount, qualifier, flow, years, source in expected:
        found = funding_by(dataset, amount=amount, amountQualifier=qualifier, flowType=flow, **years)
        assert len(found) == 1, (amount, flow)
        assert source in found[0].sources
        assert edges(dataset, "FUNDS", found[0].id, "program:cbsi")
        assert edges(dataset, "PROVIDES", "gov:US", found[0].id)


def test_program_grants_and_other_donors(dataset: Dataset, nodes: dict[str, NodeRecord]) -> None:
    oasys = nodes["funding:oasys-grant"]
    assert oasys.properties["amount"] == float(Decimal("5300000"))
    assert edges(dataset, "RECEIVED_BY", oasys.id, "igo:oecs-commission")
    assert edges(dataset, "FUNDS", oasys.id, "program:oasys")
    assert edges(dataset, "PROVIDES", "agency:usaid", oasys.id)
    firearms = nodes["funding:impacs-firearms-2012"]
    assert firearms.properties["amount"] == 3430000
    assert firearms.properties["date"] == "2012-12"
    # Canada's 2007 pledge is printed as "$600 million" with no currency: no figure is stored as stated in USD
    assert "funding:canada-caricom-pledge-2007" not in nodes
    assert "600 million" in (nodes["gov:CA"].description or "")
    uk = edges(dataset, "PARTNERS_WITH", "gov:GB", "igo:caricom")
    assert uk and uk[0].properties["since"] == "2004"
    assert edges(dataset, "PARTICIPATES_IN", "igo:eu", "program:eu-cariforum-crime-security", "funding")


def test_figures_of_different_kinds_stay_separate(dataset: Dataset) -> None:
    fy2020 = funding_by(dataset, fiscalYear=2020)
    # the request, the House and Senate proposals and the appropriation are separate records of their own kind
    assert {"appropriation", "request", "proposed"} <= {f.properties["flowType"] for f in fy2020}
    assert all(len(f.sources) >= 1 for f in fy2020)


def test_dialogue_meetings(dataset: Dataset, nodes: dict[str, NodeRecord]) -> None:
    meetings = {nodes[e.start].properties.get("ordinal"): nodes[e.start]
                for e in edges(dataset, "OF", end="mechanism:security-cooperation-dialogue")}
    assert {1, 2, 3, 4, 6, 7, 8, 9, 10, 11} <= set(meetings)
    eleventh = meetings[11]
    assert eleventh.properties["date"] == "2023-11-16"
    assert eleventh.properties["location"].startswith("Castries")
    assert meetings[1].properties["date"] == "2010-05-27"
    assert meetings[3].properties["date"] == "2012-12-05"
    assert meetings[9].properties["format"] == "virtual"
    dialogue_members = {e.start for e in edges(dataset, "MEMBER_OF", end="mechanism:security-cooperation-dialogue")}
    assert "gov:DO" in dialogue_members and "gov:US" in dialogue_members


def test_2024_working_group_attendance(dataset: Dataset, nodes: dict[str, NodeRecord]) -> None:
    meeting = nodes["meeting:cbsi-twg-2024-03"]
    assert meeting.properties["date"].startswith("2024-03")
    attendees = {e.start for e in edges(dataset, "ATTENDED", end=meeting.id)}
    assert {"igo:eu", "igo:unodc", "igo:interpol"} <= attendees


def test_cbsi_commission_members(dataset: Dataset) -> None:
    members = {e.start for e in edges(dataset, "MEMBER_OF", end="mechanism:cbsi-commission")}
    assert {"gov:US", "gov:DO", "igo:caricom-secretariat", "igo:caricom-impacs", "igo:rss"} <= members


def test_impacs_structure(dataset: Dataset) -> None:
    assert edges(dataset, "PART_OF", "igo:jrcc", "igo:caricom-impacs")
    assert edges(dataset, "PART_OF", "igo:rifc", "igo:caricom-impacs")
    assert edges(dataset, "PART_OF", "igo:caricom-impacs", "igo:caricom")
    assert edges(dataset, "PARTICIPATES_IN", "igo:jrcc", "program:apis")
    assert edges(dataset, "OPERATES_IN", "program:crime-gun-intelligence-unit", "gov:TT")


def test_caricom_members_exclude_the_dominican_republic(dataset: Dataset) -> None:
    full = {e.start for e in edges(dataset, "MEMBER_OF", end="igo:caricom")
            if e.properties.get("role") in ("member", "founding member")}
    assert full == {f"gov:{c}" for c in PARTNER_CODES - {"DO"}} | {"gov:BZ", "gov:HT", "gov:MS"}
    assert [e.properties.get("role") for e in edges(dataset, "MEMBER_OF", "gov:DO", "igo:caricom")] == ["observer"]


def test_strategic_engagement_act(dataset: Dataset, nodes: dict[str, NodeRecord]) -> None:
    act = nodes["law:pl-114-291"]
    assert act.properties["enacted"] == "2016-12-16"
    assert act.properties["number"] == "H.R. 4939"
    assert act.properties["publicLaw"] == "114-291"
    assert edges(dataset, "ENACTED_BY", act.id, "gov:US")
    engaged = {e.end for e in edges(dataset, "PARTNERS_WITH", "gov:US")}
    assert {"cso:caribbean-diaspora", "cso:caribbean-civil-society", "org:caribbean-private-sector"} <= engaged


def test_authorization_bills(dataset: Dataset, nodes: dict[str, NodeRecord]) -> None:
    hr7703 = nodes["law:hr-7703-116"]
    assert hr7703.properties["authorizedAmountPerYear"] == 74800000
    years = ("authorizedFiscalYearStart", "authorizedFiscalYearEnd")
    assert tuple(hr7703.properties[k] for k in years) == (2021, 2025)
    hr4133 = nodes["law:hr-4133-117"]
    assert tuple(hr4133.properties[k] for k in years) == (2022, 2026)
    for bill in ("law:s-820-119", "law:hr-4368-119"):
        assert nodes[bill].properties["authorizedAmountPerYear"] == 88000000
    bills = {e.end for e in edges(dataset, "AUTHORIZED_BY", "program:cbsi")}
    assert {"law:hr-7703-116", "law:hr-4133-117", "law:s-841-118", "law:s-820-119", "law:hr-4368-119"} <= bills
    assert {e.properties.get("how") for e in edges(dataset, "AUTHORIZED_BY", "program:cbsi")} == {"authorizes"}
    assert all(not edges(dataset, "ENACTED_BY", b) for b in bills)
