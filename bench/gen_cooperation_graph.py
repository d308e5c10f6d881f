"""Generate synthetic CBSI-shaped MultiDiGraphs of any size for benchmarking the `analysis` layer.

Why synthetic: the curated seed graph has ~50 actors, far too few to show how the measures scale. This
generator builds graphs with the exact shape `graph_seed.to_networkx` produces (node attribute `label`,
`name`, `sources`, label properties; edge key = type or `PARTICIPATES_IN:<role>`, edge attribute `type`,
`sources`, `role`, ...) so every `analysis` function runs on them unchanged.

Shape, for N actors (deterministic for a given (N, seed)):

* 15-30 Governments with `countryCode` (CBSI partners, observers, donors and the United States); Agencies
  (~20%, each PART_OF a government, three of them US hub funders like USAID/INL/State), IGOs (~2%),
  CSOs (~45%) and private-sector actors (the rest);
* ~N/10 Programs with 3-8 participants picked by preferential attachment (a few hubs take part in many),
  one funder (role `funding`, usually a hub), intermediaries and beneficiaries; each OPERATES_IN 1-3
  governments, ADVANCES an Objective, ADDRESSES 1-2 FocusAreas;
* 1-3 Fundings per program (flowType obligation/disbursement/appropriation, fiscalYear 2010-2023, USD),
  PROVIDES from the program's funder, FUNDS the program, RECEIVED_BY an implementer (most of them);
* IGOs with 5-40 members, ~N/100 Meetings with 5-30 attendees OF a Mechanism, a few PARTNERS_WITH ties;
* every node and edge cites one synthetic source id (from a pool, as real sources cover many facts).

    .venv/bin/python bench/gen_cooperation_graph.py 10000                 # print a summary
    .venv/bin/python bench/gen_cooperation_graph.py 500 --check           # also run a few MEASURES on it
    .venv/bin/python bench/gen_cooperation_graph.py 10000 --output /tmp/g.json   # node-link JSON
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]

PARTNERS = ("AG", "BS", "BB", "DM", "DO", "GD", "GY", "JM", "KN", "LC", "VC", "SR", "TT")
OBSERVERS = ("BZ", "HT")
DONORS = ("CA", "GB", "FR", "NL", "MX", "CO", "ES", "DE", "JP", "BR", "CL", "KR", "AU", "NZ")
FLOW_TYPES = ("obligation", "disbursement", "appropriation")
IMPLEMENTER_ROLES = ("implementing", "implementing", "managing", "training", "staffing", "coordinating",
                     "accountable", "partner")
N_OBJECTIVES, N_FOCUS_AREAS = 6, 9


class _Builder:
    """Holds the graph, the rng and the preferential-attachment urn while the graph is generated."""

    def __init__(self, n_actors: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.graph = nx.MultiDiGraph()
        self.n_actors = n_actors
        self.source_ids = [f"src:synthetic-{i}" for i in range(max(50, n_actors // 20))]
        self.urn: list[str] = []  # one entry per participation: picking from it is preferential attachment
        self.actors: list[str] = []
        self.by_label: dict[str, list[str]] = {}

    def source(self) -> list[str]:
        return [self.rng.choice(self.source_ids)]

    def node(self, node_id: str, label: str, name: str, **props: Any) -> str:
        self.graph.add_node(node_id, label=label, name=name, aliases=[], sources=self.source(), **props)
        self.by_label.setdefault(label, []).append(node_id)
        return node_id

    def edge(self, start: str, rel_type: str, end: str, **props: Any) -> None:
        key = f"{rel_type}:{props['role']}" if rel_type == "PARTICIPATES_IN" and props.get("role") else rel_type
        self.graph.add_edge(start, end, key=key, type=rel_type, sources=self.source(), **props)

    def pick_actor(self, uniform: float = 0.25) -> str:
        """Preferential attachment: mostly proportional to past participations, sometimes uniform."""
        if not self.urn or self.rng.random() < uniform:
            return self.rng.choice(self.actors)
        return self.rng.choice(self.urn)

    def distinct(self, count: int, pick: Any) -> list[str]:
        chosen: dict[str, None] = {}
        for _ in range(count * 10):
            if len(chosen) >= count:
                break
            chosen.setdefault(pick(), None)
        return list(chosen)


def _actors(b: _Builder) -> tuple[list[str], list[str], list[str]]:
    """Create the actors; return (governments, partner governments, hub funders)."""
    n = b.n_actors
    n_gov = max(15, min(30, n // 20))
    codes = ["US", *PARTNERS, *OBSERVERS, *DONORS][:n_gov]
    roles = {"US": "united-states", **dict.fromkeys(PARTNERS, "partner"), **dict.fromkeys(OBSERVERS, "observer")}
    governments = [b.node(f"gov:{c}", "Government", f"Government of {c}", countryCode=c,
                          cbsiRole=roles.get(c, "donor")) for c in codes]
    partners = [f"gov:{c}" for c in codes if roles.get(c) == "partner"]
    rest = max(0, n - n_gov)
    n_agency, n_igo, n_cso = int(rest * 0.20), max(1, int(rest * 0.02)), int(rest * 0.45)
    n_private = max(0, rest - n_agency - n_igo - n_cso)
    hubs = []
    for i in range(n_agency):
        if i < 3:
            hubs.append(b.node(f"agency:hub-{i}", "Agency", f"Hub funding agency {i}", countryCode="US"))
            b.edge(hubs[-1], "PART_OF", "gov:US")
            continue
        agency = b.node(f"agency:a{i}", "Agency", f"Agency {i}")
        parent = "gov:US" if b.rng.random() < 0.4 else b.rng.choice(governments)
        b.edge(agency, "PART_OF", parent)
    for i in range(n_igo):
        b.node(f"igo:i{i}", "IntergovernmentalOrganization", f"IGO {i}",
               scope=b.rng.choice(("regional", "subregional", "international")))
    for label, prefix, count in (("CivilSocietyOrganization", "cso", n_cso), ("PrivateSectorActor", "org", n_private)):
        for i in range(count):
            props = {"countryCode": b.rng.choice(PARTNERS)} if b.rng.random() < 0.5 else {}
            b.node(f"{prefix}:{prefix}{i}", label, f"{label} {i}", **props)
    b.actors = [a for label in ("Government", "Agency", "IntergovernmentalOrganization",
                                "CivilSocietyOrganization", "PrivateSectorActor") for a in b.by_label.get(label, [])]
    return governments, partners, hubs


def _role(b: _Builder, actor: str) -> str:
    label = b.graph.nodes[actor]["label"]
    if label == "Government":
        return "beneficiary" if b.rng.random() < 0.6 else "partner"
    if label == "Agency":
        return b.rng.choice(("partner", "implementing", "funding"))
    return b.rng.choice(IMPLEMENTER_ROLES) if b.rng.random() < 0.85 else "beneficiary"


def _programs(b: _Builder, partners: list[str], hubs: list[str], funders: list[str]) -> None:
    objectives = [b.node(f"objective:o{i}", "Objective", f"Objective {i}") for i in range(N_OBJECTIVES)]
    focus_areas = [b.node(f"focus:f{i}", "FocusArea", f"Focus area {i}") for i in range(N_FOCUS_AREAS)]
    hub_weights = [5, 3, 2][: len(hubs)]
    funding_count = 0
    for p in range(max(1, b.n_actors // 10)):
        start = b.rng.randint(2010, 2022)
        program = b.node(f"program:p{p}", "Program", f"Program {p}", level="project", status="active",
                         startDate=str(start), endDate=str(min(2023, start + b.rng.randint(1, 5))), sectorCodes=[])
        funder = b.rng.choices(hubs, hub_weights)[0] if hubs and b.rng.random() < 0.6 else b.rng.choice(funders)
        others = [a for a in b.distinct(b.rng.randint(2, 7), b.pick_actor) if a != funder]
        members = [(funder, "funding"), *((a, _role(b, a)) for a in others)]
        for actor, role in members:
            b.edge(actor, "PARTICIPATES_IN", program, role=role)
            b.urn.append(actor)
        for gov in b.rng.sample(partners, b.rng.randint(1, 3)):
            b.edge(program, "OPERATES_IN", gov)
        b.edge(program, "ADVANCES", b.rng.choice(objectives))
        for area in b.rng.sample(focus_areas, b.rng.randint(1, 2)):
            b.edge(program, "ADDRESSES", area)
        implementers = [a for a, role in members if role in IMPLEMENTER_ROLES]
        for _ in range(b.rng.randint(1, 3)):
            amount = float(b.rng.randint(10, 5000) * 10_000)
            funding = b.node(f"funding:f{funding_count}", "Funding", f"Funding {funding_count}", amount=amount,
                             amountUsd=amount, currency="USD", flowType=b.rng.choice(FLOW_TYPES),
                             fiscalYear=b.rng.randint(2010, 2023))
            funding_count += 1
            b.edge(funder, "PROVIDES", funding)
            b.edge(funding, "FUNDS", program)
            if implementers and b.rng.random() < 0.7:
                b.edge(funding, "RECEIVED_BY", b.rng.choice(implementers))


def _bodies_and_meetings(b: _Builder, governments: list[str]) -> None:
    def member_pick() -> str:
        return b.rng.choice(governments) if b.rng.random() < 0.3 else b.pick_actor(uniform=0.5)

    for igo in b.by_label["IntergovernmentalOrganization"]:
        for actor in b.distinct(b.rng.randint(5, 40), member_pick):
            if actor != igo:
                b.edge(actor, "MEMBER_OF", igo, since=str(b.rng.randint(1973, 2015)))
    mechanisms = [b.node(f"mechanism:m{i}", "Mechanism", f"Mechanism {i}") for i in range(max(3, b.n_actors // 2000))]
    for gov in governments:
        b.edge(gov, "MEMBER_OF", mechanisms[0], role="member")
    for m in range(max(2, b.n_actors // 100)):
        year = b.rng.randint(2010, 2023)
        meeting = b.node(f"meeting:m{m}", "Meeting", f"Meeting {m}",
                         date=f"{year}-{b.rng.randint(1, 12):02d}-{b.rng.randint(1, 28):02d}")
        b.edge(meeting, "OF", b.rng.choice(mechanisms))
        for actor in b.distinct(b.rng.randint(5, 30), member_pick):
            b.edge(actor, "ATTENDED", meeting, role="participant")
    for _ in range(max(2, b.n_actors // 50)):
        a, c = b.pick_actor(), b.pick_actor()
        if a != c:
            b.edge(a, "PARTNERS_WITH", c, since=f"{b.rng.randint(2010, 2023)}-{b.rng.randint(1, 12):02d}")


def generate(n_actors: int, seed: int = 0) -> nx.MultiDiGraph:
    """A synthetic CBSI-shaped MultiDiGraph with `n_actors` actors; the same (n_actors, seed) gives the same graph."""
    if n_actors < 20:
        raise ValueError("n_actors must be at least 20")
    b = _Builder(n_actors, seed)
    governments, partners, hubs = _actors(b)
    funders = b.by_label.get("Agency", []) + governments
    _programs(b, partners, hubs, funders)
    _bodies_and_meetings(b, governments)
    for source in b.source_ids:
        b.graph.add_node(source, label="Source", name=f"Synthetic source {source}", sources=[])
    b.graph.graph["generator"] = {"n_actors": n_actors, "seed": seed}
    return b.graph


def summary(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Node counts by label and edge counts by type."""
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "labels": dict(sorted(Counter(d["label"] for _, d in graph.nodes(data=True)).items())),
        "types": dict(sorted(Counter(d["type"] for _, _, d in graph.edges(data=True)).items())),
    }


