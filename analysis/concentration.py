"""Where does the money go, and what gets none? Funding concentration (HHI, Gini) and coverage gaps.

Why per flow type: appropriations, obligations and disbursements are different stages of the same dollars;
adding them would count money two or three times. Every figure here is computed within one `flowType`.
Attribution to countries and funders, and which periods are summed, follow `analysis.money` (the one money
logic GraphQL's `fundingAggregate` uses too): by default only single-year figures are summed (a multi-year,
open-ended or cumulative figure would overlap them; `periods` asks for others) and equal splits are counted as
estimates (`include_estimates=False` leaves them out). What is left out is in `table.meta["left_out"]`.

References
----------
Herfindahl, O. C. (1950). Concentration in the steel industry. PhD thesis, Columbia University;
Hirschman, A. O. (1964). The paternity of an index. American Economic Review 54(5), 761.
Gini, C. (1912). Variabilità e mutabilità. Bologna: C. Cuppini.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from analysis import money
from analysis.funding import FundingFlow, country_unit, funding_flows, left_out_records, period_kinds
from analysis.results import Table
from analysis.slicing import Slice, YearRange, overlaps, program_countries, span_years

UNITS: tuple[str, ...] = ("country", "funder", "implementer")


def hhi(values: Sequence[float]) -> float:
    """Herfindahl-Hirschman index: the sum of squared shares, from 1/n (even) to 1 (one unit has all).

    On the 0-1 scale (multiply by 10,000 for the antitrust convention). Zero or no values give 0.

    >>> hhi([50, 30, 20])  # 0.5^2 + 0.3^2 + 0.2^2
    0.38
    """
    total = float(sum(values))
    if total <= 0:
        return 0.0
    return round(sum((v / total) ** 2 for v in values), 12)


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative values: 0 when all are equal, (n-1)/n when one unit has everything.

    G = 2 * sum_i i * x_(i) / (n * sum x) - (n + 1) / n, with x sorted ascending and i = 1..n.

    >>> gini([1, 2, 3, 4])  # 2 * (1 + 4 + 9 + 16) / (4 * 10) - 5/4 = 1.5 - 1.25
    0.25
    """
    ordered = sorted(float(v) for v in values)
    n, total = len(ordered), sum(ordered)
    if n == 0 or total <= 0:
        return 0.0
    weighted = sum(i * x for i, x in enumerate(ordered, start=1))
    return max(0.0, round(2.0 * weighted / (n * total) - (n + 1) / n, 12))


def attribute(flow: FundingFlow, by: str) -> dict[str, float]:
    """How a Funding splits over the units of `by` (shares summing to 1, or empty when unknown)."""
    if by == "country":
        return flow.countries
    if by == "funder":
        return {f: 1.0 / len(flow.funders) for f in flow.funders} if flow.funders else {}
    if by == "implementer":
        return flow.implementers
    raise ValueError(f"unknown unit {by!r}; expected one of {', '.join(UNITS)}")


@dataclass(frozen=True, slots=True)
class ShareRecord:
    """One unit's USD total within one flow type, its share of that flow type's attributed total, and how much
    of it a source states vs an equal split estimates."""

    flow_type: str
    unit: str
    name: str | None
    amount_usd: float
    share: float
    stated_usd: float = 0.0
    estimated_usd: float = 0.0


@dataclass(frozen=True, slots=True)
class ConcentrationRecord:
    """Concentration of one flow type's money over the units (countries, funders or implementers)."""

    flow_type: str
    by: str
    units: int
    total_usd: float
    hhi: float
    gini: float
    top_unit: str | None
    top_share: float
    fundings: int
    unattributed_usd: float
    unconverted: int
    estimated_usd: float = 0.0


DIMENSION_OF_UNIT = {"country": "country", "funder": "funder"}


@dataclass
class _Totals:
    """Per flow type: unit -> [stated USD, estimated USD]; and fundings, unattributed USD, unconverted."""

    units: dict[str, dict[str, list[float]]] = field(default_factory=lambda: defaultdict(dict))
    extra: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0, 0.0, 0]))
    result: money.Aggregate | None = None

    def add(self, flow_type: str, unit: str, usd: float, stated: bool) -> None:
        cell = self.units[flow_type].setdefault(unit, [0.0, 0.0])
        cell[0 if stated else 1] += usd


