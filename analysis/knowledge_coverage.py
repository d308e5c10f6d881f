"""What the graph does not know: fiscal years without a figure, and records with fields still unfilled.

Why a report of absences: an analyst reading "no FY2014 appropriation" must be able to tell "the graph has no
figure" from "zero dollars". Every fiscal year of the tracked range appears for every flow type of the CBSI-wide
series, with `figures = 0` where the graph holds none; meetings, bills, regional bodies and programs list the
fields and links they still lack. Pure functions on the CBSI MultiDiGraph (`from_records()` or `from_neo4j()`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

TRACKED_FISCAL_YEARS = range(2010, 2026)
"""FY2010, CBSI's first appropriation, to FY2025."""
SERIES_FLOW_TYPES: tuple[str, ...] = ("request", "proposed", "appropriation", "allocation")
"""The CBSI-wide annual series: what was asked for, proposed in Congress, enacted and allocated."""
CBSI_PROGRAM = "program:cbsi"


@dataclass(frozen=True, slots=True)
class YearCoverage:
    """Figures the graph holds for one fiscal year, flow type and account (`None`: any account)."""

    fiscal_year: int
    flow_type: str
    account: str | None
    figures: int
    funding_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CumulativeFigure:
    """A cumulative statement ("more than $X since FY2010"): a total over a period, never one year's money."""

    funding_id: str
    name: str
    flow_type: str
    amount_usd: float | None
    fiscal_year_start: int | None
    fiscal_year_end: int | None
    as_of: str | None


@dataclass(frozen=True, slots=True)
class Gap:
    """One record and the fields or links it lacks."""

    kind: str
    id: str
    name: str
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KindCount:
    kind: str
    total: int
    complete: int


@dataclass(frozen=True)
class CoverageReport:
    """The whole report; `to_frame()` gives one row per fiscal-year cell, `gaps_frame()` one per gap."""

    fiscal_years: tuple[YearCoverage, ...]
    cumulative: tuple[CumulativeFigure, ...]
    gaps: tuple[Gap, ...]
    summary: tuple[KindCount, ...]
    missing_years: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def to_records(self) -> list[dict[str, Any]]:
        return [{"fiscal_year": y.fiscal_year, "flow_type": y.flow_type, "account": y.account or "",
                 "figures": y.figures, "funding_ids": ";".join(y.funding_ids)} for y in self.fiscal_years]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.to_records(), columns=["fiscal_year", "flow_type", "account", "figures",
                                                        "funding_ids"])

    def gaps_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"kind": g.kind, "id": g.id, "name": g.name, "missing": ", ".join(g.missing)}
                             for g in self.gaps], columns=["kind", "id", "name", "missing"])


def _label(graph: nx.MultiDiGraph, node: str) -> str | None:
    return graph.nodes[node].get("label")  # type: ignore[no-any-return]


def _nodes(graph: nx.MultiDiGraph, label: str) -> list[str]:
    return sorted(n for n, d in graph.nodes(data=True) if d.get("label") == label)


def _has_out(graph: nx.MultiDiGraph, node: str, rel_type: str, **props: Any) -> bool:
    return any(d.get("type") == rel_type and all(d.get(k) == v for k, v in props.items())
               for _, _, d in graph.out_edges(node, data=True))


def _has_in(graph: nx.MultiDiGraph, node: str, rel_type: str, start_label: str | None = None, **props: Any) -> bool:
    return any(d.get("type") == rel_type and all(d.get(k) == v for k, v in props.items())
               and (start_label is None or _label(graph, u) == start_label)
               for u, _, d in graph.in_edges(node, data=True))


def _cbsi_fundings(graph: nx.MultiDiGraph) -> list[str]:
    """Funding nodes that fund CBSI as a whole (FUNDS -> program:cbsi)."""
    if CBSI_PROGRAM not in graph:
        return []
    return sorted(u for u, _, d in graph.in_edges(CBSI_PROGRAM, data=True)
                  if d.get("type") == "FUNDS" and _label(graph, u) == "Funding")


def fiscal_year_coverage(
    graph: nx.MultiDiGraph,
    fiscal_years: Iterable[int] = TRACKED_FISCAL_YEARS,
    flow_types: Iterable[str] = SERIES_FLOW_TYPES,
) -> list[YearCoverage]:
    """One row per fiscal year and flow type (any account), then one per account a figure names.

    Parameters
    ----------
    graph : the CBSI MultiDiGraph.
    fiscal_years : the years to report; each appears for every flow type, with `figures=0` where none is held.
    flow_types : the series' flow types.

    Returns
    -------
    list of YearCoverage, single-year figures only (cumulative and multi-year figures are reported apart).

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("program:cbsi", label="Program")
    >>> g.add_node("funding:a", label="Funding", flowType="appropriation", fiscalYear=2019, account="INCLE")
    >>> _ = g.add_edge("funding:a", "program:cbsi", type="FUNDS")
    >>> [(r.fiscal_year, r.account, r.figures) for r in fiscal_year_coverage(g, [2019, 2020], ["appropriation"])]
    [(2019, None, 1), (2020, None, 0), (2019, 'INCLE', 1)]
    """
    years, kinds = list(fiscal_years), list(flow_types)
    by_cell: dict[tuple[int, str, str | None], list[str]] = defaultdict(list)
    for funding in _cbsi_fundings(graph):
        data = graph.nodes[funding]
        year, kind = data.get("fiscalYear"), data.get("flowType")
        if year is None or data.get("cumulative") or kind not in kinds:
            continue
        by_cell[(year, kind, None)].append(funding)
        if data.get("account"):
            by_cell[(year, kind, data["account"])].append(funding)
    rows = [YearCoverage(y, k, None, len(by_cell[(y, k, None)]), tuple(by_cell[(y, k, None)]))
            for y in years for k in kinds]
    accounts = sorted({a for (_, _, a) in by_cell if a is not None})
    rows += [YearCoverage(y, k, a, len(by_cell[(y, k, a)]), tuple(by_cell[(y, k, a)]))
             for y in years for k in kinds for a in accounts if by_cell.get((y, k, a))]
    return rows


