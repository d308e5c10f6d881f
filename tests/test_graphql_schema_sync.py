"""The committed `schema.graphql` must be the SDL the code builds (clients and reviewers read the file)."""

from __future__ import annotations

from pathlib import Path

from schema import build_schema

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_schema_file_is_in_sync() -> None:
    expected = build_schema().as_str() + "\n"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == expected, (
        "schema.graphql differs from the code's schema: run `make schema` and commit the result"
    )
