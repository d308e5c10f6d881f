"""Plain result records: every measure returns typed rows (frozen dataclasses) wrapped in a `Table`.

Why: a researcher gets Python objects to compute with (`row.betweenness`), a pandas DataFrame with
`.to_frame()`, and JSON-ready dicts with `.to_records()` (what a CLI or a GraphQL resolver prints), all
from one object; nothing here knows about a database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import networkx as nx
import pandas as pd

Row = TypeVar("Row")


def _as_dict(row: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    if isinstance(row, dict):
        return dict(row)
    raise TypeError(f"a Table row must be a dataclass instance or a dict, not {type(row).__name__}")


@dataclass(frozen=True)
class Table(Generic[Row]):
    """An ordered sequence of result rows with a title, optional column selection and metadata.

    Example
    -------
    >>> @dataclass(frozen=True)
    ... class Score:
    ...     node: str
    ...     value: float
    >>> table = Table([Score("a", 1.0), Score("b", 0.5)], title="scores")
    >>> table[0].value, len(table), table.to_records()[1]
    (1.0, 2, {'node': 'b', 'value': 0.5})
    >>> list(table.to_frame().columns)
    ['node', 'value']
    """

    rows: Sequence[Row]
    title: str = ""
    columns: tuple[str, ...] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    row_type: type | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> Row:
        return self.rows[index]

    def to_records(self) -> list[dict[str, Any]]:
        """The rows as plain dicts (only the selected columns, when `columns` is set)."""
        records = [_as_dict(row) for row in self.rows]
        if self.columns is not None:
            records = [{c: record.get(c) for c in self.columns} for record in records]
        return records

    def to_frame(self) -> pd.DataFrame:
        """The rows as a DataFrame, one column per field (list values stay lists)."""
        records = self.to_records()
        if self.columns is not None:
            return pd.DataFrame(records, columns=list(self.columns))
        if not records and self.row_type is not None and dataclasses.is_dataclass(self.row_type):
            return pd.DataFrame(columns=[f.name for f in dataclasses.fields(self.row_type)])
        return pd.DataFrame(records)

    def head(self, n: int = 10) -> Table[Row]:
        return dataclasses.replace(self, rows=self.rows[:n])


@dataclass(frozen=True)
class CommunityResult:
    """A partition of the nodes, how it was found, and its modularity."""

    method: str
    communities: tuple[frozenset[str], ...]
    modularity: float
    seed: int | None
    resolution: float
    graph: nx.Graph | None = field(default=None, repr=False, compare=False)

    def membership(self) -> dict[str, int]:
        """node -> community index."""
        return {node: index for index, members in enumerate(self.communities) for node in members}

    def to_records(self) -> list[dict[str, Any]]:
        """One row per node: community index and size, with the node's name and label when known."""
        rows = []
        for index, members in enumerate(self.communities):
            for node in sorted(members):
                attrs = self.graph.nodes[node] if self.graph is not None and node in self.graph else {}
                rows.append({
                    "community": index,
                    "size": len(members),
                    "node": node,
                    "name": attrs.get("name"),
                    "label": attrs.get("label"),
                })
        return rows

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.to_records(), columns=["community", "size", "node", "name", "label"])