def cumulative_figures(graph: nx.MultiDiGraph) -> list[CumulativeFigure]:
    """Every Funding marked `cumulative`, with its period and the date it was stated for."""
    out = []
    for funding in _nodes(graph, "Funding"):
        data = graph.nodes[funding]
        if data.get("cumulative"):
            out.append(CumulativeFigure(funding, data.get("name", funding), data.get("flowType", ""),
                                        data.get("amountUsd"), data.get("fiscalYearStart"),
                                        data.get("fiscalYearEnd"), data.get("asOf")))
    return out


Check = Callable[[nx.MultiDiGraph, str], bool]


def _prop(name: str) -> Check:
    return lambda g, n: g.nodes[n].get(name) not in (None, "", [])


CHECKS: dict[str, tuple[str, Callable[[nx.MultiDiGraph, str], bool], dict[str, Check]]] = {
    "meeting": ("Meeting", lambda g, n: True, {
        "date": _prop("date"),
        "location": lambda g, n: bool(g.nodes[n].get("location")) or g.nodes[n].get("format") == "virtual",
        "format": _prop("format"),
        "host": lambda g, n: _has_out(g, n, "HOSTED_BY"),
        "attendees": lambda g, n: _has_in(g, n, "ATTENDED"),
        "people": lambda g, n: _has_in(g, n, "ATTENDED", start_label="Person"),
        "outcome": lambda g, n: _has_out(g, n, "PRODUCED"),
    }),
    "bill": ("Legislation", lambda g, n: g.nodes[n].get("congress") is not None, {
        "number": _prop("number"),
        "introduced": _prop("introduced"),
        "status": _prop("status"),
        "sponsor": lambda g, n: _has_in(g, n, "SPONSORED", role="sponsor"),
        "actions": lambda g, n: _has_in(g, n, "ACTION_ON"),
    }),
    "body": ("IntergovernmentalOrganization",
             lambda g, n: g.nodes[n].get("scope") in ("regional", "subregional"), {
        "members": lambda g, n: _has_in(g, n, "MEMBER_OF"),
        "seat": lambda g, n: _has_out(g, n, "HEADQUARTERED_IN"),
    }),
    "program": ("Program", lambda g, n: g.nodes[n].get("level") in ("program", "project", "activity"), {
        "implementer": lambda g, n: _has_in(g, n, "PARTICIPATES_IN", role="implementing"),
        "country": lambda g, n: _has_out(g, n, "OPERATES_IN"),
        "amount": lambda g, n: _has_in(g, n, "FUNDS"),
        "dates": lambda g, n: bool(g.nodes[n].get("startDate") or g.nodes[n].get("endDate")),
    }),
}
"""kind -> (label, which nodes of it count, {field or link: is it filled?})."""


def record_gaps(graph: nx.MultiDiGraph) -> tuple[list[Gap], list[KindCount]]:
    """Meetings, bills, regional bodies and programs with the fields and links each lacks, and counts per kind.

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("igo:x", label="IntergovernmentalOrganization", name="X", scope="regional")
    >>> gaps, summary = record_gaps(g)
    >>> gaps[0].missing, [(s.kind, s.total, s.complete) for s in summary if s.kind == "body"]
    (('members', 'seat'), [('body', 1, 0)])
    """
    gaps: list[Gap] = []
    totals: Counter[str] = Counter()
    complete: Counter[str] = Counter()
    for kind, (label, counts, checks) in CHECKS.items():
        for node in _nodes(graph, label):
            if not counts(graph, node):
                continue
            totals[kind] += 1
            missing = tuple(name for name, check in checks.items() if not check(graph, node))
            if missing:
                gaps.append(Gap(kind, node, graph.nodes[node].get("name", node), missing))
            else:
                complete[kind] += 1
    return gaps, [KindCount(kind, totals[kind], complete[kind]) for kind in CHECKS]


def coverage_report(graph: nx.MultiDiGraph, fiscal_years: Iterable[int] = TRACKED_FISCAL_YEARS) -> CoverageReport:
    """The whole coverage report: fiscal-year cells, cumulative statements, record gaps and counts.

    `missing_years[flow_type]` lists the tracked fiscal years without any single-year figure of that type.
    """
    years = list(fiscal_years)
    cells = fiscal_year_coverage(graph, years)
    gaps, summary = record_gaps(graph)
    missing = {kind: tuple(c.fiscal_year for c in cells if c.flow_type == kind and c.account is None
                           and c.figures == 0) for kind in SERIES_FLOW_TYPES}
    return CoverageReport(tuple(cells), tuple(cumulative_figures(graph)), tuple(gaps), tuple(summary), missing)
