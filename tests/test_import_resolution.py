"""Entity resolution of governments, recipients' ministries and placeholder partners in both importers.

Before: "Government of El Salvador" became an Agency with no country beside `gov:SV`, and "U.S. Government -
Other" an Agency named "Other" (one node lumping unrelated recipients)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from neo4j import Driver

from graph_seed.importers import import_files
from graph_seed.importers.names import government_country, ministry_country, placeholder_reason
from graph_seed.importers.resolve import ActorCandidate, Resolver
from tests.import_helpers import SAMPLES, count, one

SAMPLE = SAMPLES / "fa_gov_El_Salvador_sample_100rows.csv"


# -- pure rules -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["Government of El Salvador", "El Salvador Government", "Government of the "
                                  "Republic of El Salvador", "El Salvador, Government of", "GOBIERNO DE EL SALVADOR",
                                  "  government of el salvador. ", "El Salvador"])
def test_government_forms_name_the_country(name: str) -> None:
    assert government_country(name) == "SV"


def test_government_forms_fold_case_accents_and_saints() -> None:
    assert government_country("Government of the Republic of Trinidad & Tobago") == "TT"
    assert government_country("Government of St. Kitts and Nevis") == "KN"
    assert government_country("Gouvernement d'Haïti") is None  # French forms are not guessed
    assert government_country("Government of The Bahamas") == "BS"
    assert government_country("Bank of Jamaica") is None
    assert government_country("Tetra Tech, Inc.") is None


@pytest.mark.parametrize(("name", "iso2"), [
    ("Ministry of National Security of Jamaica", "JM"), ("Jamaica Ministry of Justice", "JM"),
    ("Ministry of Justice (Jamaica)", "JM"), ("Government of Jamaica - Ministry of Health", "JM"),
    ("Trinidad and Tobago Police Service", "TT"), ("Policía Nacional Civil de El Salvador", None),
    ("U.S. Department of Justice", None), ("University of the West Indies", None), ("Bank of Jamaica", None),
])
def test_ministries_of_a_recipient(name: str, iso2: str | None) -> None:
    assert ministry_country(name) == iso2


@pytest.mark.parametrize(("name", "reason"), [
    ("U.S. Government - Other", "other"), ("Other", "other"), ("Redacted", "redacted"),
    ("Enterprise - United States Redacted", "redacted"), ("Not Applicable", "not applicable"),
    ("N/A", "not applicable"), ("Unspecified Vendors - El Salvador", "unspecified"), ("Unknown", "unspecified"),
    ("Enterprises - Other", "other"), ("", "blank"), ("Government of El Salvador", None),
    ("Other Worlds Foundation", None), ("USAID", None),
])
def test_placeholders_have_a_reason(name: str, reason: str | None) -> None:
    assert placeholder_reason(name) == reason


def test_redacted_iati_ref_is_a_placeholder_whatever_its_name() -> None:
    assert placeholder_reason("Implementing partner", "XM-REDACTED-1") == "redacted"
    assert placeholder_reason(None, "US-GOV-1") is None


# -- the resolver -----------------------------------------------------------------------------------------
def test_resolver_government_ministry_and_placeholder() -> None:
    resolver = Resolver.from_graph(None, ":fa:")
    salvador = resolver.resolve(ActorCandidate(label="Agency", name="Government of El Salvador",
                                               new_id="agency:fa:partner-1", fa_id="partner:1"))
    assert (salvador.id, salvador.label, salvador.left_out) == ("gov:SV", "Government", None)
    assert salvador.create(("src:x",)).properties["countryCode"] == "SV"
    assert resolver.resolve(ActorCandidate(label="CivilSocietyOrganization", name="El Salvador Government",
                                           new_id="cso:fa:partner-2")).id == "gov:SV"
    other = resolver.resolve(ActorCandidate(label="Agency", name="Other", new_id="agency:fa:partner-3"))
    assert other.left_out == "other" and other.create is None
    ministry = resolver.resolve(ActorCandidate(label="Agency", name="Ministry of National Security of Jamaica",
                                               new_id="agency:fa:partner-4"))
    assert (ministry.id, ministry.label) == ("agency:fa:partner-4", "Agency")
    assert ministry.part_of is not None and ministry.part_of.id == "gov:JM"
    assert ministry.create(("src:x",)).properties["countryCode"] == "JM"
    # an NGO named after a country is no ministry
    ngo = resolver.resolve(ActorCandidate(label="CivilSocietyOrganization", name="Jamaica Agency for Youth",
                                          new_id="cso:fa:partner-5"))
    assert ngo.part_of is None and ngo.label == "CivilSocietyOrganization"


# -- through Neo4j ----------------------------------------------------------------------------------------
def _fa_file(tmp_path: Path) -> Path:
    """Three real-format rows of the El Salvador sample, their partners renamed."""
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, template = reader.fieldnames, next(reader)
    assert header is not None
    rows = []
    for activity, (partner, partner_id, country, country_name) in enumerate([
        ("Government of El Salvador", "5000001", "SLV", "El Salvador"),
        ("U.S. Government - Other", "5000002", "SLV", "El Salvador"),
        ("Ministry of National Security of Jamaica", "5000003", "JAM", "Jamaica"),
        ("Jamaica, Government of", "5000004", "JAM", "Jamaica"),
    ], start=1):
        rows.append({**template, "Implementing Partner Name": partner, "Implementing Partner ID": partner_id,
                     "Implementing Partner Category Name": "Government", "Country Code": country,
                     "Country Name": country_name, "Activity ID": f"99000{activity}"})
    path = tmp_path / "governments.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.neo4j
def test_fa_import_links_governments_and_leaves_placeholders_out(seeded_graph: Driver, tmp_path: Path) -> None:
    summary = import_files(seeded_graph, "fa-csv", [_fa_file(tmp_path)])
    assert summary.funding == 4 and summary.rows_skipped == 0
    assert dict(summary.placeholders) == {"other": 1}
    assert "1 other" in summary.describe()
    received = ("MATCH (f:Funding)-[:FUNDS]->(:Program {faActivityId: $activity}) "
                "OPTIONAL MATCH (f)-[:RECEIVED_BY]->(r) RETURN r.id AS id, labels(r) AS labels")
    salvador = one(seeded_graph, received, activity="990001")
    assert salvador["id"] == "gov:SV" and "Government" in salvador["labels"]
    assert one(seeded_graph, received, activity="990004")["id"] == "gov:JM"  # the seed's own node
    assert one(seeded_graph, received, activity="990002")["id"] is None  # record kept, no partner
    assert count(seeded_graph, "MATCH (a:Actor) WHERE a.name IN ['Other', 'Government of El Salvador', "
                               "'Jamaica, Government of'] RETURN count(a)") == 0
    assert count(seeded_graph, "MATCH (g:Government {countryCode: 'SV'}) RETURN count(g)") == 1
    ministry = one(seeded_graph, "MATCH (m:Agency {name: 'Ministry of National Security of Jamaica'})"
                                 "-[:PART_OF]->(g:Government) RETURN m.countryCode AS cc, g.id AS gov")
    assert ministry == {"cc": "JM", "gov": "gov:JM"}


IATI = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
 <iati-activity default-currency="USD">
  <iati-identifier>US-GOV-1-RES-1</iati-identifier>
  <title><narrative>Resolution test</narrative></title>
  <participating-org role="1" type="10" ref="US-GOV-1"><narrative>USAID</narrative></participating-org>
  <participating-org role="4" type="10"><narrative>Government of the Republic of Trinidad and Tobago</narrative>
  </participating-org>
  <participating-org role="4" type="10"><narrative>Trinidad and Tobago Ministry of National Security</narrative>
  </participating-org>
  <participating-org role="4" type="70" ref="XM-REDACTED"><narrative>Partner</narrative></participating-org>
  <participating-org role="4" type="70"><narrative>Not Applicable</narrative></participating-org>
  <recipient-country code="TT"/>
  <transaction>
   <transaction-type code="3"/>
   <transaction-date iso-date="2020-11-02"/>
   <value>500</value>
   <provider-org ref="US-GOV-1"/>
   <receiver-org><narrative>Redacted</narrative></receiver-org>
  </transaction>
  <transaction>
   <transaction-type code="3"/>
   <transaction-date iso-date="2020-11-03"/>
   <value>700</value>
   <provider-org ref="US-GOV-1"/>
   <receiver-org><narrative>Trinidad and Tobago, Government of</narrative></receiver-org>
  </transaction>
 </iati-activity>
</iati-activities>
"""


