"""The `cbsi-graph` command line as a user runs it: real processes, real files, clear errors and exit codes."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from neo4j import Driver

from graph_seed.records import load_dataset
from tests.graph_dump import dump

CLI = [sys.executable, "-m", "app.cli"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, check=False,
                          env=env or os.environ.copy())


@pytest.fixture
def neo4j_env(neo4j_auth: tuple[str, str, str]) -> dict[str, str]:
    uri, user, password = neo4j_auth
    return {**os.environ, "NEO4J_URI": uri, "NEO4J_USER": user, "NEO4J_PASSWORD": password}


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "neo4j", "seed", "import", "analyze", "export", "plot", "schema"):
        assert command in result.stdout


def test_analyze_from_seed_as_csv() -> None:
    result = run("analyze", "degree", "--from", "seed", "--format", "csv", "--top", "3")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert len(rows) == 3
    assert rows[0]["degree"] >= rows[1]["degree"] or float(rows[0]["degree"]) >= float(rows[1]["degree"])


def test_analyze_paths_as_json_names_each_hop_with_sources() -> None:
    result = run("analyze", "paths", "--from", "seed", "--format", "json", "--set", "source=gov:JM",
                 "--set", "target=agency:usaid")
    assert result.returncode == 0, result.stderr
    hops = json.loads(result.stdout)
    assert hops and all(hop["sources"] for hop in hops)
    assert hops[0]["from"] == "gov:JM"


def test_analyze_rejects_an_unknown_option_clearly() -> None:
    result = run("analyze", "degree", "--from", "seed", "--set", "bogus=1")
    assert result.returncode == 1
    assert "unknown option 'bogus'" in result.stderr
    assert "Traceback" not in result.stderr


def test_export_gexf_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "cbsi.gexf"
    result = run("export", str(out), "--from", "seed")
    assert result.returncode == 0, result.stderr
    graph = nx.read_gexf(out)
    dataset = load_dataset()
    assert graph.number_of_nodes() == len(dataset.nodes)
    assert graph.number_of_edges() == len(dataset.edges)


def test_plot_writes_png(tmp_path: Path) -> None:
    for figure in ("network", "funding"):
        out = tmp_path / f"{figure}.png"
        result = run("plot", figure, str(out), "--from", "seed")
        assert result.returncode == 0, result.stderr
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_seed_reports_an_invalid_file_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes:\n  - id: gov:JM\n    label: Government\n    name: Jamaica\n    countryCode: JAM\n"
                   "    sources: [src:none]\n")
    result = run("seed", str(bad), env={**os.environ, "NEO4J_URI": "bolt://127.0.0.1:1"})
    assert result.returncode == 1
    assert "bad.yaml:2: countryCode: String should match pattern" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.neo4j
def test_seed_command_twice_is_idempotent(empty_graph: Driver, neo4j_env: dict[str, str]) -> None:
    first = run("seed", env=neo4j_env)
    assert first.returncode == 0, first.stderr
    state = dump(empty_graph)
    second = run("seed", env=neo4j_env)
    assert second.returncode == 0, second.stderr
    assert "0 nodes and 0 relationships created" in second.stdout
    assert dump(empty_graph) == state


@pytest.mark.neo4j
def test_unreachable_neo4j_is_one_clear_line(tmp_path: Path) -> None:
    env = {**os.environ, "NEO4J_URI": "bolt://127.0.0.1:9", "NEO4J_PASSWORD": "s3cret-never-shown"}
    result = run("analyze", "degree", env=env)
    assert result.returncode == 1
    assert "s3cret-never-shown" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 3


def test_neo4j_commands_refuse_an_external_uri() -> None:
    result = run("neo4j", "status", env={**os.environ, "NEO4J_URI": "bolt://db.example:7687"})
    assert result.returncode == 1
    assert "NEO4J_URI is set" in result.stderr


def test_schema_prints_sdl() -> None:
    result = run("schema")
    assert result.returncode == 0
    assert "type Query" in result.stdout


def test_analyze_json_is_data_only_and_notes_go_to_stderr() -> None:
    result = run("analyze", "funding-by-year", "--from", "seed", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)  # nothing but the data on stdout
    assert rows and {"period", "period_kind", "flow_type", "amount_usd"} <= set(rows[0])
    assert not any(r["period"].startswith("cumulative") for r in rows)
    assert "left out (cumulative)" in result.stderr
    eigen = run("analyze", "eigenvector", "--from", "seed", "--format", "csv", "--top", "3")
    assert eigen.returncode == 0, eigen.stderr
    assert list(csv.reader(eigen.stdout.splitlines()))[0][0] == "node"
    assert "eigenvector: computed on the main connected component" in eigen.stderr
