"""Figures fit to publish (PNG, SVG or PDF, by the file's suffix): the cooperation network, and funding by year.

Why `matplotlib.figure.Figure` rather than `pyplot`: figures drawn this way render through the Agg canvas
without touching matplotlib's global state or needing a display, so plotting from a server, a test or a
script behaves the same.

Every figure carries a title, a legend that explains its colours and sizes, and a source note. The funding
figure draws annual figures only (one fiscal year, not cumulative) as bars grouped by year - requests beside
appropriations, kinds never stacked or added - and shows multi-year and cumulative statements in a panel of
their own, labelled as such.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

from analysis.funding import AnnualFigure, FundingStatement, annual_figures
from graph_seed import vocabulary as vocab

LABEL_COLOURS: dict[str, str] = {
    "Government": "#1f77b4",
    "Agency": "#d62728",
    "IntergovernmentalOrganization": "#2ca02c",
    "CivilSocietyOrganization": "#ff7f0e",
    "PrivateSectorActor": "#9467bd",
}
LABEL_NAMES: dict[str, str] = {
    "Government": "Government",
    "Agency": "Agency",
    "IntergovernmentalOrganization": "Regional / international body",
    "CivilSocietyOrganization": "Civil society",
    "PrivateSectorActor": "Private sector",
}
OTHER_COLOUR = "#7f7f7f"
DEFAULT_SOURCE = "Source: CBSI Graph, curated public sources (each node and tie cites its own)."

# Requests beside appropriations, then the rest in the order money moves.
FLOW_ORDER: tuple[str, ...] = ("request", "proposed", "appropriation", "authorization", "allocation", "commitment",
                               "pledge", "obligation", "disbursement", "expenditure", "provided", "incoming",
                               "in-kind", "other")
FLOW_COLOURS: dict[str, str] = {
    "request": "#9ecae1", "proposed": "#4292c6", "appropriation": "#08306b", "authorization": "#6a51a3",
    "allocation": "#31a354", "commitment": "#74c476", "pledge": "#c7e9c0", "obligation": "#e6550d",
    "disbursement": "#fd8d3c", "expenditure": "#fdae6b", "provided": "#756bb1", "incoming": "#bcbddc",
    "in-kind": "#dadaeb", "other": "#969696",
}


def _save(figure: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path


def _source_note(figure: Figure, text: str) -> None:
    width = int(figure.get_figwidth() * 15)  # characters of 7.5 pt text across the figure
    figure.text(0.01, 0.01, textwrap.fill(text, width), ha="left", va="bottom", fontsize=7.5, color="#444444")


def _short(attrs: dict, node: str, width: int = 30) -> str:
    code = attrs.get("countryCode") if attrs.get("label") == "Government" else None
    text = str(attrs.get("acronym") or code or attrs.get("name") or node)
    return text if len(text) <= width else text[: width - 1] + "…"


def _usd(value: float, _position: object = None) -> str:
    for size, suffix in ((1e9, " bn"), (1e6, " m"), (1e3, " k")):
        if abs(value) >= size:
            return f"${value / size:,.3g}{suffix}"
    return f"${value:,.0f}"


# --- the cooperation network -------------------------------------------------------------------------------


def plot_cooperation_network(
    graph: nx.Graph,
    path: str | Path,
    top_labels: int = 20,
    seed: int = 0,
    title: str = "CBSI cooperation network",
    weight: str | None = "weight",
    source: str = DEFAULT_SOURCE,
) -> Path:
    """Draw the cooperation network to `path` (PNG, SVG or PDF by suffix); see `cooperation_figure`.

    Parameters
    ----------
    graph : nx.Graph
        Usually `cooperation_graph(G)`: actors with a `label`, ties with a `weight`.
    path : str or Path
        The file to write (folders are created).
    top_labels : int
        Label at most this many actors, the best connected first; a label that would overlap another is left out.
    seed : int
        Layout seed (same seed, same picture).
    title : str
        The figure's title.
    weight : str or None
        Edge attribute for tie widths, or None for equal widths.
    source : str
        The source note printed under the figure.

    Returns
    -------
    Path
        The path written.
    """
    figure = cooperation_figure(graph, top_labels=top_labels, seed=seed, title=title, weight=weight, source=source)
    return _save(figure, path)


def cooperation_figure(
    graph: nx.Graph,
    top_labels: int = 20,
    seed: int = 0,
    title: str = "CBSI cooperation network",
    weight: str | None = "weight",
    source: str = DEFAULT_SOURCE,
) -> Figure:
    """The figure `plot_cooperation_network` saves.

    Actors are coloured by type and sized by degree (the number of other actors they are tied to), both
    explained in legends; ties are drawn thicker and darker the more evidence they have. The connected actors
    are laid out with a seeded spring layout (Kamada-Kawai refined), and actors without any tie are listed in a
    box of their own under the network instead of being scattered around it. Labels go on the best-connected
    actors only, and only where they overlap no other label.

    Parameters
    ----------
    graph : nx.Graph
        Usually `cooperation_graph(G)`.
    top_labels, seed, title, weight, source
        As for `plot_cooperation_network`.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with `figure.cbsi_labels` set to the nodes whose label was drawn.
    """
    figure = Figure(figsize=(13, 10), dpi=130)
    FigureCanvasAgg(figure)
    isolates = sorted((n for n in graph if graph.degree(n) == 0), key=lambda n: _short(graph.nodes[n], n).lower())
    connected = graph.subgraph([n for n in graph if graph.degree(n) > 0])
    network_bottom = 0.15 if isolates else 0.06
    axes = figure.add_axes((0.02, network_bottom, 0.74, 0.86 - network_bottom))
    axes.set_axis_off()
    figure.suptitle(title, x=0.02, ha="left", fontsize=15, fontweight="bold")
    figure.text(0.02, 0.915, f"{graph.number_of_nodes()} actors, {graph.number_of_edges()} ties. A tie joins two "
                "actors that share a program, meeting or body, fund one another or state a partnership.\nNamed: the "
                "best-connected actors where a label fits (governments by ISO country code).",
                fontsize=9, color="#333333", va="top")
    figure.cbsi_labels = []  # type: ignore[attr-defined]
    _source_note(figure, source)
    if graph.number_of_nodes() == 0:
        axes.text(0.5, 0.5, "no actors in this slice", ha="center", va="center", transform=axes.transAxes)
        return figure
    degree = dict(graph.degree())
    biggest = max(degree.values()) or 1

    def size(d: float) -> float:
        return 25 + 650 * (d / biggest) ** 0.8

    if len(connected):
        positions = _layout(connected, seed)
        weights = [float(d.get(weight, 1.0)) if weight else 1.0 for *_, d in connected.edges(data=True)]
        heaviest = max(weights, default=1.0) or 1.0
        order = sorted(range(len(weights)), key=lambda i: weights[i])  # heavy ties drawn on top
        edges = list(connected.edges())
        nx.draw_networkx_edges(
            connected, positions, ax=axes, edgelist=[edges[i] for i in order],
            width=[0.25 + 2.5 * (weights[i] / heaviest) for i in order],
            edge_color=[(0.3, 0.3, 0.35, 0.06 + 0.5 * (weights[i] / heaviest)) for i in order],
        )
        nodes = sorted(connected, key=lambda n: degree[n])  # big nodes on top
        nx.draw_networkx_nodes(
            connected, positions, ax=axes, nodelist=nodes,
            node_color=[LABEL_COLOURS.get(graph.nodes[n].get("label"), OTHER_COLOUR) for n in nodes],
            node_size=[size(degree[n]) for n in nodes], linewidths=0.6, edgecolors="white",
        )
        axes.margins(0.06)
        wanted = sorted(connected, key=lambda n: (-degree[n], str(n)))[:top_labels]
        figure.cbsi_labels = _place_labels(  # type: ignore[attr-defined]
            figure, axes, [(n, _short(graph.nodes[n], n), positions[n], size(degree[n])) for n in wanted])
    if isolates:
        names = ", ".join(_short(graph.nodes[n], n, 40) for n in isolates)
        box = figure.add_axes((0.02, 0.045, 0.74, 0.07))
        box.set_xticks([])
        box.set_yticks([])
        for spine in box.spines.values():
            spine.set_color("#bbbbbb")
        box.set_title(f"Not tied to any other actor in this view ({len(isolates)})", fontsize=9, loc="left")
        box.text(0.01, 0.85, textwrap.fill(names, 150), ha="left", va="top", fontsize=8, transform=box.transAxes)
    _network_legends(figure, graph, biggest, size)
    return figure


def _layout(graph: nx.Graph, seed: int) -> dict:
    """Kamada-Kawai (which keeps graph distances, so cores and peripheries show) started from a seeded spring
    layout; each connected component laid out on its own and placed side by side, biggest first."""
    components = sorted((graph.subgraph(c) for c in nx.connected_components(graph)), key=len, reverse=True)
    positions: dict = {}
    x_offset = 0.0
    for index, component in enumerate(components):
        if len(component) == 1:
            layout = {next(iter(component)): (0.0, 0.0)}
        else:
            start = nx.spring_layout(component, seed=seed + index, weight=None)
            layout = nx.kamada_kawai_layout(component, pos=start, weight=None)
        xs = [p[0] for p in layout.values()]
        ys = [p[1] for p in layout.values()]
        scale = (len(component) / len(components[0])) ** 0.5 if index else 1.0
        width = (max(xs) - min(xs)) or 1.0
        height = (max(ys) - min(ys)) or 1.0
        factor = 2.0 * scale / max(width, height)
        for node, (x, y) in layout.items():
            positions[node] = (x_offset + (x - min(xs)) * factor, (y - min(ys)) * factor - scale)
        x_offset += width * factor + 0.35
    return positions


def _place_labels(figure: Figure, axes: Axes, wanted: list[tuple[str, str, tuple, float]]) -> list[str]:
    """Put each label beside its node at the first of a few spots where it overlaps no label already placed
    (nor any labelled node); drop it when none is free. Returns the nodes labelled, in order."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    taken: list[Bbox] = []
    for _, _, (x, y), size in wanted:  # the labelled nodes' own discs
        cx, cy = axes.transData.transform((x, y))
        r = (size ** 0.5) / 2 * figure.dpi / 72
        taken.append(Bbox.from_extents(cx - r, cy - r, cx + r, cy + r))
    frame = axes.get_window_extent(renderer)
    placed = []
    for node, text, (x, y), size in wanted:
        gap = (size ** 0.5) / 2 + 2
        for dx, dy, ha, va in ((0, gap, "center", "bottom"), (0, -gap, "center", "top"), (gap, 0, "left", "center"),
                               (-gap, 0, "right", "center"), (gap, gap, "left", "bottom"),
                               (-gap, -gap, "right", "top")):
            label = axes.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                                  fontsize=8.5, zorder=5,
                                  bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
            box = label.get_window_extent(renderer).expanded(1.04, 1.08)
            clash = any(box.overlaps(other) for other in taken)
            if not clash and frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1):
                taken.append(box)
                placed.append(node)
                break
            label.remove()
    return placed