def _totals(
    graph: nx.MultiDiGraph, by: str, where: Slice, flow_types: Iterable[str] | None,
    periods: Iterable[str] | str | None = None, include_estimates: bool = True,
) -> _Totals:
    if by not in UNITS:
        raise ValueError(f"unknown unit {by!r}; expected one of {', '.join(UNITS)}")
    wanted = None if flow_types is None else set(flow_types)
    flows = [f for f in funding_flows(graph, where) if wanted is None or f.flow_type in wanted]
    dims = ["flowType", DIMENSION_OF_UNIT.get(by, "recipient")]
    kinds = period_kinds(periods, money.default_period_kinds(dims))
    out = _Totals()
    if by in DIMENSION_OF_UNIT:
        result = money.aggregate([f.facts for f in flows if f.facts is not None], dims, kinds, include_estimates)
        for group in result.groups:
            kind, unit = str(group.value("flowType")), group.value(dims[1])
            stats = out.extra[kind]
            stats[1] += group.total_usd if unit is None else 0.0
            if unit is not None:
                unit = country_unit(graph, unit) if by == "country" else unit
                cell = out.units[kind].setdefault(unit, [0.0, 0.0])
                cell[0] += group.stated_usd
                cell[1] += group.estimated_usd
        for flow in flows:
            if flow.facts is not None and money.period_of(flow.facts).kind in kinds:
                out.extra[flow.flow_type][0 if flow.amount_usd is not None else 2] += 1
        out.result = result
        return out
    # implementers: RECEIVED_BY, else the funded programs' intermediaries (not a GraphQL dimension)
    result = money.aggregate([f.facts for f in flows if f.facts is not None], ["flowType"], kinds)
    left = {(x.reason, x.flow_type): x for x in result.left_out}
    for flow in flows:
        if flow.facts is None or money.period_of(flow.facts).kind not in kinds:
            continue
        stats = out.extra[flow.flow_type]
        if flow.amount_usd is None:
            stats[2] += 1
            continue
        stats[0] += 1
        if not flow.implementers:
            stats[1] += flow.amount_usd
        stated = len(flow.implementers) == 1
        for unit, share in flow.implementers.items():
            if unit in flow.funders:  # a self-funding loop (provider = recipient) is no money going anywhere
                item = left.setdefault(("self-funding", flow.flow_type),
                                       money.LeftOut("self-funding", flow.flow_type))
                item.fundings.add(flow.id)
                item.amount_usd += flow.amount_usd * share
            elif stated or include_estimates:
                out.add(flow.flow_type, unit, flow.amount_usd * share, stated)
            else:
                item = left.setdefault(("estimated", flow.flow_type), money.LeftOut("estimated", flow.flow_type))
                item.fundings.add(flow.id)
                item.amount_usd += flow.amount_usd * share
    result.left_out = sorted(left.values(), key=lambda x: (x.reason, x.flow_type))
    out.result = result
    return out


def _meta(totals: _Totals) -> dict[str, Any]:
    assert totals.result is not None
    return {"periods": sorted(totals.result.period_kinds), "include_estimates": totals.result.include_estimates,
            "left_out": left_out_records(totals.result)}


def _zero_units(graph: nx.MultiDiGraph, by: str) -> list[str]:
    """Units that could have received money: partner governments' countries (for `by="country"` only)."""
    if by != "country":
        return []
    return sorted({
        d["countryCode"] for _, d in graph.nodes(data=True)
        if d.get("label") == "Government" and d.get("cbsiRole") == "partner" and d.get("countryCode")
    })


def _unit_names(graph: nx.MultiDiGraph, by: str) -> dict[str, str]:
    if by != "country":
        return {n: d.get("name", n) for n, d in graph.nodes(data=True)}
    return {
        d["countryCode"]: d.get("name", d["countryCode"]) for _, d in graph.nodes(data=True)
        if d.get("label") == "Government" and d.get("countryCode")
    }


