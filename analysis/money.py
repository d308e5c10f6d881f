"""One money logic: how a Funding figure is keyed by period and attributed to countries, programs and actors.

Why one module: GraphQL's `fundingAggregate` and the analysis (`concentration`, `funding-by-year`, the funding
plot and exports) must give the same totals for the same graph. Both build `FundingFacts` (GraphQL from one
Cypher row per batch of Fundings that split alike, analysis from the networkx graph with `facts_from_graph`)
and call `parts` and `aggregate` (or `aggregate_batches`) here. Nothing in this module reads a database or a
graph library.

Periods (`period_of`)
---------------------
A figure is exactly one of:

* ``year``: one fiscal year (`fiscalYear`, or the year of `date`), keyed ``FY2016``;
* ``range``: a closed multi-year span (`fiscalYearStart`..`fiscalYearEnd`), keyed ``FY2016-FY2018``;
* ``open``: a span with one end missing ("since 2010", "through 2022"), keyed ``FY2010-`` or ``-FY2022``;
* ``cumulative``: a running total a source states (`cumulative: true`), keyed ``cumulative FY2010-FY2018``,
  ``cumulative FY2010-``, ``cumulative -FY2022`` (or ``cumulative``);
* ``undated``: no year at all, keyed ``undated``.

Summing (`aggregate`): figures of different flow types are never summed together (the caller keys by flow type
or picks one). Only the period kinds asked for are summed (`period_kinds`); by default, when the grouping keys
by period every kind but ``cumulative`` is kept (each figure sits under its own period key, so nothing
overlapping is added up), and otherwise only ``year`` figures are summed - a multi-year, open or undated figure
could overlap the annual ones. What is left out is reported (`Aggregate.left_out`), never dropped silently.
Self-funding: grouped by recipient, the share of a figure its own provider receives (provider = recipient, a
loop) is no money going anywhere; it is left out with reason ``self-funding`` (GraphQL `leftOut`, the
analysis' implementer rankings alike).

Attribution (`parts`) - one fall-back order
-------------------------------------------
Countries (the ``country`` dimension: a Government, or an intergovernmental body a source names):

1. **stated shares**: the Funding's ALLOCATED_TO edges (a `percentage`, or an `amount` over the Funding's
   `amount`). What the stated shares leave over stays unattributed (country null): it is never guessed.
2. **OPERATES_IN**: else each funded program's share goes to the countries it OPERATES_IN, by `percentage`
   when every one of them has one (a single country takes the whole share);
3. **equal split, estimated**: else equally over the program's countries; a program with no country (or a
   Funding with no program) goes equally to its recipients' countries: a recipient Government or
   intergovernmental body itself, any other recipient through the Government it is PART_OF (up to 3 levels).
4. Failing all of these the money stays unattributed (country null).

Programs split by the FUNDS `percentage` when every FUNDS edge has one, else equally; objectives and focus areas
of a program, funders and recipients equally. A share is **stated** when a source gave it (a percentage, an
amount, or a single target taking the whole) and **estimated** when it comes from an equal split over two or
more. Only the dimensions grouped by count: a part is estimated when one of its grouped shares is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

PERIOD_KINDS: tuple[str, ...] = ("year", "range", "open", "undated", "cumulative")
DIMENSIONS: tuple[str, ...] = (
    "flowType", "fiscalYear", "country", "funder", "recipient", "program", "objective", "focusArea")
PROGRAM_DIMENSIONS: tuple[str, ...] = ("program", "country", "objective", "focusArea")
COUNTRY_BODIES: frozenset[str] = frozenset({"Government", "IntergovernmentalOrganization"})
PART_OF_DEPTH = 3

Key = tuple[tuple[str, str | None, str | None], ...]  # ((dimension, value, name), ...)


# --- facts -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A node named by a Funding: its id and name."""

    id: str
    name: str | None = None


@dataclass(frozen=True)
class Weighted:
    """A node with the percentage (or amount) a relationship states for it, if any."""

    id: str
    name: str | None = None
    percentage: float | None = None
    amount: float | None = None


