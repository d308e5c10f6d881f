"""PNG figures: the cooperation network by actor type, and funding by fiscal year and flow type.

Why `matplotlib.figure.Figure` rather than `pyplot`: figures drawn this way render through the Agg canvas
without touching matplotlib's global state or needing a display, so plotting from a server, a test or a
script behaves the same. Funding bars are grouped, never stacked: a bar of obligations beside a bar of
disbursements, not one bar adding them up.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from analysis.funding import FundingPeriodRecord
from analysis.results import Table
from graph_seed import vocabulary as vocab

LABEL_COLOURS: dict[str, str] = {
    "Government": "#1f77b4",
    "Agency": "#d62728",
    "IntergovernmentalOrganization": "#2ca02c",
    "CivilSocietyOrganization": "#ff7f0e",
    "PrivateSectorActor": "#9467bd",
}
OTHER_COLOUR = "#7f7f7f"


def _short(attrs: dict, node: str, width: int = 28) -> str:
    code = attrs.get("countryCode") if attrs.get("label") == "Government" else None
    text = str(attrs.get("acronym") or code or attrs.get("name") or node)
    return text if len(text) <= width else text[: width - 1] + "…"


def plot_cooperation_network(
    graph: nx.Graph,
    path: str | Path,
    top_labels: int = 12,
    seed: int = 0,
    title: str = "CBSI cooperation network",
    weight: str | None = "weight",
) -> Path:
    """Draw the network: nodes coloured by actor type and sized by degree, names on the `top_labels` nodes of
    highest degree (acronym, ISO code for a government, else name), tie width by `weight`, a legend of actor
    types. Spring layout seeded by `seed` (ties unweighted for the layout; isolates in a row at the bottom).

    Parameters
    ----------
    graph : usually `cooperation_graph(G)`.
    path : the PNG file to write (folders are created).
    top_labels : how many of the best-connected nodes get a text label (acronym, else name).
    seed : layout seed (same seed, same picture).
    weight : edge attribute for widths and layout, or None.

    Returns
    -------
    The path written.
    """
    return _save(cooperation_figure(graph, top_labels=top_labels, seed=seed, title=title, weight=weight), path)


def _save(figure: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path


def cooperation_figure(
    graph: nx.Graph,
    top_labels: int = 12,
    seed: int = 0,
    title: str = "CBSI cooperation network",
    weight: str | None = "weight",
) -> Figure:
    """The figure `plot_cooperation_network` saves (to embed or inspect)."""
    figure = Figure(figsize=(12, 9), dpi=120)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_title(title)
    if graph.number_of_nodes() == 0:
        axes.text(0.5, 0.5, "no actors in this slice", ha="center", va="center", transform=axes.transAxes)
        return figure
    positions = _layout(graph, seed)
    degree = dict(graph.degree())
    biggest = max(degree.values()) or 1
    labels_present = sorted({graph.nodes[n].get("label") or "other" for n in graph})
    colours = [LABEL_COLOURS.get(graph.nodes[n].get("label"), OTHER_COLOUR) for n in graph]
    sizes = [40 + 500 * degree[n] / biggest for n in graph]
    weights = [float(d.get(weight, 1.0)) if weight else 1.0 for *_, d in graph.edges(data=True)]
    heaviest = max(weights, default=1.0) or 1.0
    nx.draw_networkx_edges(graph, positions, ax=axes, width=[0.3 + 2.5 * w / heaviest for w in weights],
                           alpha=0.25, edge_color="#555555")
    nx.draw_networkx_nodes(graph, positions, ax=axes, node_color=colours, node_size=sizes, linewidths=0.5,
                           edgecolors="white")
    top = sorted(graph, key=lambda n: (-degree[n], str(n)))[:top_labels]
    for node in top:
        x, y = positions[node]
        axes.annotate(
            _short(graph.nodes[node], node), (x, y), xytext=(0, 7), textcoords="offset points", ha="center",
            fontsize=8, bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75},
        )
    handles = [
        Line2D([0], [0], marker="o", linestyle="", markersize=8,
               markerfacecolor=LABEL_COLOURS.get(label, OTHER_COLOUR), markeredgecolor="white", label=label)
        for label in (*[lab for lab in vocab.ACTOR_LABELS if lab in labels_present],
                      *[lab for lab in labels_present if lab not in vocab.ACTOR_LABELS])
    ]
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=True,
                title="Actor type")
    figure.tight_layout()
    return figure


def _layout(graph: nx.Graph, seed: int) -> dict:
    """Spring layout of the connected nodes (unweighted, so strong ties do not pile nodes on each other),
    isolated nodes lined up along the bottom instead of flung to the edges."""
    isolates = sorted((n for n in graph if graph.degree(n) == 0), key=str)
    connected = graph.subgraph([n for n in graph if graph.degree(n) > 0])
    positions: dict = {}
    if len(connected):
        spread = 2.5 / max(len(connected), 1) ** 0.5
        positions.update(nx.spring_layout(connected, seed=seed, weight=None, k=spread, iterations=300))
    for index, node in enumerate(isolates):
        x = -1.0 + 2.0 * (index + 0.5) / len(isolates)
        positions[node] = (x, -1.25)
    return positions


def _usd(value: float, _position: object = None) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"${value / size:g}{suffix}"
    return f"${value:g}"


def plot_funding_by_year(
    table: Table[FundingPeriodRecord] | Sequence[FundingPeriodRecord],
    path: str | Path,
    title: str = "CBSI funding by fiscal year and flow type (USD)",
) -> Path:
    """Grouped bars: one group per fiscal period, one bar per flow type side by side (never stacked).

    Parameters
    ----------
    table : `analysis.funding.funding_by_year(G)` (or its rows).
    path : the PNG file to write.

    Returns
    -------
    The path written.
    """
    return _save(funding_figure(table, title=title), path)


def funding_figure(
    table: Table[FundingPeriodRecord] | Sequence[FundingPeriodRecord],
    title: str = "CBSI funding by fiscal year and flow type (USD)",
) -> Figure:
    """The figure `plot_funding_by_year` saves: one bar container per flow type, side by side."""
    rows = list(table)
    periods: list[str] = []
    for row in rows:
        if row.period not in periods:
            periods.append(row.period)
    kinds = [k for k in vocab.FLOW_TYPES if any(r.flow_type == k for r in rows)]
    kinds += sorted({r.flow_type for r in rows} - set(kinds))
    figure = Figure(figsize=(min(16.0, max(8.0, 0.9 * len(periods) + 4)), 5.5), dpi=120)
    axes = figure.add_subplot()
    axes.set_title(title)
    if not rows:
        axes.text(0.5, 0.5, "no funding in this slice", ha="center", va="center", transform=axes.transAxes)
        return figure
    width = 0.8 / len(kinds)
    amounts = {(r.period, r.flow_type): r.amount_usd for r in rows}
    palette = [f"C{i}" for i in range(10)]
    for index, kind in enumerate(kinds):
        xs = [p + (index - (len(kinds) - 1) / 2) * width for p in range(len(periods))]
        values = [amounts.get((period, kind), 0.0) for period in periods]
        axes.bar(xs, values, width=width * 0.95, label=kind, color=palette[index % len(palette)])
    axes.set_xticks(range(len(periods)))
    axes.set_xticklabels(periods, rotation=45 if len(periods) > 6 else 0, ha="right" if len(periods) > 6 else "center")
    axes.yaxis.set_major_formatter(FuncFormatter(_usd))
    axes.set_ylabel("USD (each flow type separately)")
    axes.legend(title="Flow type", fontsize=8)
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    return figure