def funding_shares(
    graph: nx.MultiDiGraph,
    by: str = "country",
    flow_types: Iterable[str] | None = None,
    fiscal_years: YearRange | int | str | None = None,
    countries: Iterable[str] | str | None = None,
    actor_types: Iterable[str] | str | None = None,
    include_zero: bool = False,
    periods: Iterable[str] | str | None = None,
    include_estimates: bool = True,
) -> Table[ShareRecord]:
    """Each unit's USD total and share, per flow type (largest first within each flow type), with how much of
    it is stated and how much estimated (an equal split).

    Parameters
    ----------
    by : ``country``, ``funder`` or ``implementer``.
    flow_types : keep only these flow types (None: each one present, separately).
    fiscal_years, countries, actor_types : the slice (`actor_types` selects funders).
    include_zero : for ``country``, list every CBSI partner country, with 0 where nothing was attributed.
    periods : the period kinds summed (`year` default; `range`, `open`, `undated`, `cumulative`, or `all`).
    include_estimates : False leaves out money attributed by an equal split.
    """
    where = Slice.make(fiscal_years, countries, actor_types)
    totals = _totals(graph, by, where, flow_types, periods, include_estimates)
    names = _unit_names(graph, by)
    rows = []
    for kind in sorted(totals.units):
        units = {unit: list(cell) for unit, cell in totals.units[kind].items()}
        if include_zero:
            for unit in _zero_units(graph, by):
                units.setdefault(unit, [0.0, 0.0])
        total = sum(sum(cell) for cell in units.values())
        for unit, (stated, estimated) in sorted(units.items(), key=lambda item: (-sum(item[1]), item[0])):
            amount = stated + estimated
            rows.append(ShareRecord(kind, unit, names.get(unit), amount, amount / total if total else 0.0,
                                    stated, estimated))
    return Table(rows, title=f"Funding shares by {by}", row_type=ShareRecord, meta=_meta(totals))


def funding_concentration(
    graph: nx.MultiDiGraph,
    by: str = "country",
    flow_types: Iterable[str] | None = None,
    fiscal_years: YearRange | int | str | None = None,
    countries: Iterable[str] | str | None = None,
    actor_types: Iterable[str] | str | None = None,
    include_zero: bool = False,
    periods: Iterable[str] | str | None = None,
    include_estimates: bool = True,
) -> Table[ConcentrationRecord]:
    """HHI and Gini of USD funding over countries, funders or implementers — one row per flow type.

    Parameters
    ----------
    graph : the CBSI MultiDiGraph.
    by : ``country`` (via the programs' OPERATES_IN, else the recipient's country), ``funder`` (PROVIDES), or
        ``implementer`` (RECEIVED_BY, else the funded programs' intermediaries; a self-funding loop, where the
        recipient is also a provider of the figure, is left out of the ranking and listed in `left_out` with
        reason ``self-funding``).
    flow_types : restrict to these flow types; each still gets its own row.
    fiscal_years, countries, actor_types : the slice (`actor_types` selects funders).
    include_zero : for ``country``, count every CBSI partner country, those with nothing at 0 — the Gini then
        measures inequality over all partners, not only over those that received something.
    periods : the period kinds summed (`year` default; `range`, `open`, `undated`, `cumulative`, or `all`).
    include_estimates : False leaves out money attributed by an equal split.

    Returns
    -------
    Table of `ConcentrationRecord`. `unattributed_usd` is money whose unit is unknown (left out of the shares);
    `unconverted` counts Fundings with no USD amount (never summed); `estimated_usd` is the part of `total_usd`
    that an equal split attributed. `table.meta["left_out"]` lists what was not summed (other period kinds,
    estimates when left out).

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> for i, (funder, usd) in enumerate([("agency:a", 60.0), ("agency:b", 40.0)]):
    ...     g.add_node(funder, label="Agency", name=funder)
    ...     g.add_node(f"funding:{i}", label="Funding", amount=usd, amountUsd=usd, flowType="obligation",
    ...                fiscalYear=2016)
    ...     _ = g.add_edge(funder, f"funding:{i}", key="PROVIDES", type="PROVIDES")
    >>> r = funding_concentration(g, by="funder")[0]  # shares 0.6, 0.4: HHI 0.36 + 0.16; Gini 2*(40+120)/200 - 3/2
    >>> r.flow_type, r.hhi, r.gini, r.top_unit
    ('obligation', 0.52, 0.1, 'agency:a')
    """
    where = Slice.make(fiscal_years, countries, actor_types)
    found = _totals(graph, by, where, flow_types, periods, include_estimates)
    extra = found.extra
    rows = []
    for kind in sorted(set(found.units) | set(extra)):
        cells = found.units.get(kind, {})
        units = {unit: sum(cell) for unit, cell in cells.items()}
        if include_zero:
            for unit in _zero_units(graph, by):
                units.setdefault(unit, 0.0)
        values = list(units.values())
        total = float(sum(values))
        top = max(sorted(units), key=lambda u: units[u]) if units else None
        fundings, unattributed, unconverted = extra[kind]
        rows.append(ConcentrationRecord(
            flow_type=kind, by=by, units=len(units), total_usd=total, hhi=hhi(values), gini=gini(values),
            top_unit=top, top_share=(units[top] / total) if top is not None and total else 0.0,
            fundings=int(fundings), unattributed_usd=float(unattributed), unconverted=int(unconverted),
            estimated_usd=sum(cell[1] for cell in cells.values()),
        ))
    return Table(rows, title=f"Funding concentration by {by} (per flow type)", row_type=ConcentrationRecord,
                 meta=_meta(found))