@dataclass(frozen=True)
class ProgramLink:
    """A program a Funding FUNDS, with what the attribution needs of it."""

    id: str
    name: str | None = None
    percentage: float | None = None
    countries: tuple[Weighted, ...] = ()
    objectives: tuple[Ref, ...] = ()
    focus_areas: tuple[Ref, ...] = ()


@dataclass(frozen=True)
class RecipientLink:
    """A RECEIVED_BY actor and the country unit it stands for (itself, its Government, or none)."""

    id: str
    name: str | None = None
    country: Ref | None = None


@dataclass(frozen=True)
class FundingFacts:
    """Everything the money logic reads of one Funding."""

    id: str
    flow_type: str
    amount: float | None = None
    amount_usd: float | None = None
    fiscal_year: int | None = None
    fiscal_year_start: int | None = None
    fiscal_year_end: int | None = None
    date: str | None = None
    cumulative: bool = False
    funders: tuple[Ref, ...] = ()
    recipients: tuple[RecipientLink, ...] = ()
    programs: tuple[ProgramLink, ...] = ()
    allocations: tuple[Weighted, ...] = ()

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> FundingFacts:
        """From a mapping shaped like `resolvers.aggregates.FUNDING_BATCHES` rows (camelCase keys)."""

        def ref(item: Mapping[str, Any]) -> Ref:
            return Ref(str(item["id"]), item.get("name"))

        def weighted(item: Mapping[str, Any]) -> Weighted:
            return Weighted(str(item["id"]), item.get("name"), _number(item.get("percentage")),
                            _number(item.get("amount")))

        return cls(
            id=str(row["id"]),
            flow_type=str(row.get("flowType") or "other"),
            amount=_number(row.get("amount")),
            amount_usd=_number(row.get("amountUsd")),
            fiscal_year=_int(row.get("fiscalYear")),
            fiscal_year_start=_int(row.get("fiscalYearStart")),
            fiscal_year_end=_int(row.get("fiscalYearEnd")),
            date=None if row.get("date") is None else str(row["date"]),
            cumulative=bool(row.get("cumulative") or False),
            funders=tuple(sorted((ref(f) for f in row.get("funders") or ()), key=lambda r: r.id)),
            recipients=tuple(sorted(
                (RecipientLink(str(r["id"]), r.get("name"), ref(r["country"]) if r.get("country") else None)
                 for r in row.get("recipients") or ()), key=lambda r: r.id)),
            programs=tuple(sorted((
                ProgramLink(
                    str(p["id"]), p.get("name"), _number(p.get("percentage")),
                    tuple(sorted((weighted(c) for c in p.get("countries") or ()), key=lambda c: c.id)),
                    tuple(sorted((ref(o) for o in p.get("objectives") or ()), key=lambda o: o.id)),
                    tuple(sorted((ref(o) for o in p.get("focusAreas") or ()), key=lambda o: o.id)),
                ) for p in row.get("programs") or ()), key=lambda p: p.id)),
            allocations=tuple(sorted((weighted(a) for a in row.get("allocations") or ()), key=lambda a: a.id)),
        )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _typed_edges(edges: Iterable[tuple[str, str, Mapping[str, Any]]], rel_type: str) -> list[tuple[str, str, Any]]:
    return sorted(((a, b, d) for a, b, d in edges if d.get("type") == rel_type), key=lambda e: (e[0], e[1]))


def recipient_country(graph: Any, actor: str, _depth: int = 0) -> Ref | None:
    """The country unit a recipient stands for: itself if a Government or intergovernmental body, else the
    Government it is PART_OF (following PART_OF up to 3 levels); None for anything else."""
    attrs = graph.nodes[actor]
    if attrs.get("label") in COUNTRY_BODIES:
        return Ref(actor, attrs.get("name"))
    if _depth >= PART_OF_DEPTH:
        return None
    for _, parent, _data in _typed_edges(graph.out_edges(actor, data=True), "PART_OF"):
        if graph.nodes[parent].get("label") == "Government":
            return Ref(parent, graph.nodes[parent].get("name"))
        found = recipient_country(graph, parent, _depth + 1)
        if found is not None and graph.nodes[found.id].get("label") == "Government":
            return found
    return None


