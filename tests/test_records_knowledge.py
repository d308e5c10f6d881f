"""The model's knowledge fields: quotes stay short, cumulative figures are periods, in-kind gifts, stated shares,
people's positions and bill actions; every problem named by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_seed.model import EdgeRecord, NodeRecord
from graph_seed.records import DataValidationError, load_dataset

BASE = """\
nodes:
  - id: src:a
    label: Source
    name: A
    title: A report
    url: https://example.org/a
    publisher: Example
    quote: "The program received twelve million dollars in fiscal year 2019."
  - id: program:cbsi
    label: Program
    name: CBSI
    level: initiative
    sources: [src:a]
  - id: law:hr-1
    label: Legislation
    name: H.R. 1
    number: H.R. 1
    congress: 118
    chamber: house
    sources: [src:a]
  - id: person:a-b
    label: Person
    name: A B
    party: D
    sources: [src:a]
  - id: gov:US
    label: Government
    name: United States
    countryCode: US
    sources: [src:a]
  - id: action:hr-1-introduced
    label: BillAction
    name: H.R. 1 introduced
    date: "2023-03-01"
    actionType: introduced
    chamber: house
    sources: [src:a]
relationships:
  - {type: SPONSORED, from: person:a-b, to: law:hr-1, role: sponsor, sources: [src:a]}
  - {type: ACTION_ON, from: action:hr-1-introduced, to: law:hr-1, sources: [src:a]}
  - {type: HOLDS_POSITION, from: person:a-b, to: gov:US, title: Representative, since: "2019", sources: [src:a]}
  - {type: HOLDS_POSITION, from: person:a-b, to: gov:US, title: Secretary of State, since: "2025", sources: [src:a]}
"""


def load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "data.yaml"
    path.write_text(text)
    return load_dataset([path], base=tmp_path)


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(DataValidationError) as raised:
        load(tmp_path, text)
    return [str(p) for p in raised.value.problems]


def funding(**props: object) -> NodeRecord:
    return NodeRecord(id="funding:x", label="Funding", name="X", sources=("src:a",), properties=props)


def test_people_positions_sponsors_and_actions_load(tmp_path: Path) -> None:
    dataset = load(tmp_path, BASE)
    positions = [e for e in dataset.edges if e.type == "HOLDS_POSITION"]  # type: ignore[attr-defined]
    assert {e.properties["title"] for e in positions} == {"Representative", "Secretary of State"}
    assert len({e.key for e in positions}) == 2  # two titles in one government are two relationships


def test_a_long_quote_is_refused_with_its_line(tmp_path: Path) -> None:
    long = " ".join(["word"] * 25)
    found = problems(tmp_path, BASE.replace('"The program received twelve million dollars in fiscal year 2019."',
                                            f'"{long}"'))
    assert any(p.startswith("data.yaml:2: quote:") and "25 words" in p for p in found), found


def test_unknown_account_and_meeting_role_are_refused(tmp_path: Path) -> None:
    text = BASE + "  - {type: ATTENDED, from: person:a-b, to: meeting:m, role: chair, sources: [src:a]}\n"
    text = text.replace("nodes:\n", "nodes:\n  - {id: meeting:m, label: Meeting, name: M, sources: [src:a]}\n", 1)
    found = problems(tmp_path, text)
    assert any("data.yaml:" in p and "role: Input should be" in p for p in found), found
    with pytest.raises(ValueError, match="account"):
        funding(flowType="appropriation", amount=1, fiscalYear=2019, account="XYZ")


def test_a_cumulative_figure_is_a_period_never_one_year() -> None:
    with pytest.raises(ValueError, match="cumulative figure covers a period"):
        funding(flowType="commitment", amount=832_000_000, cumulative=True, fiscalYear=2022)
    record = funding(flowType="commitment", amount=832_000_000, cumulative=True, fiscalYearStart=2010,
                     asOf="2022")
    assert record.properties["cumulative"] is True and record.properties["asOf"] == "2022"
    with pytest.raises(ValueError, match="either fiscalYear"):
        funding(flowType="appropriation", amount=1, fiscalYear=2019, fiscalYearStart=2019)


def test_in_kind_gifts_may_omit_the_amount_but_money_may_not() -> None:
    gift = funding(flowType="in-kind", items="two interceptor boats", quantity=2, date="2019-05")
    assert gift.properties["items"] == "two interceptor boats" and "amount" not in gift.properties
    with pytest.raises(ValueError, match="amount is required"):
        funding(flowType="appropriation", fiscalYear=2019)
    with pytest.raises(ValueError, match="set flowType in-kind"):
        funding(flowType="appropriation", amount=1, items="boats")


def test_a_stated_share_needs_its_figure() -> None:
    with pytest.raises(ValueError, match="percentage or amount"):
        EdgeRecord.model_validate({"type": "ALLOCATED_TO", "from": "funding:x", "to": "gov:JM",
                                   "sources": ["src:a"], "properties": {"note": "a share"}})
    share = EdgeRecord.model_validate({"type": "ALLOCATED_TO", "from": "funding:x", "to": "gov:JM",
                                       "sources": ["src:a"], "properties": {"percentage": 19}})
    assert share.properties == {"percentage": 19.0}


def test_bill_actions_need_a_date_and_a_known_type() -> None:
    with pytest.raises(ValueError, match="date"):
        NodeRecord(id="action:x", label="BillAction", name="X", sources=("src:a",),
                   properties={"actionType": "introduced"})
    with pytest.raises(ValueError, match="actionType"):
        NodeRecord(id="action:x", label="BillAction", name="X", sources=("src:a",),
                   properties={"date": "2020", "actionType": "signed"})
