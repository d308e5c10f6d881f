"""`cbsi-graph coverage`: what the graph does not know, as a report an analyst can read or a script can parse.

Why a command of its own: "no figure" and "zero" must look different. The fiscal-year matrix prints `-` where
the graph holds no figure of that kind for that year; counts are numbers of stated figures, never dollars.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from app.cli_analysis import load_graph
from app.settings import Settings


def report_dict(report: Any) -> dict[str, Any]:
    """The report as plain JSON-able data (the same fields as the GraphQL `coverage` field)."""
    return {
        "fiscalYears": [dataclasses.asdict(c) for c in report.fiscal_years],
        "missingYears": {k: list(v) for k, v in report.missing_years.items()},
        "cumulative": [dataclasses.asdict(c) for c in report.cumulative],
        "gaps": [dataclasses.asdict(g) for g in report.gaps],
        "summary": [dataclasses.asdict(s) for s in report.summary],
    }


def _matrix(report: Any) -> str:
    from analysis.knowledge_coverage import SERIES_FLOW_TYPES

    cells = {(c.fiscal_year, c.flow_type): c.figures for c in report.fiscal_years if c.account is None}
    years = sorted({year for year, _ in cells})
    header = "FY    " + "".join(f"{kind:>15}" for kind in SERIES_FLOW_TYPES)
    lines = [header]
    for year in years:
        lines.append(f"{year}  " + "".join(f"{(cells[(year, k)] or '-'):>15}" for k in SERIES_FLOW_TYPES))
    return "\n".join(lines)


def print_report(report: Any) -> None:
    print("CBSI-wide figures by fiscal year (number of stated figures; '-' = the graph has no figure)")
    print(_matrix(report))
    accounts = [c for c in report.fiscal_years if c.account is not None]
    if accounts:
        print("\nBy account:")
        for cell in accounts:
            print(f"  FY{cell.fiscal_year} {cell.flow_type:<13} {cell.account:<8} {cell.figures}")
    print(f"\nCumulative statements (totals over a period, never one year's money): {len(report.cumulative)}")
    for figure in report.cumulative:
        start, end = figure.fiscal_year_start, figure.fiscal_year_end
        period = ("a period the source does not state in fiscal years" if start is None and end is None
                  else f"FY{start}-" + (f"FY{end}" if end is not None else "(open-ended)") if start is not None
                  else f"fiscal years through FY{end}")
        amount = "no amount" if figure.amount_usd is None else f"${figure.amount_usd:,.0f}"
        print(f"  {figure.funding_id}: {figure.flow_type} {amount} over {period}"
              + (f", as of {figure.as_of}" if figure.as_of else ""))
    print("\nRecords by fields filled:")
    for count in report.summary:
        print(f"  {count.kind:<8} {count.complete} of {count.total} complete")
    print("\nGaps:")
    for gap in report.gaps:
        print(f"  {gap.kind:<8} {gap.id}: missing {', '.join(gap.missing)}")


def cmd_coverage(args: argparse.Namespace, settings: Settings) -> int:
    from analysis.knowledge_coverage import coverage_report

    report = coverage_report(load_graph(args, settings))
    if args.format == "json":
        json.dump(report_dict(report), sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print_report(report)
    return 0


def add_parser(commands: Any) -> None:
    coverage = commands.add_parser(
        "coverage", help="report what the graph does not know (fiscal years, meetings, bills, bodies, programs)")
    coverage.add_argument("--from", dest="origin", choices=["neo4j", "seed"], default="neo4j",
                          help="read the graph from Neo4j (default) or from the graph_seed files")
    coverage.add_argument("--format", choices=["table", "json"], default="table")
    coverage.set_defaults(handler=cmd_coverage)
