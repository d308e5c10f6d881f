"""The YAML loader and record model: every problem named by file, line and field; nothing half-loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_seed.model import EdgeRecord, NodeRecord
from graph_seed.records import DataValidationError, load_dataset

GOOD = """\
nodes:
  - id: src:flyer
    label: Source
    name: CBSI flyer
    title: Caribbean Basin Security Initiative
    url: https://www.state.gov/p/wha/rt/cbsi
  - id: gov:JM
    label: Government
    name: Jamaica
    countryCode: JM
    cbsiRole: partner
    sources: [src:flyer]
  - id: igo:caricom
    label: IntergovernmentalOrganization
    name: CARICOM
    sources: [src:flyer]
relationships:
  - type: MEMBER_OF
    from: gov:JM
    to: igo:caricom
    sources: [src:flyer]
"""


def write(tmp_path: Path, text: str, name: str = "data.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems_of(paths: list[Path]) -> list[str]:
    with pytest.raises(DataValidationError) as raised:
        load_dataset(paths, base=paths[0].parent)
    return [str(problem) for problem in raised.value.problems]


def test_a_valid_file_loads(tmp_path: Path) -> None:
    dataset = load_dataset([write(tmp_path, GOOD)])
    assert [n.id for n in dataset.nodes] == ["src:flyer", "gov:JM", "igo:caricom"]
    assert dataset.edges[0].key == ("gov:JM", "MEMBER_OF", "igo:caricom", "")
    assert dataset.nodes[1].properties == {"countryCode": "JM", "cbsiRole": "partner"}


def test_field_errors_name_file_line_and_field(tmp_path: Path) -> None:
    text = GOOD.replace("countryCode: JM", "countryCode: Jamaica").replace("cbsiRole: partner", "cbsiRole: ally")
    problems = problems_of([write(tmp_path, text)])
    assert "data.yaml:7: countryCode: String should match pattern '^[A-Z]{2}$'" in problems
    assert any(p.startswith("data.yaml:7: cbsiRole: Input should be") for p in problems)


def test_unknown_property_is_an_error(tmp_path: Path) -> None:
    problems = problems_of([write(tmp_path, GOOD.replace("cbsiRole: partner", "cbsiRloe: partner"))])
    assert "data.yaml:7: cbsiRloe: Extra inputs are not permitted" in problems


def test_dangling_relationship_and_unknown_source(tmp_path: Path) -> None:
    text = GOOD.replace("to: igo:caricom", "to: igo:caricomm")
    text = text.replace("sources: [src:flyer]\n  - id: igo", "sources: [src:flier]\n  - id: igo")
    problems = problems_of([write(tmp_path, text)])
    assert "data.yaml:7: sources: unknown source 'src:flier'" in problems  # the line where gov:JM starts
    assert "data.yaml:18: to: no node with id 'igo:caricomm'" in problems


def test_wrong_endpoint_label(tmp_path: Path) -> None:
    text = GOOD + "  - type: OPERATES_IN\n    from: gov:JM\n    to: igo:caricom\n    sources: [src:flyer]\n"
    problems = problems_of([write(tmp_path, text)])
    assert any(p.startswith("data.yaml:22: from: OPERATES_IN cannot start at a Government") for p in problems)


def test_duplicates_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, GOOD, "a.yaml")
    second = write(tmp_path, "nodes:\n  - id: gov:JM\n    label: Government\n    name: Jamaica again\n"
                              "    countryCode: JM\n    sources: [src:flyer]\n", "b.yaml")
    problems = problems_of([first, second])
    assert "b.yaml:2: id: duplicate id 'gov:JM' (first at a.yaml:7)" in problems


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    problems = problems_of([write(tmp_path, "nodes:\n  - id: gov:JM\n    name: [unclosed\n")])
    assert problems[0].startswith("data.yaml:4: not valid YAML") or problems[0].startswith("data.yaml:3: not valid")


def test_id_prefix_must_match_label() -> None:
    with pytest.raises(ValueError, match="must start with 'gov:'"):
        NodeRecord(id="agency:x", label="Government", name="X", sources=("src:a",),
                   properties={"countryCode": "JM"})


def test_funding_amount_must_not_be_negative_and_years_ordered() -> None:
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        NodeRecord(id="funding:x", label="Funding", name="X", sources=("src:a",),
                   properties={"amount": -1, "flowType": "appropriation"})
    for flow_type in ("request", "allocation", "pledge", "provided", "authorization", "other"):
        message = f"amount -5 must be greater than or equal to 0 for flowType '{flow_type}'"
        with pytest.raises(ValueError, match=message):
            NodeRecord(id="funding:x", label="Funding", name="X", sources=("src:a",),
                       properties={"amount": -5, "flowType": flow_type})
    with pytest.raises(ValueError, match="amountUsd -2 must be greater than or equal to 0"):
        NodeRecord(id="funding:x", label="Funding", name="X", sources=("src:a",),
                   properties={"amount": 1, "currency": "EUR", "amountUsd": -2, "flowType": "appropriation"})
    # adjustments (de-obligations, reversed disbursements, refunds) are negative figures that sum net
    for flow_type in ("obligation", "disbursement", "expenditure", "commitment", "incoming"):
        record = NodeRecord(id="funding:x", label="Funding", name="X", sources=("src:a",),
                            properties={"amount": "-1250.5", "flowType": flow_type})
        assert (record.properties["amount"], record.properties["amountUsd"]) == (-1250.5, -1250.5)
    with pytest.raises(ValueError, match="fiscalYearEnd 2010 is before fiscalYearStart 2012"):
        NodeRecord(id="funding:x", label="Funding", name="X", sources=("src:a",),
                   properties={"amount": 1, "flowType": "allocation", "fiscalYearStart": 2012, "fiscalYearEnd": 2010})


def test_participation_role_is_part_of_the_key() -> None:
    funding = EdgeRecord.model_validate({"type": "PARTICIPATES_IN", "from": "agency:a", "to": "program:p",
                                         "sources": ["src:a"], "properties": {"role": "funding"}})
    implementing = funding.model_copy(update={"properties": {"role": "implementing"}})
    assert funding.key != implementing.key


def test_the_curated_dataset_is_valid() -> None:
    dataset = load_dataset()
    assert len({n.id for n in dataset.nodes}) == len(dataset.nodes)
