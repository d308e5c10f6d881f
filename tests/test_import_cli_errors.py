"""`cbsi-graph import` as a user runs it: where a broken file is broken, and inputs with nothing importable.

Before: invalid UTF-8 named no line, an oversized CSV field named the line before its record, a directory was
"no such file", and a file whose records were all skipped exited 0 and was recorded as imported."""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from neo4j import Driver

from tests.import_helpers import SAMPLES, count

CLI = [sys.executable, "-m", "app.cli", "import"]
SAMPLE = SAMPLES / "fa_gov_El_Salvador_sample_100rows.csv"
IATI_FIXTURE = Path(__file__).parent / "fixtures" / "iati" / "bad_transactions.xml"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, check=False,
                          env=env or os.environ.copy())


@pytest.fixture
def neo4j_env(neo4j_auth: tuple[str, str, str]) -> dict[str, str]:
    uri, user, password = neo4j_auth
    return {**os.environ, "NEO4J_URI": uri, "NEO4J_USER": user, "NEO4J_PASSWORD": password}


def _sample_lines() -> list[bytes]:
    return SAMPLE.read_bytes().splitlines(keepends=True)


# -- error positions --------------------------------------------------------------------------------------
def test_invalid_utf8_in_a_csv_names_its_line_and_byte_offset(tmp_path: Path) -> None:
    lines = _sample_lines()
    lines[3] = lines[3].replace(b"Tetra", b"Te\xfftra", 1)
    path = tmp_path / "latin.csv"
    path.write_bytes(b"".join(lines[:6]))
    offset = sum(len(line) for line in lines[:3]) + lines[3].index(b"\xff")
    result = run("fa-csv", "--dry-run", str(path))
    assert result.returncode == 1
    assert f"latin.csv:4: not UTF-8 text: invalid UTF-8 byte(s) ff at byte offset {offset} of the file" \
        in result.stderr, result.stderr


def test_invalid_utf8_in_iati_xml_names_its_line_and_byte_offset(tmp_path: Path) -> None:
    data = IATI_FIXTURE.read_bytes().replace(b"some bad", b"some b\xe9ad", 1)
    path = tmp_path / "latin.xml"
    path.write_bytes(data)
    offset = data.index(b"\xe9")
    line = data[:offset].count(b"\n") + 1
    result = run("iati", "--dry-run", str(path))
    assert result.returncode == 1
    assert f"latin.xml:{line}: not UTF-8 text" in result.stderr, result.stderr
    assert f"at byte offset {offset} of the file" in result.stderr


def test_oversized_field_names_the_line_its_record_starts_on(tmp_path: Path) -> None:
    lines = _sample_lines()
    # a quoted partner name over the reader's 16 MiB field limit that spans two lines, in the record of line 4
    huge = b'"Tetra\n' + b"x" * (17 * 1024 * 1024) + b'"'
    lines[3] = lines[3].replace(b'"Tetra Tech, Inc."', huge, 1)
    path = tmp_path / "huge.csv"
    path.write_bytes(b"".join(lines[:6]))
    result = run("fa-csv", "--dry-run", str(path))
    assert result.returncode == 1
    assert "huge.csv:4: not a readable CSV: field larger than field limit" in result.stderr, result.stderr
    assert "the reader stopped at line 5" in result.stderr


def test_a_directory_is_a_directory(tmp_path: Path) -> None:
    result = run("fa-csv", "--dry-run", str(tmp_path))
    assert result.returncode == 1
    assert f"{tmp_path}: is a directory" in result.stderr and "no such file" not in result.stderr
    missing = run("fa-csv", "--dry-run", str(tmp_path / "absent.csv"))
    assert missing.returncode == 1 and "absent.csv: no such file" in missing.stderr


# -- inputs with nothing importable -----------------------------------------------------------------------
def _all_bad_csv(tmp_path: Path) -> Path:
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, [next(reader) for _ in range(3)]
    assert header is not None
    path = tmp_path / "all_bad.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows({**row, "Current Dollar Amount": "n/a"} for row in rows)
    return path


def _sources_of(driver: Driver, path: Path) -> int:
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return count(driver, "MATCH (s:Source {sha256: $sha}) RETURN count(s)", sha=sha)


@pytest.mark.neo4j
def test_all_skipped_csv_exits_non_zero_and_is_not_recorded(empty_graph: Driver, neo4j_env: dict[str, str],
                                                             tmp_path: Path) -> None:
    path = _all_bad_csv(tmp_path)
    result = run("fa-csv", str(path), env=neo4j_env)
    assert result.returncode == 1
    assert "all_bad.csv: nothing imported: 3 rows read, all skipped" in result.stderr, result.stderr
    assert "--allow-empty" in result.stderr
    assert _sources_of(empty_graph, path) == 0
    assert count(empty_graph, "MATCH (n:Entity) RETURN count(n)") == 0
    dry = run("fa-csv", "--dry-run", str(path))
    assert dry.returncode == 1 and "nothing imported" in dry.stderr
    # asked for: exit 0, said in the summary, and still not recorded, so a fixed importer reads it again
    allowed = run("fa-csv", "--allow-empty", str(path), env=neo4j_env)
    assert allowed.returncode == 0, allowed.stderr
    assert "nothing imported" in allowed.stdout and "not recorded as imported" in allowed.stdout
    assert _sources_of(empty_graph, path) == 0
    assert "already imported" not in run("fa-csv", "--allow-empty", str(path), env=neo4j_env).stdout


@pytest.mark.neo4j
def test_iati_file_whose_activities_are_all_skipped_exits_non_zero(empty_graph: Driver, neo4j_env: dict[str, str],
                                                                   tmp_path: Path) -> None:
    path = tmp_path / "no_ids.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n'
                    ' <iati-activity><title><narrative>No identifier</narrative></title></iati-activity>\n'
                    ' <iati-activity><title><narrative>Nor here</narrative></title></iati-activity>\n'
                    '</iati-activities>\n', encoding="utf-8")
    good = SAMPLES / "iati-2.03-activity-standard-example-annotated.xml"
    result = run("iati", str(good), str(path), env=neo4j_env)
    assert result.returncode == 1
    assert "no_ids.xml: nothing imported: 2 activities read, all skipped" in result.stderr, result.stderr
    # all or nothing: the good file of the same call is not left half-recorded either
    assert count(empty_graph, "MATCH (n:Entity) RETURN count(n)") == 0