def _network_legends(figure: Figure, graph: nx.Graph, biggest: int, size: Callable[[float], float]) -> None:
    present = {graph.nodes[n].get("label") or "other" for n in graph}
    counts = {label: sum(1 for n in graph if (graph.nodes[n].get("label") or "other") == label) for label in present}
    labels = [lab for lab in vocab.ACTOR_LABELS if lab in present] + sorted(present - set(vocab.ACTOR_LABELS))
    colour_handles = [
        Line2D([0], [0], marker="o", linestyle="", markersize=9, markeredgecolor="white",
               markerfacecolor=LABEL_COLOURS.get(lab, OTHER_COLOUR),
               label=f"{LABEL_NAMES.get(lab, lab)} ({counts[lab]})")
        for lab in labels
    ]
    steps = sorted({1, max(1, round(biggest / 4)), max(1, round(biggest / 2)), biggest})
    size_handles = [
        Line2D([0], [0], marker="o", linestyle="", color="#9aa5b5", markersize=size(d) ** 0.5, label=f"{d}")
        for d in steps
    ]
    width_handles = [
        Line2D([0], [0], color=(0.3, 0.3, 0.35, 0.2), linewidth=0.6, label="one piece of evidence"),
        Line2D([0], [0], color=(0.3, 0.3, 0.35, 0.55), linewidth=2.8, label="the most evidence"),
    ]
    first = figure.legend(handles=colour_handles, title="Colour: actor type", loc="upper left",
                          bbox_to_anchor=(0.78, 0.9), fontsize=8.5, title_fontsize=9, frameon=False, alignment="left")
    figure.add_artist(first)
    second = figure.legend(handles=size_handles, title="Size: actors tied to", loc="upper left",
                           bbox_to_anchor=(0.78, 0.66), fontsize=8.5, title_fontsize=9, frameon=False,
                           labelspacing=1.6, borderpad=1.0, alignment="left")
    figure.add_artist(second)
    figure.legend(handles=width_handles, title="Tie width and shade", loc="upper left", bbox_to_anchor=(0.78, 0.36),
                  fontsize=8.5, title_fontsize=9, frameon=False, alignment="left")


