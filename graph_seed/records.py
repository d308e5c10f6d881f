"""Read the curated YAML data files into validated records, with errors that name file, line and field.

Why a loader of our own: pydantic knows the field, YAML knows the line; the analyst fixing a data file needs
both. Nothing here touches a database: a dataset that does not validate never reaches the writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import BaseModel, ValidationError

from graph_seed import vocabulary as vocab
from graph_seed.model import LABEL_PROPS, TYPE_PROPS, EdgeRecord, NodeRecord

DATA_DIR = Path(__file__).resolve().parent / "data"
NODE_COMMON_FIELDS = frozenset({"id", "label", "name", "aliases", "description", "sources"})
EDGE_COMMON_FIELDS = frozenset({"type", "from", "to", "sources"})
LINE_KEY = "__line__"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located as precisely as the input allows."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field + ': ' if self.field else ''}{self.message}"


class DataValidationError(ValueError):
    """The dataset is invalid; `problems` lists every error found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the data:\n{shown}{more}")


@dataclass
class Dataset:
    """Validated nodes and edges, each remembered with where it came from."""

    nodes: list[NodeRecord] = field(default_factory=list)
    edges: list[EdgeRecord] = field(default_factory=list)

    def node_index(self) -> dict[str, NodeRecord]:
        return {node.id: node for node in self.nodes}


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping (1-based) under `__line__`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = cast(dict[str, Any], loader.construct_mapping(node, deep=True))  # YAML keys here are text
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _validation_problems(name: str, line: int | None, exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = ".".join(str(part) for part in error["loc"] if part != "properties") or None
        message = error["msg"].removeprefix("Value error, ")
        problems.append(Problem(name, line, loc, message))
    return problems


def _property_problems(raw: dict[str, Any], common: frozenset[str], models: Mapping[str, type[BaseModel]],
                       kind_field: str, name: str, line: int | None) -> list[Problem]:
    """Validate a record's own properties on their own, so their errors show even when a common field fails."""
    model = models.get(str(raw.get(kind_field)))
    if model is None:
        return []
    properties = {k: v for k, v in raw.items() if k not in common and k != LINE_KEY}
    try:
        model.model_validate(properties)
    except ValidationError as exc:
        return _validation_problems(name, line, exc)
    return []


def node_from_mapping(raw: dict[str, Any]) -> NodeRecord:
    """Build a node from a flat mapping: common fields at the top, the label's own properties beside them."""
    common = {k: v for k, v in raw.items() if k in NODE_COMMON_FIELDS}
    properties = {k: v for k, v in raw.items() if k not in NODE_COMMON_FIELDS and k != LINE_KEY}
    return NodeRecord(**common, properties=properties)


def edge_from_mapping(raw: dict[str, Any]) -> EdgeRecord:
    """Build a relationship from a flat mapping: type/from/to/sources, then the type's own properties."""
    common = {k: v for k, v in raw.items() if k in EDGE_COMMON_FIELDS}
    properties = {k: v for k, v in raw.items() if k not in EDGE_COMMON_FIELDS and k != LINE_KEY}
    return EdgeRecord.model_validate({**common, "properties": properties})


def _parse_file(path: Path, shown: str, dataset: Dataset, lines: dict[int, tuple[str, int | None]],
                problems: list[Problem]) -> None:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(shown, mark.line + 1 if mark else None, None, f"not valid YAML: {exc}"))
        return
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(shown, None, None, f"cannot read: {exc}"))
        return
    if document is None:
        return
    if not isinstance(document, dict) or set(document) - {"nodes", "relationships", LINE_KEY}:
        problems.append(Problem(shown, 1, None, "a data file is a mapping with 'nodes' and/or 'relationships' lists"))
        return
    for section, build, target in (
        ("nodes", node_from_mapping, dataset.nodes),
        ("relationships", edge_from_mapping, dataset.edges),
    ):
        items = document.get(section) or []
        if not isinstance(items, list):
            problems.append(Problem(shown, document.get(LINE_KEY), section, "must be a list"))
            continue
        for index, raw in enumerate(items):
            if not isinstance(raw, dict):
                problems.append(Problem(shown, None, f"{section}[{index}]", "each entry must be a mapping"))
                continue
            line = raw.get(LINE_KEY)
            try:
                record = build(raw)
            except ValidationError as exc:
                found = _validation_problems(shown, line, exc)
                if section == "nodes":
                    found += _property_problems(raw, NODE_COMMON_FIELDS, LABEL_PROPS, "label", shown, line)
                else:
                    found += _property_problems(raw, EDGE_COMMON_FIELDS, TYPE_PROPS, "type", shown, line)
                problems.extend(dict.fromkeys(found))  # the same problem once, in order
                continue
            except TypeError as exc:
                problems.append(Problem(shown, line, None, str(exc)))
                continue
            lines[id(record)] = (shown, line)
            target.append(record)  # type: ignore[arg-type]  # build() makes the record type of its section


