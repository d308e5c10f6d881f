"""How much CBSI money, of which kind, in which fiscal year? (flow types never added together)

Prints USD per fiscal period and flow type, how concentrated each flow type is across countries, and
writes a chart: annual figures as grouped bars, multi-year and cumulative statements apart.

Run: .venv/bin/python examples/funding_by_year.py [OUT_DIR]   (writes funding_by_year.png there)
"""

from __future__ import annotations

import sys

import _common  # noqa: F401
from _common import out_dir, show

from analysis import from_records, funding_by_year, funding_concentration, funding_statements
from analysis.plots import plot_funding_by_year


def main(argv: list[str]) -> int:
    out = out_dir(argv)
    graph = from_records()
    table = funding_by_year(graph)
    frame = table.to_frame().astype({"fiscal_year_start": "Int64", "fiscal_year_end": "Int64"})
    show("Funding by fiscal period and flow type (USD; multi-year figures kept as the source gives them)",
         frame, rows=50)
    show("Concentration across countries, per flow type (HHI 1 = one country has everything)",
         funding_concentration(graph, by="country", include_zero=True).to_frame())
    path = plot_funding_by_year(funding_statements(graph), out / "funding_by_year.png")
    print(f"\nWrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
