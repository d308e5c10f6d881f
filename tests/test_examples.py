"""Each researcher script in examples/ runs end to end from graph_seed (no database) and prints its tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

CASES = {
    "top_brokers.py": (["Brokers on U.S.-agency", "Gould-Fernandez brokerage roles"], ["top_brokers.csv"]),
    "funding_by_year.py": (["Funding by fiscal period and flow type", "Concentration across countries"],
                           ["funding_by_year.png"]),
    "coverage_gaps.py": (["Programs per objective / focus area", "cells have no program"], ["coverage_gaps.csv"]),
    "export_for_gephi.py": (["Cooperation network:", "Files written:"],
                            ["cbsi_full.gexf", "cooperation.graphml", "cooperation.json", "cooperation.csv",
                             "cooperation-nodes.csv", "cooperation_network.png"]),
    "cooperation_path.py": (["Hops with their evidence"], ["cooperation_path.csv"]),
}


def test_every_example_is_covered() -> None:
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(CASES)


@pytest.mark.parametrize("script", sorted(CASES))
def test_example_runs(script: str, tmp_path: Path) -> None:
    expected_text, expected_files = CASES[script]
    completed = subprocess.run(
        [sys.executable, str(EXAMPLES / script), str(tmp_path / "out")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    for text in expected_text:
        assert text in completed.stdout, completed.stdout
    for name in expected_files:
        assert (tmp_path / "out" / name).is_file(), name