def facts_from_graph(graph: Any, funding: str) -> FundingFacts:
    """The facts of one Funding node of a CBSI MultiDiGraph (`analysis.from_records()` / `from_neo4j()`)."""

    def name(node: str) -> str | None:
        return graph.nodes[node].get("name")

    attrs = graph.nodes[funding]
    programs = []
    for _, program, data in _typed_edges(graph.out_edges(funding, data=True), "FUNDS"):
        out = list(graph.out_edges(program, data=True))
        programs.append({
            "id": program, "name": name(program), "percentage": data.get("percentage"),
            "countries": [{"id": g, "name": name(g), "percentage": d.get("percentage")}
                          for _, g, d in _typed_edges(out, "OPERATES_IN")],
            "objectives": [{"id": o, "name": name(o)} for _, o, _d in _typed_edges(out, "ADVANCES")],
            "focusAreas": [{"id": o, "name": name(o)} for _, o, _d in _typed_edges(out, "ADDRESSES")],
        })
    recipients = []
    for _, actor, _data in _typed_edges(graph.out_edges(funding, data=True), "RECEIVED_BY"):
        country = recipient_country(graph, actor)
        recipients.append({"id": actor, "name": name(actor),
                           "country": None if country is None else {"id": country.id, "name": country.name}})
    row = {
        **{k: attrs.get(k) for k in ("flowType", "amount", "amountUsd", "fiscalYear", "fiscalYearStart",
                                     "fiscalYearEnd", "date", "cumulative")},
        "id": funding,
        "funders": [{"id": a, "name": name(a)} for a, _, _d in _typed_edges(graph.in_edges(funding, data=True),
                                                                          "PROVIDES")],
        "recipients": recipients,
        "programs": programs,
        "allocations": [{"id": t, "name": name(t), "percentage": d.get("percentage"), "amount": d.get("amount")}
                        for _, t, d in _typed_edges(graph.out_edges(funding, data=True), "ALLOCATED_TO")],
    }
    return FundingFacts.from_row(row)


def all_facts(graph: Any) -> list[FundingFacts]:
    """The facts of every Funding node of the graph, sorted by id."""
    return [facts_from_graph(graph, n) for n, d in sorted(graph.nodes(data=True)) if d.get("label") == "Funding"]


# --- periods -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    """What period a figure covers: a `kind` of `PERIOD_KINDS` and its first and last fiscal years."""

    kind: str
    start: int | None = None
    end: int | None = None

    @property
    def key(self) -> str:
        """The one key every grouping uses (GraphQL, CLI, plots, exports).

        >>> [Period(*p).key for p in [("year", 2016, 2016), ("range", 2016, 2018), ("open", 2010, None),
        ...                           ("open", None, 2022), ("undated",), ("cumulative", 2010, 2018)]]
        ['FY2016', 'FY2016-FY2018', 'FY2010-', '-FY2022', 'undated', 'cumulative FY2010-FY2018']
        """
        if self.kind == "undated":
            return "undated"
        if self.kind == "year":
            return f"FY{self.start}"
        span = f"{'' if self.start is None else f'FY{self.start}'}-{'' if self.end is None else f'FY{self.end}'}"
        if self.kind == "cumulative":
            return "cumulative" if span == "-" else f"cumulative {span}"
        return span

    @property
    def sort_key(self) -> tuple[int, int, int, str]:
        """Chronological: by first year (or last when open at the start), then last; undated last."""
        if self.kind == "undated":
            return (1, 0, 0, self.kind)
        first = self.start if self.start is not None else (self.end or 0)
        return (0, first, self.end if self.end is not None else 9999, self.kind)


def _year_of(value: Any) -> int | None:
    text = None if value is None else str(value)
    return int(text[:4]) if text and len(text) >= 4 and text[:4].isdigit() else None


