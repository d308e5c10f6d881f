"""NOT_FOUND names the closest ids and names of the asked type and the id format expected."""

from __future__ import annotations

import pytest

from tests.test_graphql_helpers import run_query, small_graph  # noqa: F401

pytestmark = [pytest.mark.neo4j, pytest.mark.usefixtures("small_graph")]


def error_of(auth, query: str):
    result, _ = run_query(auth, query)
    assert result.data is None or all(v is None for v in result.data.values())
    return result.errors[0]


def test_a_bare_country_code_suggests_the_government(neo4j_auth) -> None:
    error = error_of(neo4j_auth, '{ government(id: "JM") { name } }')
    assert error.extensions["code"] == "NOT_FOUND" and error.extensions["suggestions"][0] == "gov:JM"
    assert "Did you mean: gov:JM (Jamaica)" in error.message
    assert "gov:<ISO 3166-1 alpha-2 code>" in error.message
    assert error.extensions["expectedIdFormat"].startswith("Government ids look like 'gov:")
    lower = error_of(neo4j_auth, '{ government(id: "gov:jm") { name } }')
    assert lower.extensions["suggestions"][0] == "gov:JM"


def test_a_misspelt_id_suggests_the_closest_names(neo4j_auth) -> None:
    error = error_of(neo4j_auth, '{ program(id: "program:yuth") { name } }')
    assert "program:youth" in error.extensions["suggestions"]
    assert "Program ids look like 'program:<slug>'" in error.message


def test_an_id_of_another_type_says_what_it_is(neo4j_auth) -> None:
    error = error_of(neo4j_auth, '{ program(id: "gov:JM") { name } }')
    assert "no Program with id 'gov:JM' (gov:JM is a Government)" in error.message
    assert all(s.startswith("program:") for s in error.extensions["suggestions"])
