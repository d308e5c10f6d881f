"""`where` and `sort` inputs for every type, generated from `resolvers.catalog` so they never drift from it.

Why generated: each label's filterable properties and relationships already live in the catalog (derived from
`graph_seed.model`); writing 14 inputs by hand would copy that list. `to_dict` turns an input back into the
plain dict the where-compiler takes.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
from typing import Any, Optional  # noqa: F401 - `Optional` is used in generated annotations

import strawberry
from strawberry.types.base import has_object_definition

from resolvers import catalog


@strawberry.input(description="Text: `eq` exact; `contains`/`startsWith` ignore case.")
class StringFilter:
    eq: str | None = None
    in_: list[str] | None = strawberry.field(name="in", default=None)
    contains: str | None = None
    starts_with: str | None = None


@strawberry.input(description="Whole numbers (e.g. fiscal years).")
class IntFilter:
    eq: int | None = None
    in_: list[int] | None = strawberry.field(name="in", default=None)
    gt: int | None = None
    gte: int | None = None
    lt: int | None = None
    lte: int | None = None


@strawberry.input(description="Numbers (e.g. USD amounts, percentages).")
class FloatFilter:
    eq: float | None = None
    in_: list[float] | None = strawberry.field(name="in", default=None)
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None


@strawberry.input(description="Partial dates `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; they compare as text.")
class DateFilter:
    eq: str | None = None
    in_: list[str] | None = strawberry.field(name="in", default=None)
    starts_with: str | None = None
    gt: str | None = None
    gte: str | None = None
    lt: str | None = None
    lte: str | None = None


@strawberry.input(description="Lists of text (aliases, sector codes): `eq`/`in` on an element; `contains` on text.")
class ListFilter:
    eq: str | None = None
    in_: list[str] | None = strawberry.field(name="in", default=None)
    contains: str | None = None


@strawberry.input(description="True or false.")
class BoolFilter:
    eq: bool | None = None


@strawberry.enum(description="Sort direction; ties are broken by graph id in the same direction.")
class SortDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


FILTER_BY_KIND = {
    catalog.STRING: "StringFilter", catalog.INT: "IntFilter", catalog.FLOAT: "FloatFilter",
    catalog.DATE: "DateFilter", catalog.LIST: "ListFilter", catalog.BOOL: "BoolFilter",
}
_MODULE = sys.modules[__name__]


def _upper(name: str) -> str:
    return "".join(f"_{c}" if c.isupper() else c for c in name).upper()


def _make_where(label: str) -> type:
    """`<Label>Where`: one filter per property, one `some/none/all` per relationship, and AND/OR/NOT."""
    name = f"{label}Where"
    annotations: dict[str, str] = {}
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": annotations}
    for prop, kind in catalog.fields_of(label).items():
        annotations[prop] = f"Optional[{FILTER_BY_KIND[kind]}]"
        namespace[prop] = None
    for field, relation in catalog.RELATIONS[label].items():
        annotations[field] = f"Optional[{relation.target}RelationFilter]"
        namespace[field] = strawberry.field(default=None, description=relation.description)
    for combinator in ("AND", "OR"):
        annotations[combinator] = f"Optional[list[{name}]]"
        namespace[combinator] = strawberry.field(name=combinator, default=None)
    annotations["NOT"] = f"Optional[{name}]"
    namespace["NOT"] = strawberry.field(name="NOT", default=None)
    cls = type(name, (), namespace)
    return strawberry.input(cls, description=f"Filter {label} nodes; all given conditions must hold.")


def _make_relation_filter(label: str) -> type:
    name = f"{label}RelationFilter"
    annotations = {q: f"Optional[{label}Where]" for q in ("some", "none", "all")}
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": annotations,
                                 "some": None, "none": None, "all": None}
    return strawberry.input(
        type(name, (), namespace),
        description=f"Relationship filter: `some`, `none` or `all` related {label} nodes match the filter.",
    )


def _make_sort(label: str) -> type:
    fields = {_upper(p): p for p, kind in catalog.fields_of(label).items() if kind != catalog.LIST}
    sort_enum = strawberry.enum(enum.Enum(f"{label}SortField", fields), description=f"Sortable {label} fields.")  # type: ignore[call-overload]  # the functional Enum API is invisible to mypy
    setattr(_MODULE, sort_enum.__name__, sort_enum)
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__annotations__": {"field": f"{label}SortField", "direction": "SortDirection"},
        "direction": SortDirection.ASC,
    }
    return strawberry.input(type(f"{label}Sort", (), namespace), description=f"Order {label} nodes by one field.")


WHERE: dict[str, type] = {}
SORT: dict[str, type] = {}
for _label in catalog.QUERYABLE_LABELS:
    WHERE[_label] = _make_where(_label)
    SORT[_label] = _make_sort(_label)
    setattr(_MODULE, f"{_label}Where", WHERE[_label])
    setattr(_MODULE, f"{_label}RelationFilter", _make_relation_filter(_label))
    setattr(_MODULE, f"{_label}Sort", SORT[_label])

ActorWhere = WHERE["Actor"]
FundingWhere = WHERE["Funding"]


def to_dict(value: Any) -> Any:
    """A where input as the plain dict the compiler takes (GraphQL names as keys, unset fields dropped)."""
    if isinstance(value, list):
        return [to_dict(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if not has_object_definition(value):
        return value
    out = {}
    for field in value.__strawberry_definition__.fields:
        item = getattr(value, field.python_name)
        if item is None or item is strawberry.UNSET:
            continue
        out[field.graphql_name or strawberry.schema.config.StrawberryConfig().name_converter.apply_naming_config(
            field.python_name)] = to_dict(item)
    return out


def plain_where(value: Any) -> Any:
    """The dict `to_dict` gives for a where input, read straight from graphql-core's coerced argument (GraphQL
    names, every field of the input present, unset ones as None), without building the input objects first.

    Why: Strawberry's `convert_arguments` builds a where input by walking every field of its type (some 30, each
    resolving its type), and the compiled planner turned it back into a dict at once: 62% of the planner's time
    (cProfile of the varied soak queries, issue #14 session 13).

    >>> import enum
    >>> class Kind(enum.Enum):
    ...     A = "a"
    >>> plain_where({"name": {"eq": None, "contains": "x"}, "OR": [{"kind": Kind.A, "id": None}, {"id": None}],
    ...              "NOT": None})
    {'name': {'contains': 'x'}, 'OR': [{'kind': 'a'}, {}]}
    """
    if isinstance(value, dict):
        return {key: plain_where(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [plain_where(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def sort_args(sort: Any | None) -> tuple[str, str]:
    """`(property, direction)` from a `<Label>Sort` input; by name ascending when absent."""
    if sort is None:
        return "name", "ASC"
    return sort.field.value, sort.direction.value


assert all(dataclasses.is_dataclass(cls) for cls in WHERE.values())