def period_of(facts: FundingFacts) -> Period:
    """The period of one figure (see the module docstring)."""
    start, end = facts.fiscal_year_start, facts.fiscal_year_end
    if facts.fiscal_year is not None:
        start = end = facts.fiscal_year
    elif start is None and end is None:
        start = end = _year_of(facts.date)
    if facts.cumulative:
        return Period("cumulative", start, end)
    if start is None and end is None:
        return Period("undated")
    if start == end:
        return Period("year", start, end)
    if start is None or end is None:
        return Period("open", start, end)
    return Period("range", start, end)


def period_key(attrs: Mapping[str, Any]) -> str:
    """The period key of a Funding given as its properties (`fiscalYear`, `fiscalYearStart`, ..., `cumulative`).

    >>> period_key({"fiscalYearStart": 2010, "flowType": "provided"})
    'FY2010-'
    """
    return period_of(FundingFacts.from_row({"id": "", **attrs})).key


def default_period_kinds(dims: Sequence[str]) -> frozenset[str]:
    """Every kind but cumulative when grouped by period; else only single years."""
    if "fiscalYear" in dims:
        return frozenset(PERIOD_KINDS) - {"cumulative"}
    return frozenset({"year"})


# --- attribution -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """One unit's share of a figure, and whether a source stated it (False: an equal split, estimated)."""

    id: str | None
    name: str | None
    share: float
    stated: bool


def _by_percentage(items: Sequence[Weighted]) -> list[Share]:
    """By percentage when every item has one (normalised), a single item whole, else equal and estimated."""
    if not items:
        return []
    weights = [i.percentage for i in items]
    if len(items) > 1 and all(w is not None for w in weights) and sum(weights) > 0:  # type: ignore[arg-type]
        total = float(sum(weights))  # type: ignore[arg-type]
        return [Share(i.id, i.name, float(w) / total, True) for i, w in zip(items, weights, strict=True)]  # type: ignore[arg-type]
    return _equal([(i.id, i.name) for i in items])


def _equal(items: Sequence[tuple[str, str | None]]) -> list[Share]:
    unique = list(dict.fromkeys(items))
    return [Share(i, n, 1.0 / len(unique), len(unique) == 1) for i, n in unique]


def _unattributed(share: float = 1.0, stated: bool = True) -> Share:
    return Share(None, None, share, stated)


def allocation_shares(facts: FundingFacts) -> list[Share]:
    """Step 1: the stated ALLOCATED_TO shares, the rest unattributed; empty when the source states none."""
    shares: dict[tuple[str, str | None], float] = {}
    for item in facts.allocations:
        if item.percentage is not None:
            part = item.percentage / 100.0
        elif item.amount is not None and facts.amount:
            part = item.amount / facts.amount
        else:
            continue
        shares[(item.id, item.name)] = shares.get((item.id, item.name), 0.0) + part
    if not shares:
        return []
    total = sum(shares.values())
    scale = 1.0 / total if total > 1.0 else 1.0  # sources stating more than the whole: scaled to the whole
    out = [Share(i, n, s * scale, True) for (i, n), s in shares.items()]
    rest = 1.0 - total * scale
    if rest > 1e-9:
        out.append(_unattributed(rest))
    return out


def recipient_shares(facts: FundingFacts) -> list[Share]:
    """Step 3b: equally over the recipients' country units; empty when none stands for a country."""
    return _equal([(r.country.id, r.country.name) for r in facts.recipients if r.country is not None])


def program_country_shares(facts: FundingFacts, program: ProgramLink) -> list[Share]:
    """Steps 2-4 for one funded program's share."""
    return _by_percentage(program.countries) or recipient_shares(facts) or [_unattributed()]


def program_shares(facts: FundingFacts) -> list[Share]:
    """The funded programs, by FUNDS percentage when all have one, else equally."""
    return _by_percentage([Weighted(p.id, p.name, p.percentage) for p in facts.programs])