# --- funding by fiscal year --------------------------------------------------------------------------------


def plot_funding_by_year(
    statements: Iterable[FundingStatement],
    path: str | Path,
    title: str = "CBSI funding by U.S. fiscal year",
    source: str = DEFAULT_SOURCE,
) -> Path:
    """Draw funding to `path` (PNG, SVG or PDF by suffix); see `funding_figure`.

    Parameters
    ----------
    statements : iterable of FundingStatement
        `analysis.funding.funding_statements(G)` (or its rows).
    path : str or Path
        The file to write.
    title : str
        The figure's title.
    source : str
        The source note printed under the figure.

    Returns
    -------
    Path
        The path written.
    """
    return _save(funding_figure(statements, title=title, source=source), path)


def funding_figure(
    statements: Iterable[FundingStatement],
    title: str = "CBSI funding by U.S. fiscal year",
    source: str = DEFAULT_SOURCE,
) -> Figure:
    """The figure `plot_funding_by_year` saves: annual figures on the left, other statements on the right.

    Left: one group of bars per fiscal year, one bar per kind of figure side by side (requests beside
    appropriations; kinds are never stacked or added), each bar the figure of `annual_figures` (restatements
    and account splits counted once); a diamond marks each other figure a source gives for the same thing.
    Right: multi-year and cumulative statements as horizontal bars, labelled with their period, apart from the
    annual ones because they cover several years. Undated figures are counted in the note, not drawn.

    Parameters
    ----------
    statements : iterable of FundingStatement
        `funding_statements(G)`.
    title, source
        As for `plot_funding_by_year`.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; `figure.axes[0]` holds the annual bars (one BarContainer per kind of figure).
    """
    rows = list(statements)
    annual = annual_figures(rows)
    spans = sorted((r for r in rows if not r.annual and r.amount_usd is not None
                    and (r.cumulative or r.fiscal_year_start is not None or r.fiscal_year_end is not None)),
                   key=lambda r: (_flow_rank(r.flow_type), r.fiscal_year_start or 0, r.fiscal_year_end or 9999))
    undated = sum(1 for r in rows if not r.annual and r not in spans)
    figure = Figure(figsize=(15, 7.5), dpi=130)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(1, 2, width_ratios=(2.1, 1), left=0.06, right=0.985, top=0.84, bottom=0.27,
                               wspace=0.62)
    left = figure.add_subplot(grid[0, 0])
    right = figure.add_subplot(grid[0, 1])
    figure.suptitle(title, x=0.02, ha="left", fontsize=15, fontweight="bold")
    figure.text(0.02, 0.915, "Figures as the sources state them, in U.S. dollars. Kinds of figure (a request, an "
                "appropriation, a commitment...) are different numbers and are never added together.",
                fontsize=9, color="#333333")
    _annual_panel(left, annual)
    _span_panel(right, spans)
    note = (f"{source} {len(rows)} funding figures: {sum(1 for r in rows if r.annual)} annual, {len(spans)} "
            f"multi-year or cumulative, {undated} without a fiscal year or USD amount (not drawn). Where sources give "
            "different figures for the same year, kind and program, the bar is the largest and each diamond "
            "another; budget-account splits are not added to the total they split.")
    _source_note(figure, note)
    return figure


