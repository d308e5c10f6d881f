"""Figures render headless as PNG and SVG, explain themselves (title, legends, units, source), keep labels apart,
set isolated actors apart, and never stack, add or mix annual and multi-year funding figures."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import networkx as nx
from matplotlib.collections import PathCollection
from matplotlib.container import BarContainer
from matplotlib.text import Annotation

from analysis import from_records
from analysis.funding import FundingStatement, annual_figures, funding_statements
from analysis.plots import cooperation_figure, funding_figure, plot_cooperation_network, plot_funding_by_year
from analysis.projection import cooperation_graph
from tests.test_analysis_projection import toy_graph

PNG = b"\x89PNG\r\n\x1a\n"


def texts(figure) -> str:  # noqa: ANN001 - a matplotlib Figure
    return "\n".join(t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text")))


def statement(id_: str, kind: str, usd: float | None, start: int | None, end: int | None, *, account: str | None = None,
              cumulative: bool = False, subject: tuple[str, ...] = ("program:cbsi",)) -> FundingStatement:
    return FundingStatement(id_, id_, kind, usd, start, end, account, cumulative, None, subject)


def test_cooperation_network_png_and_svg(tmp_path: Path) -> None:
    graph = cooperation_graph(toy_graph())
    path = plot_cooperation_network(graph, tmp_path / "sub" / "net.png", top_labels=3)
    assert path.read_bytes()[:8] == PNG
    assert path.stat().st_size > 10_000
    svg = plot_cooperation_network(graph, tmp_path / "net.svg", top_labels=3)
    assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()


def test_empty_graph_still_draws(tmp_path: Path) -> None:
    path = plot_cooperation_network(cooperation_graph(toy_graph(), countries="ZZ"), tmp_path / "empty.png")
    assert path.read_bytes()[:8] == PNG
    assert plot_funding_by_year([], tmp_path / "none.png").read_bytes()[:8] == PNG


def test_network_explains_itself_and_labels_never_overlap() -> None:
    graph = cooperation_graph(from_records())
    figure = cooperation_figure(graph, top_labels=40)
    words = texts(figure)
    assert "CBSI cooperation network" in words
    assert "Colour: actor type" in words and "Size: actors tied to" in words and "Tie width and shade" in words
    assert "Source:" in words
    labels = [a for a in figure.axes[0].texts if isinstance(a, Annotation)]
    assert 5 <= len(labels) <= 40
    assert len(labels) == len(figure.cbsi_labels)
    renderer = figure.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in labels]
    assert not any(a.overlaps(b) for a, b in combinations(boxes, 2)), "no two labels overlap"
    degree = dict(graph.degree())
    assert max(degree, key=degree.get) in figure.cbsi_labels, "the best-connected actor is named"


def test_isolated_actors_are_set_apart() -> None:
    graph = nx.Graph()
    graph.add_node("gov:JM", label="Government", countryCode="JM", name="Jamaica")
    graph.add_node("gov:BB", label="Government", countryCode="BB", name="Barbados")
    graph.add_node("cso:alone", label="CivilSocietyOrganization", name="Alone Foundation")
    graph.add_edge("gov:JM", "gov:BB", weight=2)
    figure = cooperation_figure(graph)
    assert len(figure.axes) == 2
    box = figure.axes[1]
    assert box.get_title(loc="left") == "Not tied to any other actor in this view (1)"
    assert "Alone Foundation" in texts(box)
    network = figure.axes[0]
    discs = [c for c in network.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in discs) == 2, "only the tied actors are drawn in the network"


def test_annual_figures_count_restatements_and_account_splits_once() -> None:
    rows = [
        statement("a", "appropriation", 58.0, 2020, 2020),
        statement("b", "appropriation", 60.0, 2020, 2020),  # the same appropriation, another source
        statement("c", "request", 64.5, 2024, 2024, account="MULTIPLE"),
        statement("d", "request", 28.0, 2024, 2024, account="ESF"),  # a split of c
        statement("e", "commitment", 3.0, 2012, 2012, subject=("gov:BB",)),  # two different grants: added
        statement("f", "commitment", 2.0, 2012, 2012, subject=("gov:BS",)),
        statement("g", "allocation", 560.0, 2010, 2018),  # multi-year: not annual
        statement("h", "appropriation", 500.0, 2010, 2017, cumulative=True),
    ]
    figures = {(f.fiscal_year, f.flow_type): f for f in annual_figures(rows)}
    assert set(figures) == {(2020, "appropriation"), (2024, "request"), (2012, "commitment")}
    assert figures[(2020, "appropriation")].amount_usd == 60.0 and figures[(2020, "appropriation")].others == (58.0,)
    assert figures[(2024, "request")].amount_usd == 64.5
    assert figures[(2012, "commitment")].amount_usd == 5.0


def test_funding_keeps_annual_bars_apart_from_multi_year_statements() -> None:
    rows = [
        statement("r20", "request", 40.0, 2020, 2020),
        statement("a20", "appropriation", 60.0, 2020, 2020),
        statement("a21", "appropriation", 75.0, 2021, 2021),
        statement("g", "allocation", 560.0, 2010, 2018),
        statement("h", "appropriation", 500.0, 2010, 2017, cumulative=True),
        statement("u", "commitment", 5.0, None, None),  # undated: counted in the note only
    ]
    figure = funding_figure(rows)
    annual, spans = figure.axes[0], figure.axes[1]
    containers = [c for c in annual.containers if isinstance(c, BarContainer)]
    assert [c.get_label() for c in containers] == ["request", "appropriation"], "requests beside appropriations"
    bars = [bar for c in containers for bar in c]
    assert all(bar.get_y() == 0 for bar in bars), "nothing stacked"
    lefts = [round(bar.get_x(), 6) for bar in bars]
    assert len(set(lefts)) == len(lefts), "side by side"
    heights = {(c.get_label(), i): bar.get_height() for c in containers for i, bar in enumerate(c)}
    assert heights[("request", 0)] == 40.0 and heights[("appropriation", 0)] == 60.0
    assert heights[("request", 1)] == 0.0 and heights[("appropriation", 1)] == 75.0
    assert max(bar.get_height() for bar in bars) == 75.0, "multi-year totals are not among the annual bars"
    assert [t.get_text() for t in annual.get_xticklabels()] == ["FY2020", "FY2021"]
    assert annual.get_ylabel() == "U.S. dollars" and "fiscal year" in annual.get_xlabel()
    span_bars = [bar for c in spans.containers for bar in c]
    assert sorted(bar.get_width() for bar in span_bars) == [500.0, 560.0]
    assert any(bar.get_hatch() for bar in span_bars), "the cumulative statement is marked"
    assert "cumulative statement" in texts(spans)
    words = texts(figure)
    assert "CBSI funding by U.S. fiscal year" in words and "Source:" in words
    assert "1 without a fiscal year" in words.replace("\n", " ")


def test_funding_plot_of_the_seed(tmp_path: Path) -> None:
    statements = funding_statements(from_records())
    assert any(s.cumulative for s in statements)
    path = plot_funding_by_year(statements, tmp_path / "funding.svg")
    assert "<svg" in path.read_text()
    assert plot_funding_by_year(statements, tmp_path / "funding.png").read_bytes()[:8] == PNG