def country_shares(facts: FundingFacts) -> list[Share]:
    """The whole fall-back order for the country dimension alone (shares of one unit merged)."""
    merged: dict[str | None, Share] = {}
    for part in parts(facts, ["country"]):
        value, name = part.values["country"]
        old = merged.get(value)
        merged[value] = Share(value, name, part.share + (old.share if old else 0.0),
                              part.stated and (old.stated if old else True))
    return sorted(merged.values(), key=lambda s: (s.id is None, s.id or ""))


@dataclass(frozen=True)
class Part:
    """One piece of a figure: the value (id, name) of every grouped dimension, its share, stated or estimated."""

    values: dict[str, tuple[str | None, str | None]]
    share: float
    stated: bool


def _program_parts(facts: FundingFacts, dims: Sequence[str]) -> list[Part]:
    wanted = [d for d in PROGRAM_DIMENSIONS if d in dims]
    if not wanted:
        return [Part({}, 1.0, True)]
    nothing: dict[str, tuple[str | None, str | None]] = {d: (None, None) for d in wanted}
    stated_countries = allocation_shares(facts) if "country" in wanted else []
    programs = program_shares(facts)
    if not programs:
        if "country" not in wanted:
            return [Part(nothing, 1.0, True)]
        countries = stated_countries or recipient_shares(facts) or [_unattributed()]
        return [Part({**nothing, "country": (c.id, c.name)}, c.share, c.stated) for c in countries]
    by_id = {p.id: p for p in facts.programs}
    per_program: list[tuple[Share, dict[Key, tuple[float, bool]]]] = []
    for program_share in programs:
        program = by_id[program_share.id]  # type: ignore[index]
        options: list[list[tuple[str, Share]]] = []
        for dim in wanted:
            if dim == "program":
                options.append([("program", Share(program.id, program.name, 1.0, True))])
            elif dim == "country":
                countries = stated_countries or program_country_shares(facts, program)
                options.append([("country", c) for c in countries])
            else:
                items = program.objectives if dim == "objective" else program.focus_areas
                options.append([(dim, s) for s in _equal([(i.id, i.name) for i in items])] or
                               [(dim, _unattributed())])
        dist: dict[Key, tuple[float, bool]] = {}
        for combo in product(*options):
            share, stated = 1.0, True
            for _dim, s in combo:
                share *= s.share
                stated = stated and s.stated
            key: Key = tuple((dim, s.id, s.name) for dim, s in combo)
            old_share, old_stated = dist.get(key, (0.0, True))
            dist[key] = (old_share + share, old_stated and stated)
        per_program.append((program_share, dist))
    # A key's share depends on the program split only when the programs give it different shares: then an
    # estimated program split makes it an estimate too.
    split_stated = all(p.stated for p, _ in per_program)
    merged: dict[Key, tuple[float, bool]] = {}
    for program_share, dist in per_program:
        for key, (share, stated) in dist.items():
            old_share, old_stated = merged.get(key, (0.0, True))
            merged[key] = (old_share + program_share.share * share, old_stated and stated)
    out = []
    for key, (share, stated) in merged.items():
        same_everywhere = len({round(dist.get(key, (0.0, True))[0], 12) for _p, dist in per_program}) == 1
        values = {dim: (value, name) for dim, value, name in key}
        out.append(Part(values, share, stated and (split_stated or same_everywhere)))
    return out


