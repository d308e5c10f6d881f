"""Actor x actor projections of the actor x program affiliation network, with three tie weights.

Why three: the raw count of shared programs rewards actors in many programs; Newman's collaboration weight
discounts big programs (sharing a two-partner project says more than sharing a forty-partner initiative);
Jaccard overlap says how much of two actors' portfolios coincide.

For actors i, j with program sets P_i, P_j and n_p participants in program p:

* count    = |P_i ∩ P_j|
* newman   = sum over p in P_i ∩ P_j of 1 / (n_p - 1)
* jaccard  = |P_i ∩ P_j| / |P_i ∪ P_j|

References
----------
Newman, M. E. J. (2001). Scientific collaboration networks. II. Shortest paths, weighted networks, and
    centrality. Physical Review E 64, 016132.
Jaccard, P. (1901). Étude comparative de la distribution florale... Bull. Soc. Vaudoise Sci. Nat. 37, 547-579.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

from analysis.results import Table

WEIGHTINGS: tuple[str, ...] = ("count", "newman", "jaccard")


@dataclass(frozen=True, slots=True)
class AffiliationTie:
    """Two actors and the programs they share, with the three weights."""

    actor_a: str
    actor_b: str
    name_a: str | None
    name_b: str | None
    count: int
    newman: float
    jaccard: float
    programs: tuple[str, ...]


def _sides(bipartite: nx.Graph) -> tuple[list[str], dict[str, set[str]], dict[str, int]]:
    actors = sorted(n for n, d in bipartite.nodes(data=True) if d.get("bipartite") == 0)
    portfolio = {a: set(bipartite.neighbors(a)) for a in actors}
    size = {p: bipartite.degree(p) for p, d in bipartite.nodes(data=True) if d.get("bipartite") == 1}
    return actors, portfolio, size


def affiliation_ties(bipartite: nx.Graph) -> Table[AffiliationTie]:
    """Every pair of actors sharing at least one program, with count, Newman and Jaccard weights.

    Parameters
    ----------
    bipartite : an actor x program graph with node attribute ``bipartite`` 0 (actors) / 1 (programs), such as
        `analysis.projection.affiliation_graph(G)`.

    Returns
    -------
    Table of `AffiliationTie`, strongest Newman weight first.

    Example
    -------
    >>> b = nx.Graph([("a", "p"), ("b", "p"), ("c", "p"), ("a", "q"), ("b", "q")])
    >>> nx.set_node_attributes(b, {"a": 0, "b": 0, "c": 0, "p": 1, "q": 1}, "bipartite")
    >>> t = affiliation_ties(b)[0]  # a, b share p (3 members) and q (2): 1/2 + 1/1; Jaccard 2/2
    >>> (t.actor_a, t.actor_b, t.count, t.newman, t.jaccard)
    ('a', 'b', 2, 1.5, 1.0)
    """
    actors, portfolio, size = _sides(bipartite)
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for program in sorted(size):
        members = sorted(n for n in bipartite.neighbors(program) if n in portfolio)
        for a, b in combinations(members, 2):
            shared[(a, b)].append(program)
    rows = []
    for (a, b), programs in shared.items():
        union = portfolio[a] | portfolio[b]
        rows.append(AffiliationTie(
            actor_a=a, actor_b=b,
            name_a=bipartite.nodes[a].get("name"), name_b=bipartite.nodes[b].get("name"),
            count=len(programs),
            newman=sum(1.0 / (size[p] - 1) for p in programs),
            jaccard=len(programs) / len(union),
            programs=tuple(programs),
        ))
    rows.sort(key=lambda r: (-r.newman, -r.count, r.actor_a, r.actor_b))
    return Table(rows, title="Actor affiliation ties (shared programs)", row_type=AffiliationTie)


def actor_projection(bipartite: nx.Graph, weighting: str = "newman", actors: Iterable[str] | None = None) -> nx.Graph:
    """The actor x actor graph of shared programs; ``weight`` is the chosen weighting, all three kept as attributes.

    Parameters
    ----------
    bipartite : actor x program graph (``bipartite`` 0/1).
    weighting : ``count``, ``newman`` or ``jaccard`` — copied into the edge attribute ``weight``.
    actors : keep only these actors (weights are still computed on the whole bipartite graph).

    Example
    -------
    >>> b = nx.Graph([("a", "p"), ("b", "p"), ("c", "p")])
    >>> nx.set_node_attributes(b, {"a": 0, "b": 0, "c": 0, "p": 1}, "bipartite")
    >>> actor_projection(b, "newman").edges["a", "b"]["weight"]  # one program of 3: 1/(3-1)
    0.5
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f"unknown weighting {weighting!r}; expected one of {', '.join(WEIGHTINGS)}")
    keep = None if actors is None else set(actors)
    projection = nx.Graph(kind="affiliation-projection", weighting=weighting)
    for node, attrs in bipartite.nodes(data=True):
        if attrs.get("bipartite") == 0 and (keep is None or node in keep):
            projection.add_node(node, **attrs)
    for tie in affiliation_ties(bipartite):
        if tie.actor_a in projection and tie.actor_b in projection:
            projection.add_edge(
                tie.actor_a, tie.actor_b, weight=getattr(tie, weighting), count=tie.count, newman=tie.newman,
                jaccard=tie.jaccard, programs=list(tie.programs),
            )
    return projection
