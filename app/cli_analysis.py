"""`cbsi-graph analyze | export | plot`: the researchers' measures, files and figures from the command line.

The graph comes from Neo4j by default (so imported data counts), or from the curated `graph_seed` files with
`--from seed` and no database at all.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import sys
from pathlib import Path
from typing import Any

import networkx as nx

from app.settings import Settings

VIEWS = ("full", "cooperation", "affiliation", "funding", "resource-flow")


class OptionError(ValueError):
    """A `--set` option the measure does not take, or a value of the wrong kind."""


def add_graph_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="origin", choices=["neo4j", "seed"], default="neo4j",
                        help="read the graph from Neo4j (default; includes imports) or from graph_seed files")
    parser.add_argument("--fiscal-years", help="a year or range: 2018, 2016-2020, 2016-")
    parser.add_argument("--countries", help="ISO codes, comma-separated: JM,BB")
    parser.add_argument("--actor-types", help="actor labels, comma-separated: Agency,CivilSocietyOrganization")


def load_graph(args: argparse.Namespace, settings: Settings) -> nx.MultiDiGraph:
    """The full MultiDiGraph from the chosen origin. Status lines (starting the local Neo4j...) go to stderr:
    stdout carries only the data, so `--format json|csv` output parses."""
    from analysis import from_neo4j, from_records

    with contextlib.redirect_stdout(sys.stderr):
        if args.origin == "seed":
            return from_records()
        from app.neo4j_connection import resolve_target, sync_driver

        target = resolve_target(settings)
        with sync_driver(target) as driver:
            return from_neo4j(driver, target.database)


def _notes(result: Any) -> list[str]:
    """What a result left out (money not summed, a component not scored...), for stderr."""
    meta = getattr(result, "meta", None) or {}
    notes = [str(note) for note in meta.get("notes", [])]
    for item in meta.get("left_out", []):
        notes.append(f"left out ({item['reason']}): {item['fundings']} {item['flow_type']} figure(s), "
                     f"USD {item['amount_usd']:,.0f}: {', '.join(item['funding_ids'][:5])}"
                     f"{' ...' if len(item['funding_ids']) > 5 else ''}")
    return notes


def _slice(args: argparse.Namespace) -> dict[str, Any]:
    return {"fiscal_years": args.fiscal_years, "countries": args.countries, "actor_types": args.actor_types}


def _coerce(value: str, annotation: Any) -> Any:
    text = str(annotation)
    if "bool" in text:
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise OptionError(f"expected true or false, got {value!r}")
    if "float" in text:
        return float(value)
    if "int" in text and "Iterable" not in text:
        return int(value)
    return value


def measure_options(function: Any, pairs: list[str]) -> dict[str, Any]:
    """`key=value` pairs checked against the measure's own parameters and converted to their types."""
    parameters = inspect.signature(function).parameters
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise OptionError(f"--set takes key=value, got {pair!r}")
        if key not in parameters and not accepts_any:
            allowed = ", ".join(name for name in parameters if name != "G")
            raise OptionError(f"unknown option {key!r}; this measure takes: {allowed}")
        annotation = parameters[key].annotation if key in parameters else str
        try:
            options[key] = _coerce(value, annotation)
        except ValueError as exc:
            raise OptionError(f"option {key}: {exc}") from exc
    return options


def _frame(result: Any) -> Any:
    return result.to_frame()


def cmd_analyze(args: argparse.Namespace, settings: Settings) -> int:
    from analysis import MEASURES

    function = MEASURES[args.measure]
    options = {**_slice(args), **measure_options(function, args.set or [])}
    if args.top is not None and "top" in inspect.signature(function).parameters:
        options["top"] = args.top
    if args.seed is not None and "seed" in inspect.signature(function).parameters:
        options["seed"] = args.seed
    result = function(load_graph(args, settings), **options)
    for note in _notes(result):
        print(note, file=sys.stderr)
    frame = _frame(result)
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        json.dump(json.loads(frame.to_json(orient="records")), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(frame.to_string(index=False) if len(frame) else "(no rows)")
        modularity = getattr(result, "modularity", None)
        if modularity is not None:
            print(f"modularity: {modularity:.4f}")
    return 0


def view_of(graph: nx.MultiDiGraph, view: str, args: argparse.Namespace) -> nx.Graph:
    from analysis import affiliation_graph, cooperation_graph, funding_graph, resource_flow_graph

    if view == "full":
        return graph
    builders = {"cooperation": cooperation_graph, "affiliation": affiliation_graph, "funding": funding_graph,
                "resource-flow": resource_flow_graph}
    return builders[view](graph, **_slice(args))


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from analysis import export

    graph = view_of(load_graph(args, settings), args.view, args)
    for path in export(graph, args.output, args.format):
        print(f"wrote {path} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")
    return 0


def cmd_plot(args: argparse.Namespace, settings: Settings) -> int:
    from analysis import cooperation_graph, funding_statements
    from analysis.plots import plot_cooperation_network, plot_funding_by_year

    graph = load_graph(args, settings)
    if args.figure == "network":
        path = plot_cooperation_network(cooperation_graph(graph, **_slice(args)), args.output,
                                        top_labels=args.labels, seed=args.seed)
    else:
        path = plot_funding_by_year(funding_statements(graph, **_slice(args)), args.output)
    print(f"wrote {path}")
    return 0


def add_parsers(commands: Any) -> None:
    from analysis import MEASURES

    analyze = commands.add_parser(
        "analyze", help="run a network measure and print a table (or CSV/JSON)",
        description="Measures: " + ", ".join(MEASURES) + ". Per-measure options go through --set key=value; "
        "`python -c \"from analysis import MEASURES; help(MEASURES['brokers'])\"` lists them.",
    )
    analyze.add_argument("measure", choices=sorted(MEASURES))
    add_graph_options(analyze)
    analyze.add_argument("--format", choices=["table", "csv", "json"], default="table")
    analyze.add_argument("--top", type=int, help="keep the first N rows (measures that rank)")
    analyze.add_argument("--seed", type=int, help="random seed (sampled and community measures)")
    analyze.add_argument("--set", action="append", metavar="KEY=VALUE",
                         help="a measure option, e.g. --set source=gov:JM --set target=cso:padf")
    analyze.set_defaults(handler=cmd_analyze)

    export = commands.add_parser("export", help="write the graph (or a view) as GraphML, GEXF, JSON or CSV")
    export.add_argument("output", type=Path, help="file to write; the suffix picks the format unless --format")
    export.add_argument("--format", choices=["graphml", "gexf", "json", "csv"])
    export.add_argument("--view", choices=VIEWS, default="full", help="which graph (default the full graph)")
    add_graph_options(export)
    export.set_defaults(handler=cmd_export)

    plot = commands.add_parser("plot", help="draw a figure (PNG, SVG or PDF by the file's suffix)")
    plot.add_argument("figure", choices=["network", "funding"],
                      help="network: the cooperation network by actor type; funding: by fiscal year and kind")
    plot.add_argument("output", type=Path, help="file to write: .png, .svg or .pdf")
    plot.add_argument("--labels", type=int, default=20, help="label the N best-connected actors (network)")
    plot.add_argument("--seed", type=int, default=0, help="layout seed (network)")
    add_graph_options(plot)
    plot.set_defaults(handler=cmd_plot)