def parts(facts: FundingFacts, dims: Sequence[str]) -> list[Part]:
    """How one figure splits over the values of the grouped dimensions (shares sum to 1).

    >>> f = FundingFacts("funding:x", "obligation", 100.0, 100.0, fiscal_year=2016,
    ...     allocations=(Weighted("gov:JM", "Jamaica", percentage=19.0),),
    ...     programs=(ProgramLink("program:p", countries=(Weighted("gov:JM"), Weighted("gov:BB"))),))
    >>> [(p.values["country"][0], round(p.share, 2), p.stated) for p in parts(f, ["country"])]
    [('gov:JM', 0.19, True), (None, 0.81, True)]
    """
    simple: list[list[Part]] = [_program_parts(facts, dims)]
    if "flowType" in dims:
        simple.append([Part({"flowType": (facts.flow_type, facts.flow_type)}, 1.0, True)])
    if "fiscalYear" in dims:
        key = period_of(facts).key
        simple.append([Part({"fiscalYear": (key, key)}, 1.0, True)])
    for dim, items in (("funder", [(f.id, f.name) for f in facts.funders]),
                       ("recipient", [(r.id, r.name) for r in facts.recipients])):
        if dim in dims:
            simple.append([Part({dim: (s.id, s.name)}, s.share, s.stated) for s in _equal(items)]
                          or [Part({dim: (None, None)}, 1.0, True)])
    out = []
    for combo in product(*simple):
        values: dict[str, tuple[str | None, str | None]] = {}
        share, stated = 1.0, True
        for part in combo:
            values.update(part.values)
            share *= part.share
            stated = stated and part.stated
        out.append(Part(values, share, stated))
    return out


# --- aggregation -------------------------------------------------------------------------------------------


@dataclass
class Group:
    """The total of one combination of key values, split into stated and estimated money."""

    key: Key
    stated_usd: float = 0.0
    estimated_usd: float = 0.0
    fundings: set[str] = field(default_factory=set)
    unconverted: set[str] = field(default_factory=set)
    min_usd: float | None = None
    max_usd: float | None = None

    @property
    def total_usd(self) -> float:
        return self.stated_usd + self.estimated_usd

    @property
    def count(self) -> int:
        return len(self.fundings | self.unconverted)

    def value(self, dim: str) -> str | None:
        return next((v for d, v, _n in self.key if d == dim), None)


@dataclass
class LeftOut:
    """Money a grouping did not sum, and why: a period kind not asked for, or estimates left out."""

    # a period kind (`range`, `open`, `undated`, `cumulative`, `year`), `estimated`, or `self-funding` (grouped by
    # recipient, the share a figure's own provider receives: a loop, no money going anywhere)
    reason: str
    flow_type: str
    fundings: set[str] = field(default_factory=set)
    amount_usd: float = 0.0


@dataclass
class Aggregate:
    dims: list[str]
    period_kinds: frozenset[str]
    include_estimates: bool
    groups: list[Group]
    left_out: list[LeftOut]


def _sort_value(dim: str, value: str | None) -> tuple[Any, ...]:
    if value is None:
        return (1,)
    if dim == "fiscalYear":
        return (0, *period_from_key(value).sort_key)
    return (0, value)


def period_from_key(key: str) -> Period:
    """The period of a period key (the inverse of `Period.key`)."""
    if key == "undated":
        return Period("undated")
    kind = "cumulative" if key.startswith("cumulative") else None
    text = key.removeprefix("cumulative").strip()
    if not text:
        return Period("cumulative")
    first, _sep, last = text.partition("-")
    start = int(first[2:]) if first else None
    end = int(last[2:]) if last else (start if not _sep else None)
    if kind is None:
        kind = "year" if not _sep else ("range" if start is not None and end is not None else "open")
    return Period(kind, start, end)


@dataclass(frozen=True)
class FundingBatch:
    """Fundings whose facts the rules read alike (one row of a read grouped inside Neo4j), as one: `facts` holds
    what they share (its `id` and `amount_usd` are not read), `ids` those with `amountUsd`, `usd` their sum
    and `min_usd`/`max_usd` their extremes, `unconverted` those without."""

    facts: FundingFacts
    ids: tuple[str, ...]
    unconverted: tuple[str, ...] = ()
    usd: float = 0.0
    min_usd: float | None = None
    max_usd: float | None = None

    @classmethod
    def of(cls, fact: FundingFacts) -> FundingBatch:
        """One Funding alone."""
        usd = fact.amount_usd
        if usd is None:
            return cls(fact, (), (fact.id,))
        return cls(fact, (fact.id,), (), usd, usd, usd)


