"""Shared bits of the example scripts: import path, output folder, table printing."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402


def out_dir(argv: list[str]) -> Path:
    """The output folder: the first command-line argument, or ./out; created if missing."""
    path = Path(argv[1]) if len(argv) > 1 else Path("out")
    path.mkdir(parents=True, exist_ok=True)
    return path


def show(title: str, frame: pd.DataFrame, rows: int = 15) -> None:
    """Print a titled table (first `rows` rows), or say there is nothing."""
    print(f"\n== {title} ==")
    if frame.empty:
        print("(nothing in the data for this question)")
        return
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.max_colwidth", 45):
        print(frame.head(rows).to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
