"""Slices of the graph: fiscal-year range, countries (ISO codes) and actor types, and the helpers behind them.

Why one module: every derived view (`cooperation_graph`, `funding_graph`, concentration, coverage) answers
"in these years, in these countries, among these kinds of actor" the same way, so the rules live here once.

Rules
-----
* Years. A Funding's years are `fiscalYear`, else `fiscalYearStart`..`fiscalYearEnd`, else the year of `date`.
  A Program's are the years of `startDate`..`endDate` (open-ended when one is missing); a Meeting's is the
  year of `date`; a membership's are `since`..`until`. A range keeps an item whose years overlap it.
  Money is counted strictly: a Funding with no year at all is dropped from a year-sliced view. Other items
  with no date are kept (the graph does not say they fall outside the range).
* Countries. An actor is *located* in its `countryCode`, or in the country of what it is `PART_OF`
  (an agency of a government). A Program is in a country it `OPERATES_IN`.
* Actor types. Node labels from `graph_seed.vocabulary.ACTOR_LABELS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph_seed import vocabulary as vocab

YearRange = tuple[int | None, int | None]


def year_of(value: Any) -> int | None:
    """The year of a partial date (`"2016"`, `"2016-05"`, `"2016-05-01"`) or an int; None if there is none.

    >>> year_of("2016-05"), year_of(2019), year_of(None)
    (2016, 2019, None)
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None


def funding_years(attrs: Mapping[str, Any]) -> YearRange | None:
    """The fiscal years a Funding node covers, as an inclusive `(start, end)`; None when undated.

    A figure stated "since 2010" or "to 2022" keeps its open end (None): it is not a one-year figure.

    >>> funding_years({"fiscalYear": 2016}), funding_years({"fiscalYearStart": 2016, "fiscalYearEnd": 2018})
    ((2016, 2016), (2016, 2018))
    >>> funding_years({"fiscalYearStart": 2010}), funding_years({"fiscalYearEnd": 2022})
    ((2010, None), (None, 2022))
    """
    if attrs.get("fiscalYear") is not None:
        return int(attrs["fiscalYear"]), int(attrs["fiscalYear"])
    start, end = attrs.get("fiscalYearStart"), attrs.get("fiscalYearEnd")
    if start is not None or end is not None:
        return (None if start is None else int(start)), (None if end is None else int(end))
    year = year_of(attrs.get("date"))
    return (year, year) if year is not None else None


def span_years(start: Any, end: Any) -> YearRange | None:
    """An inclusive, possibly open-ended year span from two partial dates; None when both are missing."""
    first, last = year_of(start), year_of(end)
    if first is None and last is None:
        return None
    return first, last


def overlaps(years: YearRange | None, wanted: YearRange | None, strict: bool = False) -> bool:
    """Does an item's year span overlap the wanted range? Undated items pass unless `strict`.

    >>> overlaps((2014, 2016), (2016, None)), overlaps((2010, 2012), (2016, 2018)), overlaps(None, (2016, 2016))
    (True, False, True)
    """
    if wanted is None:
        return True
    if years is None:
        return not strict
    lo, hi = wanted
    start, end = years
    if lo is not None and end is not None and end < lo:
        return False
    return not (hi is not None and start is not None and start > hi)


def actor_countries(graph: nx.MultiDiGraph, node: str, _depth: int = 0) -> frozenset[str]:
    """Where an actor is located: its own `countryCode`, else that of whatever it is `PART_OF` (3 levels).

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("gov:US", label="Government", countryCode="US")
    >>> g.add_node("agency:inl", label="Agency")
    >>> g.add_edge("agency:inl", "gov:US", key="PART_OF", type="PART_OF")
    'PART_OF'
    >>> sorted(actor_countries(g, "agency:inl"))
    ['US']
    """
    code = graph.nodes[node].get("countryCode")
    if code:
        return frozenset({code})
    if _depth >= 3:
        return frozenset()
    found: set[str] = set()
    for _, parent, data in graph.out_edges(node, data=True):
        if data.get("type") == "PART_OF":
            found |= actor_countries(graph, parent, _depth + 1)
    return frozenset(found)