def check_integrity(dataset: Dataset, where: dict[int, tuple[str, int | None]] | None = None) -> list[Problem]:
    """Cross-record rules: unique ids, both ends of every relationship exist with allowed labels, sources exist."""
    where = where or {}
    problems: list[Problem] = []
    index: dict[str, NodeRecord] = {}

    def locate(record: object) -> tuple[str, int | None]:
        return where.get(id(record), ("<records>", None))

    for node in dataset.nodes:
        if node.id in index:
            first_file, first_line = locate(index[node.id])
            file, line = locate(node)
            problems.append(Problem(file, line, "id", f"duplicate id {node.id!r} (first at {first_file}:{first_line})"))
            continue
        index[node.id] = node
    sources = {node_id for node_id, node in index.items() if node.label == "Source"}

    def check_sources(record: NodeRecord | EdgeRecord) -> None:
        for source_id in record.sources:
            if source_id not in sources:
                file, line = locate(record)
                problems.append(Problem(file, line, "sources", f"unknown source {source_id!r}"))

    for node in dataset.nodes:
        check_sources(node)
    seen_keys: dict[tuple[str, str, str, str], EdgeRecord] = {}
    for edge in dataset.edges:
        file, line = locate(edge)
        check_sources(edge)
        allowed_from, allowed_to = vocab.RELATIONSHIP_ENDPOINTS[edge.type]
        for end_field, node_id, allowed in (("from", edge.start, allowed_from), ("to", edge.end, allowed_to)):
            end_node = index.get(node_id)
            if end_node is None:
                problems.append(Problem(file, line, end_field, f"no node with id {node_id!r}"))
            elif end_node.label not in allowed:
                problems.append(Problem(
                    file, line, end_field,
                    f"{edge.type} cannot {'start at' if end_field == 'from' else 'end at'} a {end_node.label} "
                    f"({node_id}); "
                    f"allowed: {', '.join(sorted(allowed))}",
                ))
        if edge.key in seen_keys:
            first_file, first_line = locate(seen_keys[edge.key])
            problems.append(Problem(file, line, None, f"duplicate relationship (first at {first_file}:{first_line})"))
        seen_keys[edge.key] = edge
    return problems


def load_dataset(paths: Iterable[Path] | None = None, base: Path | None = None) -> Dataset:
    """Load and validate the data files (default: every `graph_seed/data/*.yaml`), or raise `DataValidationError`."""
    files = sorted(paths) if paths is not None else sorted(DATA_DIR.glob("*.yaml"))
    base = base or DATA_DIR.parent.parent
    dataset = Dataset()
    where: dict[int, tuple[str, int | None]] = {}
    problems: list[Problem] = []
    for path in files:
        try:
            shown = str(path.resolve().relative_to(base))
        except ValueError:
            shown = str(path)
        _parse_file(path, shown, dataset, where, problems)
    problems.extend(check_integrity(dataset, where))
    if problems:
        raise DataValidationError(problems)
    return dataset
