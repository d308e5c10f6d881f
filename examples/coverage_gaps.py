"""Which CBSI objectives and focus areas have no program in which partner country?

Prints the program-count matrix (theme x country, zeros shown), the list of empty cells, and writes the
long-form table (with USD per flow type) as CSV.

Run: .venv/bin/python examples/coverage_gaps.py [OUT_DIR]   (writes coverage_gaps.csv there)
"""

from __future__ import annotations

import sys

import _common  # noqa: F401
import pandas as pd
from _common import out_dir, show

from analysis import coverage_gaps, from_records


def main(argv: list[str]) -> int:
    out = out_dir(argv)
    graph = from_records()
    matrix = coverage_gaps(graph)
    counts = matrix.matrix("programs").copy()
    counts.index = [matrix.theme_names.get(t, t)[:40] for t in counts.index]
    counts = counts.reset_index().rename(columns={"index": "theme"})
    show("Programs per objective / focus area (rows) and partner country (columns)", counts, rows=60)
    gaps = pd.DataFrame(
        [{"theme": matrix.theme_names.get(t, t), "kind": matrix.theme_kinds[t], "country": c,
          "country_name": matrix.country_names.get(c)} for t, c in matrix.gaps()],
        columns=["theme", "kind", "country", "country_name"],
    )
    print(f"\n{len(gaps)} of {len(matrix.themes) * len(matrix.countries)} theme x country cells have no program.")
    by_country = gaps.groupby("country_name").size().sort_values(ascending=False).rename("empty_cells")
    show("Coverage gaps per country", by_country.reset_index())
    frame = matrix.to_frame()
    frame.to_csv(out / "coverage_gaps.csv", index=False)
    print(f"\nWrote {out / 'coverage_gaps.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