def _flow_rank(flow_type: str) -> int:
    return FLOW_ORDER.index(flow_type) if flow_type in FLOW_ORDER else len(FLOW_ORDER)


def _annual_panel(axes: Axes, annual: Sequence[AnnualFigure]) -> None:
    axes.set_title("Annual figures (one fiscal year each)", loc="left", fontsize=11)
    if not annual:
        axes.text(0.5, 0.5, "no annual figures in this slice", ha="center", va="center", transform=axes.transAxes)
        axes.set_xticks([])
        axes.set_yticks([])
        return
    first = min(f.fiscal_year for f in annual)
    last = max(f.fiscal_year for f in annual)
    years = list(range(first, last + 1))
    kinds = sorted({f.flow_type for f in annual}, key=_flow_rank)
    width = 0.84 / len(kinds)
    by_key = {(f.fiscal_year, f.flow_type): f for f in annual}
    for index, kind in enumerate(kinds):
        offset = (index - (len(kinds) - 1) / 2) * width
        xs = [i + offset for i in range(len(years))]
        values = [by_key[(y, kind)].amount_usd if (y, kind) in by_key else 0.0 for y in years]
        axes.bar(xs, values, width=width * 0.92, label=kind, color=FLOW_COLOURS.get(kind, OTHER_COLOUR),
                 edgecolor="white", linewidth=0.4)
        others = [(i + offset, v) for i, y in enumerate(years) if (y, kind) in by_key for v in by_key[(y, kind)].others]
        if others:
            axes.scatter([x for x, _ in others], [v for _, v in others], marker="D", s=14, color="#222222",
                         zorder=3, linewidths=0)
    missing = [y for y in years if not any((y, k) in by_key for k in kinds)]
    axes.set_xticks(range(len(years)))
    axes.set_xticklabels([f"FY{y % 100:02d}" if len(years) > 10 else f"FY{y}" for y in years],
                         rotation=0, fontsize=8.5)
    for i, y in enumerate(years):
        if y in missing:
            axes.text(i, 0, "no\nfigure", ha="center", va="bottom", fontsize=6.5, color="#999999")
    axes.set_xlabel("U.S. fiscal year (FY10 = October 2009 to September 2010)")
    axes.set_ylabel("U.S. dollars")
    axes.yaxis.set_major_formatter(_usd)
    axes.set_xlim(-0.6, len(years) - 0.4)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    handles, labels = axes.get_legend_handles_labels()
    if any(f.others for f in annual):
        handles.append(Line2D([0], [0], marker="D", linestyle="", color="#222222", markersize=4))
        labels.append("another source's figure")
    axes.legend(handles, labels, title="Kind of figure", fontsize=8.5, title_fontsize=9, loc="upper left",
                bbox_to_anchor=(0.0, -0.13), frameon=False, ncols=min(len(labels), 5), alignment="left")


