"""Compile a `where` filter (plain dicts from the GraphQL inputs) into a Cypher boolean expression.

Why a compiler of our own: filters nest (`AND`/`OR`/`NOT`, relationship `some`/`none`/`all`) and every value
must travel as a parameter while property names and relationship types come only from `catalog`'s
allow-lists. Unknown fields and values outside a controlled vocabulary are `BadFilterError`s.

Shape: `{"name": {"contains": "youth"}, "AND": [...], "OR": [...], "NOT": {...},
         "participants": {"some": {...}, "none": {...}, "all": {...}}}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from resolvers import catalog
from resolvers.errors import BadFilterError

COMPARISONS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
OPERATORS_BY_KIND: dict[str, frozenset[str]] = {
    catalog.STRING: frozenset({"eq", "in", "contains", "startsWith"}),
    catalog.DATE: frozenset({"eq", "in", "startsWith", *COMPARISONS}),
    catalog.INT: frozenset({"eq", "in", *COMPARISONS}),
    catalog.FLOAT: frozenset({"eq", "in", *COMPARISONS}),
    catalog.BOOL: frozenset({"eq"}),
    catalog.LIST: frozenset({"eq", "in", "contains"}),
}
QUANTIFIERS = ("some", "none", "all")


@dataclass
class Params:
    """Parameter names `w0, w1, ...` and variable names `m1, m2, ...`, unique within one query."""

    values: dict[str, Any] = field(default_factory=dict)
    variables: int = 0

    def add(self, value: Any) -> str:
        name = f"w{len(self.values)}"
        self.values[name] = value
        return "$" + name

    def variable(self) -> str:
        self.variables += 1
        return f"m{self.variables}"


def _check_value(prop: str, value: Any, path: str) -> None:
    allowed = catalog.VOCABULARIES.get(prop)
    values = value if isinstance(value, list) else [value]
    if allowed is not None:
        for item in values:
            if item not in allowed:
                raise BadFilterError(f"{path}: {item!r} is not one of {', '.join(allowed)}")


def _scalar(var: str, prop: str, kind: str, ops: Mapping[str, Any], params: Params, path: str,
            indexed: bool = True) -> list[str]:
    """Conditions on one property; several operators on one property are ANDed."""
    allowed = OPERATORS_BY_KIND[kind]
    parts = []
    for op, value in ops.items():
        if value is None:
            continue
        if op not in allowed:
            raise BadFilterError(f"{path}.{op}: not an operator for {prop} (use {', '.join(sorted(allowed))})")
        if op in ("eq", "in") and prop in catalog.VOCABULARIES:
            _check_value(prop, value, f"{path}.{op}")
        ref = f"{var}.{prop}"
        if kind == catalog.LIST:
            if op == "eq":
                parts.append(f"{params.add(value)} IN coalesce({ref}, [])")
            elif op == "in":
                parts.append(f"any(x IN coalesce({ref}, []) WHERE x IN {params.add(list(value))})")
            else:
                parts.append(f"any(x IN coalesce({ref}, []) WHERE toLower(x) CONTAINS toLower({params.add(value)}))")
        elif op == "eq":
            parts.append(f"{ref} = {params.add(value)}")
        elif op == "in":
            parts.append(f"{ref} IN {params.add(list(value))}")
        elif op in ("contains", "startsWith"):
            # Case-insensitive: Neo4j's own `toLower` on both sides. A property with a lower-cased copy
            # (`catalog.LOWERED`, written with the same `toLower`) reads the copy, which a TEXT index serves.
            # Not inside a relationship filter: there the planner scanned the index once per outer node (90
            # scans for `programs(where: {focusAreas: {some: {name: {contains:}}}})`), twice the Neo4j CPU of
            # following the node's few relationships and lowering each name.
            lowered = catalog.LOWERED.get(prop) if indexed else None
            subject = f"{var}.{lowered}" if lowered else f"toLower({ref})"
            word = "CONTAINS" if op == "contains" else "STARTS WITH"
            parts.append(f"{subject} {word} toLower({params.add(value)})")
        else:
            parts.append(f"{ref} {COMPARISONS[op]} {params.add(value)}")
    return parts


def _relation(
    var: str, label: str, name: str, spec: Mapping[str, Any], params: Params, path: str
) -> list[str]:
    hop = catalog.relation(label, name)
    parts = []
    for quantifier, inner in spec.items():
        if inner is None:
            continue
        if quantifier not in QUANTIFIERS:
            raise BadFilterError(f"{path}.{quantifier}: use some, none or all")
        other = params.variable()
        pattern = hop.pattern(var, "", other)
        condition = compile_expression(hop.target, inner, other, params, f"{path}.{quantifier}", indexed=False)
        if quantifier == "some":
            parts.append(f"EXISTS {{ MATCH {pattern} WHERE {condition} }}")
        elif quantifier == "none":
            parts.append(f"NOT EXISTS {{ MATCH {pattern} WHERE {condition} }}")
        else:
            parts.append(f"NOT EXISTS {{ MATCH {pattern} WHERE NOT ({condition}) }}")
    return parts


def compile_expression(
    label: str, where: Mapping[str, Any] | None, var: str, params: Params, path: str = "where",
    indexed: bool = True,
) -> str:
    """A Cypher boolean expression on `var` (a node of `label`); `true` for an empty filter. `indexed`: whether
    text conditions may read the indexed lower-cased copies (not for a node reached inside a relationship filter).
    """
    if not where:
        return "true"
    fields = catalog.fields_of(label)
    relations = catalog.RELATIONS[label]
    parts: list[str] = []
    for key, value in where.items():
        if value is None:
            continue
        here = f"{path}.{key}"
        if key in ("AND", "OR"):
            items = [compile_expression(label, item, var, params, f"{here}[{i}]", indexed)
                     for i, item in enumerate(value)]
            if items:
                parts.append("(" + f" {key} ".join(f"({item})" for item in items) + ")")
        elif key == "NOT":
            parts.append(f"NOT ({compile_expression(label, value, var, params, here, indexed)})")
        elif key in fields:
            parts.extend(_scalar(var, key, fields[key], value, params, here, indexed))
        elif key in relations:
            parts.extend(_relation(var, label, key, value, params, here))
        else:
            raise BadFilterError(f"{here}: {label} has no filterable field {key!r}")
    return " AND ".join(f"({part})" for part in parts) if parts else "true"


def compile_where(label: str, where: Mapping[str, Any] | None, var: str = "n") -> tuple[str, dict[str, Any]]:
    """`(expression, parameters)` for a filter on nodes of `label` bound to `var`."""
    params = Params()
    return compile_expression(label, where, var, params), params.values
