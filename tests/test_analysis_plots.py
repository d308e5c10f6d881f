"""PNG figures render headless; funding bars are grouped side by side, never stacked."""

from __future__ import annotations

from pathlib import Path

from matplotlib.container import BarContainer

from analysis.funding import FundingPeriodRecord, funding_by_year
from analysis.plots import funding_figure, plot_cooperation_network, plot_funding_by_year
from analysis.projection import cooperation_graph
from tests.test_analysis_projection import toy_graph

PNG = b"\x89PNG\r\n\x1a\n"


def test_cooperation_network_png(tmp_path: Path) -> None:
    path = plot_cooperation_network(cooperation_graph(toy_graph()), tmp_path / "sub" / "net.png", top_labels=3)
    assert path.read_bytes()[:8] == PNG
    assert path.stat().st_size > 10_000


def test_empty_graph_still_draws(tmp_path: Path) -> None:
    path = plot_cooperation_network(cooperation_graph(toy_graph(), countries="ZZ"), tmp_path / "empty.png")
    assert path.read_bytes()[:8] == PNG
    assert plot_funding_by_year([], tmp_path / "none.png").read_bytes()[:8] == PNG


def test_funding_png_and_bars_not_stacked(tmp_path: Path) -> None:
    table = funding_by_year(toy_graph())
    assert plot_funding_by_year(table, tmp_path / "f.png").read_bytes()[:8] == PNG
    rows = [
        FundingPeriodRecord("FY2016", 2016, 2016, "obligation", 100.0, 1, 0),
        FundingPeriodRecord("FY2016", 2016, 2016, "disbursement", 40.0, 1, 0),
        FundingPeriodRecord("FY2017", 2017, 2017, "obligation", 70.0, 1, 0),
    ]
    axes = funding_figure(rows).axes[0]
    containers = [c for c in axes.containers if isinstance(c, BarContainer)]
    assert [c.get_label() for c in containers] == ["obligation", "disbursement"]  # vocabulary order
    bars = [bar for c in containers for bar in c]
    assert all(bar.get_y() == 0 for bar in bars)  # every bar starts at zero: nothing stacked
    lefts = [round(bar.get_x(), 6) for bar in bars]
    assert len(set(lefts)) == len(lefts)  # side by side
    heights = {(c.get_label(), i): bar.get_height() for c in containers for i, bar in enumerate(c)}
    assert heights[("obligation", 0)] == 100.0 and heights[("disbursement", 0)] == 40.0
    assert heights[("disbursement", 1)] == 0.0