def program_countries(graph: nx.MultiDiGraph, program: str) -> dict[str, float]:
    """The countries a program operates in, with each one's share (OPERATES_IN `percentage`, else equal).

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("gov:JM", label="Government", countryCode="JM")
    >>> g.add_node("gov:BB", label="Government", countryCode="BB")
    >>> _ = g.add_edge("program:p", "gov:JM", key="OPERATES_IN", type="OPERATES_IN", percentage=75.0)
    >>> _ = g.add_edge("program:p", "gov:BB", key="OPERATES_IN", type="OPERATES_IN", percentage=25.0)
    >>> program_countries(g, "program:p")
    {'BB': 0.25, 'JM': 0.75}
    """
    weights: dict[str, float | None] = {}
    for _, target, data in graph.out_edges(program, data=True):
        code = graph.nodes[target].get("countryCode")
        if data.get("type") == "OPERATES_IN" and code:
            weights[code] = data.get("percentage")
    return _shares(weights)


def _shares(weights: Mapping[str, float | None]) -> dict[str, float]:
    """Normalise weights to shares summing to 1; equal shares unless every weight is known and positive."""
    if not weights:
        return {}
    known = [w for w in weights.values() if w is not None]
    if len(known) == len(weights) and sum(known) > 0:
        total = float(sum(known))
        return {key: float(w) / total for key, w in sorted(weights.items()) if w is not None}
    return {key: 1.0 / len(weights) for key in sorted(weights)}


def equal_shares(keys: Iterable[str]) -> dict[str, float]:
    """Equal shares over distinct keys, sorted."""
    return _shares(dict.fromkeys(keys))


def _split(values: Iterable[str] | str) -> list[str]:
    if isinstance(values, str):
        return [v.strip() for v in values.split(",") if v.strip()]
    return list(values)


def parse_years(value: YearRange | int | str | None) -> YearRange | None:
    """A year range from a pair, one year, or text (`"2016"`, `"2016-2020"`, `"2016-"`, `"-2020"`, `"2016:2020"`).

    >>> parse_years("2016-2020"), parse_years("2018"), parse_years("2016-"), parse_years((None, 2020))
    ((2016, 2020), (2018, 2018), (2016, None), (None, 2020))
    """
    if value is None:
        return None
    if isinstance(value, int):
        return value, value
    if isinstance(value, str):
        text = value.strip().replace(":", "-")
        if "-" not in text:
            return int(text), int(text)
        lo, hi = text.split("-", 1)
        return (int(lo) if lo.strip() else None, int(hi) if hi.strip() else None)
    first, last = value
    return (None if first is None else int(first), None if last is None else int(last))


@dataclass(frozen=True)
class Slice:
    """A fiscal-year range, a set of ISO country codes and a set of actor labels; None means "all"."""

    fiscal_years: YearRange | None = None
    countries: frozenset[str] | None = None
    actor_types: frozenset[str] | None = None

    @classmethod
    def make(
        cls,
        fiscal_years: YearRange | int | str | None = None,
        countries: Iterable[str] | str | None = None,
        actor_types: Iterable[str] | str | None = None,
    ) -> Slice:
        """Build a slice from loose arguments, validating labels.

        Years as `parse_years`; countries and actor types as lists or comma-separated text (`"JM,BB"`).
        """
        years = parse_years(fiscal_years)
        codes = None if countries is None else frozenset(_split(countries))
        types = None if actor_types is None else frozenset(_split(actor_types))
        if types is not None and types - set(vocab.ACTOR_LABELS):
            unknown = ", ".join(sorted(types - set(vocab.ACTOR_LABELS)))
            raise ValueError(f"unknown actor type(s): {unknown}; expected one of {', '.join(vocab.ACTOR_LABELS)}")
        return cls(years, codes, types)

    def keeps_actor(self, attrs: Mapping[str, Any]) -> bool:
        label = attrs.get("label")
        return label in vocab.ACTOR and (self.actor_types is None or label in self.actor_types)

    def keeps_countries(self, codes: Iterable[str]) -> bool:
        return self.countries is None or not self.countries.isdisjoint(codes)