# --- coverage gaps ---------------------------------------------------------------------------------------

THEME_RELATIONSHIPS: dict[str, tuple[str, str]] = {
    "objective": ("ADVANCES", "Objective"),
    "focus-area": ("ADDRESSES", "FocusArea"),
}
THEME_DIMENSIONS: dict[str, str] = {"objective": "objective", "focus-area": "focusArea"}  # analysis.money's


@dataclass(frozen=True)
class CoverageMatrix:
    """Themes (objectives / focus areas) x countries: program counts and USD per flow type, zeros included."""

    themes: tuple[str, ...]
    theme_names: dict[str, str]
    theme_kinds: dict[str, str]
    countries: tuple[str, ...]
    country_names: dict[str, str]
    programs: pd.DataFrame
    money: dict[str, pd.DataFrame] = field(default_factory=dict)
    # what the money matrices did not sum (period kinds not asked for, estimates left out), as plain rows
    left_out: list[dict[str, object]] = field(default_factory=list)

    def matrix(self, value: str = "programs") -> pd.DataFrame:
        """The theme x country matrix of program counts (`"programs"`) or of one flow type's USD."""
        return self.programs if value == "programs" else self.money[value]

    def gaps(self) -> list[tuple[str, str]]:
        """Every (theme, country) cell with no program at all."""
        return [(t, c) for t in self.themes for c in self.countries if self.programs.at[t, c] == 0]

    def to_records(self) -> list[dict[str, Any]]:
        rows = []
        for theme in self.themes:
            for country in self.countries:
                row: dict[str, Any] = {
                    "theme": theme, "theme_name": self.theme_names.get(theme), "kind": self.theme_kinds[theme],
                    "country": country, "country_name": self.country_names.get(country),
                    "programs": int(self.programs.at[theme, country]),
                }
                for kind, frame in sorted(self.money.items()):
                    row[f"usd_{kind}"] = float(frame.at[theme, country])
                row["gap"] = row["programs"] == 0
                rows.append(row)
        return rows

    def to_frame(self) -> pd.DataFrame:
        """Long form: one row per (theme, country), zeros included, a `usd_<flowType>` column per flow type."""
        columns = ["theme", "theme_name", "kind", "country", "country_name", "programs",
                   *[f"usd_{k}" for k in sorted(self.money)], "gap"]
        return pd.DataFrame(self.to_records(), columns=columns)


def _default_countries(graph: nx.MultiDiGraph) -> list[str]:
    partners = _zero_units(graph, "country")
    if partners:
        return partners
    return sorted({
        graph.nodes[v].get("countryCode") for _, v, d in graph.edges(data=True)
        if d.get("type") == "OPERATES_IN" and graph.nodes[v].get("countryCode")
    })