def check(graph: nx.MultiDiGraph) -> None:
    """Run a few registry measures on the graph and print their first rows: the shape fits `analysis`."""
    sys.path.insert(0, str(ROOT))
    from analysis import MEASURES

    for name, options in (("degree", {"top": 3}), ("brokerage-roles", {"top": 3}), ("affiliation", {"top": 3}),
                          ("concentration", {}), ("funding-by-year", {})):
        frame = MEASURES[name](graph, **options).to_frame()
        print(f"--- {name}: {len(frame)} rows")
        print(frame.head(3).to_string(max_colwidth=30))
    result = MEASURES["communities"](graph, seed=0)
    print(f"--- communities: {len(result.communities)} communities, modularity {result.modularity:.3f}")
    gaps = MEASURES["coverage-gaps"](graph)
    print(f"--- coverage-gaps: {len(gaps.themes)} themes x {len(gaps.countries)} countries, {len(gaps.gaps())} gaps")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n_actors", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, help="write node-link JSON here")
    parser.add_argument("--check", action="store_true", help="run a few analysis MEASURES on the graph")
    args = parser.parse_args()
    graph = generate(args.n_actors, args.seed)
    print(json.dumps(summary(graph), indent=2))
    if args.output:
        data = nx.node_link_data(graph, edges="edges")
        args.output.write_text(json.dumps(data), encoding="utf-8")
        print(f"wrote {args.output}")
    if args.check:
        check(graph)


if __name__ == "__main__":
    main()