def aggregate(facts: Iterable[FundingFacts], dims: Sequence[str], period_kinds: Iterable[str] | None = None,
              include_estimates: bool = True) -> Aggregate:
    """Group the figures by `dims` (values of `DIMENSIONS`), summing `amountUsd` shares.

    `period_kinds`: the kinds of period summed (default `default_period_kinds(dims)`); `include_estimates`:
    False leaves out the estimated parts (equal splits). Grouped by `recipient`, a recipient that also provides
    the figure (a self-funding loop) is left out with reason `self-funding`, as the analysis' implementer
    rankings do. Figures without `amountUsd` are only counted
    (`unconverted`). The caller keeps flow types apart (`flowType` among `dims`, or one flow type chosen).

    >>> a = aggregate([FundingFacts("funding:a", "obligation", 5.0, 5.0, fiscal_year=2016),
    ...                FundingFacts("funding:b", "obligation", 9.0, 9.0, fiscal_year_start=2010)], ["flowType"])
    >>> [(g.key, g.total_usd) for g in a.groups], [(x.reason, x.amount_usd) for x in a.left_out]
    ([((('flowType', 'obligation', 'obligation'),), 5.0)], [('open', 9.0)])
    """
    return aggregate_batches((FundingBatch.of(fact) for fact in facts), dims, period_kinds, include_estimates)


def aggregate_batches(batches: Iterable[FundingBatch], dims: Sequence[str], period_kinds: Iterable[str] | None = None,
                      include_estimates: bool = True) -> Aggregate:
    """`aggregate` over batches of Fundings that split alike: each batch is split once (`parts`) and its summed
    `usd` shared out, so a grouped read (GraphQL's `fundingAggregate`) need not ship one row per Funding.
    A batch of one Funding (`FundingBatch.of`) adds exactly what that Funding adds."""
    dims = list(dims)
    kinds = default_period_kinds(dims) if period_kinds is None else frozenset(period_kinds)
    unknown = kinds - set(PERIOD_KINDS)
    if unknown:
        raise ValueError(f"unknown period kind(s) {', '.join(sorted(unknown))}; expected {', '.join(PERIOD_KINDS)}")
    groups: dict[Key, Group] = {}
    left: dict[tuple[str, str], LeftOut] = {}

    def leave(reason: str, flow_type: str, ids: Iterable[str], usd: float) -> None:
        item = left.setdefault((reason, flow_type), LeftOut(reason, flow_type))
        item.fundings.update(ids)
        item.amount_usd += usd

    by_recipient = "recipient" in dims
    for batch in batches:
        fact, usd = batch.facts, batch.usd
        everyone = batch.ids + batch.unconverted
        period = period_of(fact)
        if period.kind not in kinds:
            leave(period.kind, fact.flow_type, everyone, usd)
            continue
        funders = {f.id for f in fact.funders} if by_recipient else set()
        for part in parts(fact, dims):
            key: Key = tuple((d, *part.values[d]) for d in dims)
            if by_recipient and part.values["recipient"][0] in funders:
                leave("self-funding", fact.flow_type, everyone, usd * part.share)  # no money went anywhere
                continue
            if batch.ids and not part.stated and not include_estimates:
                leave("estimated", fact.flow_type, batch.ids, usd * part.share)
                if not batch.unconverted:
                    continue
                groups.setdefault(key, Group(key)).unconverted.update(batch.unconverted)
                continue
            group = groups.setdefault(key, Group(key))
            group.unconverted.update(batch.unconverted)
            if not batch.ids:
                continue
            group.fundings.update(batch.ids)
            if part.stated:
                group.stated_usd += usd * part.share
            else:
                group.estimated_usd += usd * part.share
            low, high = batch.min_usd, batch.max_usd
            if low is not None:
                group.min_usd = low if group.min_usd is None else min(group.min_usd, low)
            if high is not None:
                group.max_usd = high if group.max_usd is None else max(group.max_usd, high)
    ordered = sorted(groups.values(), key=lambda g: tuple(_sort_value(d, v) for d, v, _n in g.key))
    left_out = sorted(left.values(), key=lambda x: (x.reason, x.flow_type))
    return Aggregate(dims, kinds, include_estimates, ordered, left_out)