def coverage_gaps(
    graph: nx.MultiDiGraph,
    themes: str = "both",
    countries: Iterable[str] | str | None = None,
    fiscal_years: YearRange | int | str | None = None,
    flow_types: Iterable[str] | None = None,
    periods: Iterable[str] | str | None = None,
    include_estimates: bool = True,
) -> CoverageMatrix:
    """Objective / focus-area x country: how many programs, and how much money per flow type, zeros shown.

    A program counts in a cell when it ADVANCES the objective (or ADDRESSES the focus area) and OPERATES_IN
    the country. Money is attributed by the one money logic (`analysis.money`), exactly as
    `fundingAggregate(groupBy: [FLOW_TYPE, OBJECTIVE, COUNTRY])` (or FOCUS_AREA) does: stated ALLOCATED_TO
    shares first, then OPERATES_IN percentages, then an equal split (estimated); a program's money is shared
    equally over its objectives (focus areas). Summed per flow type, never across flow types; only single-year
    figures unless `periods` asks for more; what is not summed is in `.left_out`.

    Parameters
    ----------
    graph : the CBSI MultiDiGraph.
    themes : ``objective``, ``focus-area`` or ``both`` (rows of both kinds).
    countries : the columns; default every CBSI partner government's country (else every country a program
        operates in).
    fiscal_years : keep programs running in, and fundings dated in, that range.
    flow_types : the flow types to report (default: every one present).
    periods : the period kinds summed (`year` default; `range`, `open`, `undated`, `cumulative`, or `all`).
    include_estimates : False leaves out money attributed by an equal split.

    Returns
    -------
    CoverageMatrix: `.matrix("programs")`, `.matrix("obligation")`, `.gaps()`, `.to_frame()` (long form).

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("gov:JM", label="Government", name="Jamaica", countryCode="JM", cbsiRole="partner")
    >>> g.add_node("gov:BB", label="Government", name="Barbados", countryCode="BB", cbsiRole="partner")
    >>> g.add_node("objective:a", label="Objective", name="Reduce illicit trafficking")
    >>> g.add_node("program:p", label="Program", name="P")
    >>> _ = g.add_edge("program:p", "objective:a", key="ADVANCES", type="ADVANCES")
    >>> _ = g.add_edge("program:p", "gov:JM", key="OPERATES_IN", type="OPERATES_IN")
    >>> m = coverage_gaps(g)
    >>> m.matrix("programs").loc["objective:a"].to_dict(), m.gaps()
    ({'BB': 0, 'JM': 1}, [('objective:a', 'BB')])
    """
    if themes not in ("objective", "focus-area", "both"):
        raise ValueError("themes must be 'objective', 'focus-area' or 'both'")
    kinds = ["objective", "focus-area"] if themes == "both" else [themes]
    where = Slice.make(fiscal_years, countries, None)
    columns = sorted(where.countries) if where.countries is not None else _default_countries(graph)
    rows: list[str] = []
    theme_names: dict[str, str] = {}
    theme_kinds: dict[str, str] = {}
    programs_of: dict[str, set[str]] = {}
    for kind in kinds:
        rel_type, label = THEME_RELATIONSHIPS[kind]
        for node, attrs in sorted(graph.nodes(data=True)):
            if attrs.get("label") != label:
                continue
            rows.append(node)
            theme_names[node] = attrs.get("name", node)
            theme_kinds[node] = kind
            programs_of[node] = {
                p for p, _, d in graph.in_edges(node, data=True)
                if d.get("type") == rel_type and overlaps(
                    span_years(graph.nodes[p].get("startDate"), graph.nodes[p].get("endDate")), where.fiscal_years
                )
            }
    counts = pd.DataFrame(0, index=pd.Index(rows, name="theme"), columns=pd.Index(columns, name="country"),
                          dtype="int64")
    country_sets = {p: program_countries(graph, p) for ps in programs_of.values() for p in ps}
    for theme, programs in programs_of.items():
        for program in programs:
            for code in country_sets[program]:
                if code in counts.columns:
                    counts.at[theme, code] += 1
    wanted_flows = None if flow_types is None else set(flow_types)
    flows = [
        f for f in funding_flows(graph, Slice(where.fiscal_years))
        if wanted_flows is None or f.flow_type in wanted_flows
    ]
    flow_kinds = sorted({f.flow_type for f in flows} | (wanted_flows or set()))
    money_of = {
        kind: pd.DataFrame(0.0, index=counts.index.copy(), columns=counts.columns.copy()) for kind in flow_kinds
    }
    facts = [f.facts for f in flows if f.facts is not None]
    left_out: list[dict[str, object]] = []
    for kind in kinds:
        dims = ["flowType", THEME_DIMENSIONS[kind], "country"]
        result = money.aggregate(facts, dims, period_kinds(periods, money.default_period_kinds(dims)),
                                 include_estimates)
        for group in result.groups:
            theme_id, country = group.value(dims[1]), group.value("country")
            if theme_id not in programs_of or country is None:
                continue
            code = country_unit(graph, country)
            if code in counts.columns:
                money_of[str(group.value("flowType"))].at[theme_id, code] += group.total_usd
        if not left_out:  # the same figures are left out for either kind of theme
            left_out = left_out_records(result)
    country_names = _unit_names(graph, "country")
    return CoverageMatrix(
        themes=tuple(rows), theme_names=theme_names, theme_kinds=theme_kinds, countries=tuple(columns),
        country_names={c: country_names.get(c, c) for c in columns}, programs=counts, money=money_of,
        left_out=left_out,
    )
