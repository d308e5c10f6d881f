"""Money flows read off the graph: who provides each Funding, what it funds, who receives it, and where.

Why a module of its own: the funding view, concentration, coverage gaps and the funding plot all need the
same attribution rules, and all must keep figures of different `flowType`s apart (an appropriation, an
obligation and a disbursement of one dollar are not three dollars).

Attribution rules
-----------------
* Periods and countries follow `analysis.money`, the one money logic GraphQL's `fundingAggregate` uses too:
  a figure's period is a year, a range, open-ended, cumulative or undated (keyed `FY2016`, `FY2016-FY2018`,
  `FY2010-`, `-FY2022`, `cumulative ...`, `undated`); countries come from a source's stated shares
  (ALLOCATED_TO), else the funded programs' OPERATES_IN percentages, else an equal split (estimated).
  A country unit is the Government's ISO code (`JM`), or the id of an intergovernmental body (`igo:rss`).
* Amount: `amountUsd` (set for USD amounts; for other currencies only when a source gave it). A Funding
  without `amountUsd` is reported as *unconverted* and never summed.
* Implementers: its `RECEIVED_BY` actors; failing that, the actors in an intermediary role
  (`IMPLEMENTER_ROLES`) of the programs it funds. Split equally (estimated when more than one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from analysis import money
from analysis.results import Table
from analysis.slicing import (
    Slice,
    YearRange,
    equal_shares,
    funding_years,
)

FUNDER_ROLES: frozenset[str] = frozenset({"funding"})
IMPLEMENTER_ROLES: frozenset[str] = frozenset(
    {"accountable", "extending", "implementing", "managing", "coordinating", "staffing", "training", "partner"}
)
BENEFICIARY_ROLES: frozenset[str] = frozenset({"beneficiary"})


@dataclass(frozen=True)
class FundingFlow:
    """One Funding node with everything attributed to it."""

    id: str
    flow_type: str
    amount: float
    currency: str
    amount_usd: float | None
    years: YearRange | None
    funders: tuple[str, ...]
    recipients: tuple[str, ...]
    programs: dict[str, float]
    countries: dict[str, float]
    implementers: dict[str, float]
    sources: tuple[str, ...] = field(default=())
    facts: money.FundingFacts | None = field(default=None, repr=False, compare=False)

    @property
    def period(self) -> str:
        """The period key of `analysis.money` (`FY2016`, `FY2016-FY2018`, `FY2010-`, `-FY2022`, `cumulative ...`,
        `undated`): the same key in GraphQL, the CLI, plots and exports."""
        return self.period_of.key

    @property
    def period_of(self) -> money.Period:
        assert self.facts is not None
        return money.period_of(self.facts)


def country_unit(graph: nx.MultiDiGraph, node: str) -> str:
    """The analysis' unit for a country node of `analysis.money`: a Government's ISO code, else the node id."""
    return str(graph.nodes[node].get("countryCode") or node) if node in graph else node


def country_shares(graph: nx.MultiDiGraph, facts: money.FundingFacts) -> dict[str, float]:
    """Country unit -> share of the figure (`analysis.money.country_shares`); unattributed money is left out."""
    shares: dict[str, float] = defaultdict(float)
    for share in money.country_shares(facts):
        if share.id is not None:
            shares[country_unit(graph, share.id)] += share.share
    return dict(sorted(shares.items()))


def participants(graph: nx.MultiDiGraph, program: str, roles: frozenset[str] | None = None) -> dict[str, list[str]]:
    """Actors that PARTICIPATE_IN a program (optionally only in some roles) -> the sources of those edges."""
    found: dict[str, list[str]] = defaultdict(list)
    for actor, _, data in graph.in_edges(program, data=True):
        if data.get("type") == "PARTICIPATES_IN" and (roles is None or data.get("role") in roles):
            found[actor].extend(data.get("sources", []))
    return dict(found)


def funding_flows(graph: nx.MultiDiGraph, where: Slice | None = None) -> list[FundingFlow]:
    """Every Funding node in the slice, attributed (see the module docstring), sorted by id.

    A Funding is in the slice when its years overlap the range (undated ones are dropped once a range is
    given), when its countries meet the wanted ones, and when one of its funders is of a wanted actor type.

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("agency:inl", label="Agency", countryCode="US")
    >>> g.add_node("funding:f1", label="Funding", amount=5.0, amountUsd=5.0, currency="USD",
    ...            flowType="obligation", fiscalYear=2016)
    >>> _ = g.add_edge("agency:inl", "funding:f1", key="PROVIDES", type="PROVIDES", sources=["src:a"])
    >>> [(f.id, f.flow_type, f.amount_usd, f.funders) for f in funding_flows(g)]
    [('funding:f1', 'obligation', 5.0, ('agency:inl',))]
    """
    where = where or Slice()
    flows = []
    for node, attrs in sorted(graph.nodes(data=True)):
        if attrs.get("label") != "Funding":
            continue
        years = funding_years(attrs)
        if not _in_years(years, where.fiscal_years):
            continue
        funders, recipients, sources = [], [], set(attrs.get("sources", []))
        for start, _, data in graph.in_edges(node, data=True):
            if data.get("type") == "PROVIDES":
                funders.append(start)
                sources.update(data.get("sources", []))
        for _, end, data in graph.out_edges(node, data=True):
            if data.get("type") == "RECEIVED_BY":
                recipients.append(end)
            if data.get("type") in ("RECEIVED_BY", "FUNDS"):
                sources.update(data.get("sources", []))
        facts = money.facts_from_graph(graph, node)
        programs = {s.id: s.share for s in money.program_shares(facts) if s.id is not None}
        countries = country_shares(graph, facts)
        implementers: dict[str, float] = defaultdict(float)
        if recipients:
            implementers.update(equal_shares(recipients))
        else:
            for program, share in programs.items():
                for actor, part in equal_shares(participants(graph, program, IMPLEMENTER_ROLES)).items():
                    implementers[actor] += share * part
        if where.countries is not None and where.countries.isdisjoint(countries):
            continue
        if where.actor_types is not None and not any(
            graph.nodes[f].get("label") in where.actor_types for f in funders
        ):
            continue
        usd = attrs.get("amountUsd")
        flows.append(FundingFlow(
            id=node,
            flow_type=str(attrs.get("flowType", "other")),
            amount=float(attrs.get("amount", 0.0)),
            currency=str(attrs.get("currency", "USD")),
            amount_usd=None if usd is None else float(usd),
            years=years,
            funders=tuple(sorted(set(funders))),
            recipients=tuple(sorted(set(recipients))),
            programs=programs,
            countries=dict(sorted(countries.items())),
            implementers=dict(sorted(implementers.items())),
            sources=tuple(sorted(sources)),
            facts=facts,
        ))
    return flows


def _in_years(years: YearRange | None, wanted: YearRange | None) -> bool:
    if wanted is None:
        return True
    if years is None:
        return False
    lo, hi = wanted
    first, last = years
    return not ((lo is not None and last is not None and last < lo)
                or (hi is not None and first is not None and first > hi))


def period_kinds(value: Iterable[str] | str | None, default: Iterable[str]) -> frozenset[str]:
    """Period kinds from a list or text (`"year,range"`, `"all"`); `default` when None.

    >>> sorted(period_kinds("year,open", ())), len(period_kinds("all", ()))
    (['open', 'year'], 5)
    """
    if value is None:
        return frozenset(default)
    items = [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else list(value)
    if items == ["all"]:
        return frozenset(money.PERIOD_KINDS)
    unknown = set(items) - set(money.PERIOD_KINDS)
    if unknown:
        expected = ", ".join(money.PERIOD_KINDS)
        raise ValueError(f"unknown period kind(s): {', '.join(sorted(unknown))}; expected {expected} or all")
    return frozenset(items)


def left_out_records(result: money.Aggregate) -> list[dict[str, object]]:
    """What an aggregate did not sum, as plain rows (reason, flow type, fundings, USD)."""
    return [{"reason": x.reason, "flow_type": x.flow_type, "fundings": len(x.fundings), "amount_usd": x.amount_usd,
             "funding_ids": sorted(x.fundings)} for x in result.left_out]


@dataclass(frozen=True, slots=True)
class FundingPeriodRecord:
    """The money of one flow type in one period (a fiscal year, or a span as the source gives it)."""

    period: str
    fiscal_year_start: int | None
    fiscal_year_end: int | None
    flow_type: str
    amount_usd: float
    fundings: int
    unconverted: int
    period_kind: str = "year"


def funding_by_year(
    graph: nx.MultiDiGraph,
    fiscal_years: YearRange | int | str | None = None,
    countries: Iterable[str] | str | None = None,
    actor_types: Iterable[str] | str | None = None,
    include_cumulative: bool = False,
    periods: Iterable[str] | str | None = None,
) -> Table[FundingPeriodRecord]:
    """USD totals per fiscal period and flow type; the flow types are never added together.

    Every figure is keyed by its period as what it is (`analysis.money`): `FY2016`, a range `FY2016-FY2018`,
    open-ended `FY2010-` or `-FY2022`, or `undated` - never spread over years the source does not break down.
    Cumulative statements (`cumulative FY2010-FY2018`) are left out unless `include_cumulative`; what was left
    out is in `table.meta["left_out"]` (the CLI prints it on stderr).

    Parameters
    ----------
    graph : the CBSI MultiDiGraph.
    fiscal_years : `(first, last)` inclusive, either end None for open; or one year.
    countries : ISO codes; keeps funding attributed to those countries.
    actor_types : keeps funding provided by actors of those labels.
    include_cumulative : also list cumulative statements (each under its own `cumulative ...` key).
    periods : the period kinds to list (`year`, `range`, `open`, `undated`, `cumulative`, or `all`); default
        every kind but cumulative.

    Returns
    -------
    Table of `FundingPeriodRecord`, in chronological order of period, then flow type.

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> for i, (fy, kind, usd) in enumerate([(2016, "obligation", 3.0), (2016, "obligation", 2.0),
    ...                                      (2016, "disbursement", 1.0)]):
    ...     g.add_node(f"funding:{i}", label="Funding", amount=usd, amountUsd=usd, flowType=kind, fiscalYear=fy)
    >>> [(r.period, r.flow_type, r.amount_usd) for r in funding_by_year(g)]
    [('FY2016', 'disbursement', 1.0), ('FY2016', 'obligation', 5.0)]
    """
    where = Slice.make(fiscal_years, countries, actor_types)
    dims = ["fiscalYear", "flowType"]
    default = money.default_period_kinds(dims) | ({"cumulative"} if include_cumulative else set())
    kinds = period_kinds(periods, default)
    result = money.aggregate([f.facts for f in funding_flows(graph, where) if f.facts is not None], dims, kinds)
    rows = []
    for group in result.groups:
        key = group.value("fiscalYear") or "undated"
        period = money.period_from_key(key)
        rows.append(FundingPeriodRecord(key, period.start, period.end, str(group.value("flowType")),
                                        group.total_usd, len(group.fundings), len(group.unconverted), period.kind))
    return Table(rows, title="Funding by fiscal period and flow type (USD)", row_type=FundingPeriodRecord,
                 meta={"periods": sorted(kinds), "left_out": left_out_records(result)})


WHOLE_PROGRAM_ACCOUNTS: frozenset[str | None] = frozenset({None, "MULTIPLE"})


@dataclass(frozen=True, slots=True)
class FundingStatement:
    """One Funding node as its source states it: the figure, its period and whether it is annual.

    `annual` is True for a one-fiscal-year figure that is not a cumulative statement; everything else
    (multi-year spans, "since 2010" totals, cumulative statements, undated figures) is not annual and must not
    be drawn or added up as if it were.
    """

    id: str
    name: str
    flow_type: str
    amount_usd: float | None
    fiscal_year_start: int | None
    fiscal_year_end: int | None
    account: str | None
    cumulative: bool
    as_of: str | None
    subject: tuple[str, ...] = ()

    @property
    def annual(self) -> bool:
        start, end = self.fiscal_year_start, self.fiscal_year_end
        return start is not None and start == end and not self.cumulative

    @property
    def period(self) -> str:
        """`FY2016`, `FY2010-FY2018`, `since FY2010`, `to FY2022` or `undated`, `cumulative, ...` when it is one."""
        start, end = self.fiscal_year_start, self.fiscal_year_end
        if start is not None and end is not None:
            text = f"FY{start}" if start == end else f"FY{start}-FY{end}"
        elif start is not None:
            text = f"since FY{start}"
        elif end is not None:
            text = f"to FY{end}"
        else:
            text = "undated"
        if self.cumulative:
            text = f"cumulative, {text}" + (f", as of {self.as_of}" if self.as_of else "")
        return text


def funding_statements(
    graph: nx.MultiDiGraph,
    fiscal_years: YearRange | int | None = None,
    countries: Iterable[str] | str | None = None,
    actor_types: Iterable[str] | str | None = None,
) -> Table[FundingStatement]:
    """Every Funding in the slice as one statement, unsummed: the raw material of the funding plot.

    Parameters
    ----------
    graph : the CBSI MultiDiGraph.
    fiscal_years, countries, actor_types : the slice, as for `funding_flows`.

    Returns
    -------
    Table of `FundingStatement`, sorted by id.

    Example
    -------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("funding:a", label="Funding", name="FY2020 request", amount=40.0, amountUsd=40.0,
    ...            flowType="request", fiscalYear=2020)
    >>> g.add_node("funding:b", label="Funding", name="Since 2010", amount=500.0, amountUsd=500.0,
    ...            flowType="appropriation", fiscalYearStart=2010, fiscalYearEnd=2017, cumulative=True)
    >>> [(s.id, s.annual, s.period) for s in funding_statements(g)]
    [('funding:a', True, 'FY2020'), ('funding:b', False, 'cumulative, FY2010-FY2017')]
    """
    rows = []
    for flow in funding_flows(graph, Slice.make(fiscal_years, countries, actor_types)):
        attrs = graph.nodes[flow.id]
        start: int | None
        end: int | None
        if attrs.get("fiscalYear") is not None:  # fiscal years only: a calendar date is not a fiscal year
            start = end = int(attrs["fiscalYear"])
        else:
            start, end = (None if attrs.get(k) is None else int(attrs[k]) for k in ("fiscalYearStart", "fiscalYearEnd"))
        rows.append(FundingStatement(
            id=flow.id, name=str(attrs.get("name") or flow.id), flow_type=flow.flow_type, amount_usd=flow.amount_usd,
            fiscal_year_start=start, fiscal_year_end=end, account=attrs.get("account"),
            cumulative=bool(attrs.get("cumulative", False)), as_of=attrs.get("asOf"),
            subject=(*sorted(flow.programs), *flow.funders, "->", *flow.recipients),
        ))
    return Table(rows, title="Funding statements, unsummed", row_type=FundingStatement)


@dataclass(frozen=True, slots=True)
class AnnualFigure:
    """The figure of one kind for one fiscal year, and the other figures sources state for the same thing."""

    fiscal_year: int
    flow_type: str
    amount_usd: float
    others: tuple[float, ...]
    statements: int


def annual_figures(statements: Iterable[FundingStatement]) -> list[AnnualFigure]:
    """One figure per (fiscal year, flow type) from annual statements, without double counting.

    Sources often restate a figure (FY2020's appropriation is "$58 million" in one and "not less than $60
    million" in another) and split one into budget accounts (INCLE, ESF...). Adding those up would count money
    twice. So statements about the same thing (same `subject`: programs funded, funders, recipients) count
    once: its whole-program figures (no account, or `MULTIPLE`) when it has any, else its account figures, and of
    those the largest; the other distinct amounts are kept in `others`. Statements about different things (two
    grants in one year) are added. Statements without a USD amount are left out.

    Parameters
    ----------
    statements : `funding_statements(G)` (or any of its rows).

    Returns
    -------
    `AnnualFigure`s sorted by fiscal year, then flow type.

    Example
    -------
    >>> rows = [FundingStatement("f1", "a", "appropriation", 58.0, 2020, 2020, None, False, None),
    ...         FundingStatement("f2", "b", "appropriation", 60.0, 2020, 2020, None, False, None),
    ...         FundingStatement("f3", "c", "appropriation", 30.0, 2020, 2020, "INCLE", False, None)]
    >>> annual_figures(rows)
    [AnnualFigure(fiscal_year=2020, flow_type='appropriation', amount_usd=60.0, others=(58.0,), statements=2)]
    """
    groups: dict[tuple[int, str], dict[tuple[str, ...], list[FundingStatement]]] = defaultdict(
        lambda: defaultdict(list))
    for row in statements:
        if row.annual and row.amount_usd is not None and row.fiscal_year_start is not None:
            groups[(row.fiscal_year_start, row.flow_type)][row.subject].append(row)
    figures = []
    for (year, kind), subjects in sorted(groups.items()):
        total, others, counted = 0.0, [], 0
        for rows in subjects.values():
            whole = [r for r in rows if r.account in WHOLE_PROGRAM_ACCOUNTS] or rows
            amounts = sorted({float(r.amount_usd) for r in whole if r.amount_usd is not None}, reverse=True)
            total += amounts[0]
            others.extend(amounts[1:])
            counted += len(whole)
        figures.append(AnnualFigure(year, kind, total, tuple(sorted(others, reverse=True)), counted))
    return figures
