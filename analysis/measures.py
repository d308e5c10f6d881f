"""The measure registry: name -> function `(G: nx.MultiDiGraph, **options) -> result with .to_frame()`.

Why: the CLI (`cbsi-graph analyze NAME`) and the GraphQL layer call measures by name on the full graph; each
entry here picks the right derived view, applies the slice and calls the measure, so neither caller needs to
know which view a measure runs on. Options arrive as keyword arguments; text forms are accepted where a CLI
would pass text (`fiscal_years="2016-2020"`, `countries="JM,BB"`).

Options shared by every measure
-------------------------------
fiscal_years : `(first, last)`, one year, or text `"2016-2020"` / `"2016-"` / `"2018"`; default all years.
countries : ISO codes, list or `"JM,BB"`; default all.
actor_types : actor labels, list or `"Agency,CivilSocietyOrganization"`; default all.

Per-measure options are listed in each function's docstring (`MEASURES[name].__doc__`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx

from analysis.affiliation import affiliation_ties
from analysis.brokerage import betweenness_brokers, brokerage_roles, structural_holes
from analysis.centrality import centrality
from analysis.communities import communities
from analysis.concentration import coverage_gaps, funding_concentration, funding_shares
from analysis.funding import funding_by_year
from analysis.knowledge_coverage import coverage_report
from analysis.paths import cooperation_paths
from analysis.projection import COOPERATION_KINDS, affiliation_graph, cooperation_graph, resource_flow_graph
from analysis.results import Table
from analysis.slicing import YearRange

Years = YearRange | int | str | None
Names = Iterable[str] | str | None


def _list(value: Names) -> list[str] | None:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else list(value)


def _top(table: Table, top: int | None) -> Table:
    return table.head(int(top)) if top is not None else table


def _cooperation(G: nx.MultiDiGraph, fiscal_years: Years, countries: Names, actor_types: Names,
                 kinds: Names) -> nx.Graph:
    return cooperation_graph(G, fiscal_years=fiscal_years, countries=countries, actor_types=actor_types,
                             kinds=_list(kinds) or COOPERATION_KINDS)


def _centrality_measure(measure: str) -> Callable[..., Table]:
    def run(
        G: nx.MultiDiGraph,
        fiscal_years: Years = None,
        countries: Names = None,
        actor_types: Names = None,
        kinds: Names = None,
        weighted: bool = False,
        k: int | None = None,
        seed: int | None = None,
        alpha: float = 0.85,
        top: int | None = None,
    ) -> Table:
        view = _cooperation(G, fiscal_years, countries, actor_types, kinds)
        table = centrality(view, measures=[measure], weight="weight" if weighted else None,
                           k=None if k is None else int(k), seed=None if seed is None else int(seed), alpha=alpha)
        return _top(table, top)

    run.__name__ = f"{measure}_measure"
    run.__doc__ = (
        f"{measure.capitalize()} centrality of actors in the cooperation graph, highest first.\n\n"
        "Options: the slice; kinds (evidence kinds, default all but part-of); weighted (use tie weight; "
        "betweenness uses 1/weight as distance); k and seed (sampled betweenness); alpha (PageRank damping); "
        "top (keep the first N rows)."
    )
    return run


def centrality_measure(
    G: nx.MultiDiGraph,
    fiscal_years: Years = None,
    countries: Names = None,
    actor_types: Names = None,
    kinds: Names = None,
    weighted: bool = False,
    k: int | None = None,
    seed: int | None = None,
    top: int | None = None,
) -> Table:
    """All four centralities of actors in the cooperation graph, by degree. Options as `degree`."""
    view = _cooperation(G, fiscal_years, countries, actor_types, kinds)
    return _top(centrality(view, weight="weight" if weighted else None, k=k, seed=seed), top)


def brokers_measure(
    G: nx.MultiDiGraph,
    fiscal_years: Years = None,
    countries: Names = None,
    actor_types: Names = None,
    kinds: Names = None,
    group: str = "label",
    k: int | None = None,
    seed: int | None = None,
    top: int | None = 20,
) -> Table:
    """Brokers by betweenness in the cooperation graph, with the groups (`group` attribute) they touch.

    Options: the slice; kinds; group (node attribute, default `label`); k and seed (sampling); top (default 20).
    """
    view = _cooperation(G, fiscal_years, countries, actor_types, kinds)
    return betweenness_brokers(view, group=group, top=None if top is None else int(top), k=k, seed=seed)


def brokerage_roles_measure(
    G: nx.MultiDiGraph,
    fiscal_years: Years = None,
    countries: Names = None,
    actor_types: Names = None,
    group: str = "label",
    graph: str = "resource-flow",
    top: int | None = None,
) -> Table:
    """Gould-Fernandez brokerage role counts.

    Options: the slice; group (node attribute defining the groups: `label` (actor type, default) or
    `countryCode`); graph (`resource-flow` (default, directed money/program flows) or `cooperation`,
    read as reciprocal ties); top.
    """
    if graph == "resource-flow":
        view: nx.Graph = resource_flow_graph(G, fiscal_years=fiscal_years, countries=countries,
                                             actor_types=actor_types)
    elif graph == "cooperation":
        view = cooperation_graph(G, fiscal_years=fiscal_years, countries=countries, actor_types=actor_types)
    else:
        raise ValueError("graph must be 'resource-flow' or 'cooperation'")
    return _top(brokerage_roles(view, group=group), top)


def constraint_measure(
    G: nx.MultiDiGraph,
    fiscal_years: Years = None,
    countries: Names = None,
    actor_types: Names = None,
    kinds: Names = None,
    weighted: bool = False,
    top: int | None = None,
) -> Table:
    """Burt's constraint, effective size and efficiency in the cooperation graph, least constrained first.

    Options: the slice; kinds; weighted (tie weight as strength); top.
    """
    view = _cooperation(G, fiscal_years, countries, actor_types, kinds)
    return _top(structural_holes(view, weight="weight" if weighted else None), top)


def communities_measure(
    G: nx.MultiDiGraph,
    fiscal_years: Years = None,
    countries: Names = None,
    actor_types: Names = None,
    kinds: Names = None,
    method: str = "louvain",
    resolution: float = 1.0,
    seed: int = 0,
    weighted: bool = True,
) -> Any:
    """Communities of the cooperation graph (a `CommunityResult`; `.modularity`, `.to_frame()`).

    Options: the slice; kinds; method (`louvain` default, or `leiden`); resolution (default 1); seed
    (default 0); weighted (default True: tie weight counts).
    """
    view = _cooperation(G, fiscal_years, countries, actor_types, kinds)
    return communities(view, method=method, weight="weight" if weighted else None,
                       resolution=float(resolution), seed=int(seed))


def affiliation_measure(
    G: nx.MultiDiGraph,
    fiscal_years: Years = None,
    countries: Names = None,
    actor_types: Names = None,
    roles: Names = None,
    top: int | None = None,
) -> Table:
    """Actor pairs sharing programs, with count, Newman (2001) and Jaccard weights, strongest first.

    Options: the slice; roles (keep only participations in these roles); top.
    """
    bipartite = affiliation_graph(G, fiscal_years=fiscal_years, countries=countries, actor_types=actor_types,
                                  roles=_list(roles))
    return _top(affiliation_ties(bipartite), top)


def concentration_measure(
    G: nx.MultiDiGraph,
    fiscal_years: Years = None,
    countries: Names = None,
    actor_types: Names = None,
    by: str = "country",
    flow_types: Names = None,
    include_zero: bool = False,
    shares: bool = False,
    periods: Names = None,
    include_estimates: bool = True,
) -> Table:
    """HHI and Gini of USD funding per flow type (or, with shares=True, each unit's share).

    Options: the slice (actor_types selects funders); by (`country` default, `funder`, `implementer`);
    flow_types (restrict; each still separate); include_zero (count every partner country, 0 if none);
    shares (return the per-unit shares table instead of the summary); periods (the period kinds summed:
    `year` default, or `year,range,open,undated,cumulative`, or `all`); include_estimates (false: leave out
    equal-split estimates). What was left out is printed on stderr (`table.meta["left_out"]`).
    """
    function = funding_shares if shares else funding_concentration
    return function(G, by=by, flow_types=_list(flow_types), fiscal_years=fiscal_years, countries=countries,
                    actor_types=actor_types, include_zero=include_zero, periods=periods,
                    include_estimates=include_estimates)


def coverage_gaps_measure(
    G: nx.MultiDiGraph,
    fiscal_years: Years = None,
    countries: Names = None,
    actor_types: Names = None,
    themes: str = "both",
    flow_types: Names = None,
    periods: Names = None,
    include_estimates: bool = True,
) -> Any:
    """Objective / focus-area x country program counts and USD per flow type (a `CoverageMatrix`).

    Options: fiscal_years; countries (the columns; default the CBSI partner countries); themes
    (`objective`, `focus-area`, `both` default); flow_types; periods and include_estimates (as for
    concentration: money follows `analysis.money`). `actor_types` is accepted and ignored.
    """
    del actor_types
    return coverage_gaps(G, themes=themes, countries=countries, fiscal_years=fiscal_years,
                         flow_types=_list(flow_types), periods=periods, include_estimates=include_estimates)


def funding_by_year_measure(
    G: nx.MultiDiGraph,
    fiscal_years: Years = None,
    countries: Names = None,
    actor_types: Names = None,
    include_cumulative: bool = False,
    periods: Names = None,
) -> Table:
    """USD per fiscal period and flow type (flow types never added), each figure keyed as what it is
    (`FY2016`, `FY2016-FY2018`, `FY2010-`, `-FY2022`, `undated`, `cumulative ...`).

    Options: the slice; include_cumulative (also list cumulative statements); periods (the period kinds
    listed, default all but cumulative). What was left out is printed on stderr.
    """
    return funding_by_year(G, fiscal_years=fiscal_years, countries=countries, actor_types=actor_types,
                           include_cumulative=include_cumulative, periods=periods)


def paths_measure(
    G: nx.MultiDiGraph,
    source: str,
    target: str,
    max_paths: int = 10,
    relationship_types: Names = None,
    **_slice: Any,
) -> Any:
    """Shortest cooperation chains between `source` and `target` (a `PathResult`), each hop with its evidence.

    Options: source, target (node ids, required); max_paths (default 10); relationship_types (only these).
    The slice options are accepted and ignored (paths run on the whole graph).
    """
    return cooperation_paths(G, source, target, max_paths=int(max_paths),
                             relationship_types=_list(relationship_types))


def knowledge_coverage_measure(
    G: nx.MultiDiGraph,
    fiscal_years: Years = None,
    countries: Names = None,
    actor_types: Names = None,
) -> Any:
    """What the graph does not know (a `CoverageReport`): FY2010-FY2025 CBSI-wide figures per flow type and
    account (0 = no figure held), cumulative statements, and meetings, bills, bodies and programs with the
    fields they lack. The slice options are accepted and ignored (the report covers the whole graph)."""
    del fiscal_years, countries, actor_types
    return coverage_report(G)


MEASURES: dict[str, Callable[..., Any]] = {
    "degree": _centrality_measure("degree"),
    "betweenness": _centrality_measure("betweenness"),
    "eigenvector": _centrality_measure("eigenvector"),
    "pagerank": _centrality_measure("pagerank"),
    "centrality": centrality_measure,
    "brokers": brokers_measure,
    "brokerage-roles": brokerage_roles_measure,
    "constraint": constraint_measure,
    "communities": communities_measure,
    "affiliation": affiliation_measure,
    "concentration": concentration_measure,
    "coverage-gaps": coverage_gaps_measure,
    "funding-by-year": funding_by_year_measure,
    "paths": paths_measure,
    "knowledge-coverage": knowledge_coverage_measure,
}
"""CLI measure name -> `(G, **options)`; every result has `.to_frame()` and `.to_records()`."""