@pytest.mark.neo4j
def test_iati_import_links_governments_and_leaves_placeholders_out(seeded_graph: Driver, tmp_path: Path) -> None:
    path = tmp_path / "resolution.xml"
    path.write_text(IATI, encoding="utf-8")
    summary = import_files(seeded_graph, "iati", [path])
    assert summary.funding == 2
    assert dict(summary.placeholders) == {"redacted": 2, "not applicable": 1}
    participants = seeded_graph.execute_query(
        "MATCH (a)-[r:PARTICIPATES_IN]->(:Program {iatiIdentifier: 'US-GOV-1-RES-1'}) "
        "RETURN a.id AS id ORDER BY id")[0]
    ids = [row["id"] for row in participants]
    assert "gov:TT" in ids and "agency:usaid" in ids and len(ids) == 3
    ministry = one(seeded_graph, "MATCH (m:Agency {name: 'Trinidad and Tobago Ministry of National Security'})"
                                 "-[:PART_OF]->(g:Government) RETURN m.countryCode AS cc, g.id AS gov")
    assert ministry == {"cc": "TT", "gov": "gov:TT"}
    receivers = seeded_graph.execute_query(
        "MATCH (f:Funding)-[:FUNDS]->(:Program {iatiIdentifier: 'US-GOV-1-RES-1'}) "
        "OPTIONAL MATCH (f)-[:RECEIVED_BY]->(r) RETURN f.amount AS amount, r.id AS id ORDER BY amount")[0]
    assert [(row["amount"], row["id"]) for row in receivers] == [(500.0, None), (700.0, "gov:TT")]
    assert count(seeded_graph, "MATCH (a:Actor) WHERE a.name IN ['Redacted', 'Partner', 'Not Applicable'] "
                               "RETURN count(a)") == 0