def _span_label(statement: FundingStatement, width: int = 46) -> str:
    """The statement's name (which says what it counts), else its kind and period."""
    name = statement.name if statement.name != statement.id else f"{statement.flow_type}, {statement.period}"
    return name if len(name) <= width else name[: width - 1] + "…"


def _span_panel(axes: Axes, spans: Sequence[FundingStatement]) -> None:
    axes.set_title("Multi-year and cumulative statements\n(whole periods: not comparable with annual bars)",
                   loc="left", fontsize=10)
    if not spans:
        axes.text(0.5, 0.5, "none in this slice", ha="center", va="center", transform=axes.transAxes)
        axes.set_xticks([])
        axes.set_yticks([])
        return
    ys = range(len(spans))
    axes.barh(list(ys), [s.amount_usd or 0.0 for s in spans], color=[FLOW_COLOURS.get(s.flow_type, OTHER_COLOUR)
                                                                    for s in spans],
              hatch=["////" if s.cumulative else "" for s in spans], edgecolor="white", linewidth=0.4)
    axes.set_yticks(list(ys))
    axes.set_yticklabels([_span_label(s) for s in spans], fontsize=7.5)
    axes.invert_yaxis()
    axes.xaxis.set_major_formatter(_usd)
    axes.set_xlabel("U.S. dollars (whole period)")
    axes.tick_params(axis="x", labelsize=8)
    axes.grid(axis="x", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    kinds = sorted({s.flow_type for s in spans}, key=_flow_rank)
    handles = [Patch(color=FLOW_COLOURS.get(k, OTHER_COLOUR), label=k) for k in kinds]
    if any(s.cumulative for s in spans):
        handles.append(Patch(facecolor="white", edgecolor="#555555", hatch="////", label="cumulative statement"))
    axes.legend(handles=handles, fontsize=7.5, loc="upper left", bbox_to_anchor=(0.0, -0.13), frameon=False,
                ncols=2, title="Kind of figure", title_fontsize=8.5, alignment="left")
