"""Complete a subtree of plain values in one walk, instead of field by field through graphql-core's executor.

Why: a resolver that returns a whole answer as data (a funding aggregate's groups, a path's steps, a coverage
report) leaves graphql-core to complete every field of it one by one: a resolve info, a call through Strawberry's
field wrapper, an awaitable check and a type dispatch per field. On the varied soak that was 10% of the server's
CPU, and about a third of `fundingAggregate`'s (1,530 values by country; py-spy, issue #14 session 13). Where
every selected field below an object is read by a pure function of its parent (a *basic* field, which
Strawberry reads with `getattr`, or a synchronous method taking only `self`; no arguments, no field extension),
the completion is a pure function of the value and the selection, so it is
built once per (type, selection) and applied to every value.

The walk gives exactly what graphql-core gives or gives up: a leaf is coerced by its own type's
`coerce_output_value`, a list must be a non-string iterable, and anything the executor would answer with an error
(a null at a non-null position, a value that does not coerce, an attribute that is missing) raises `Fallback`,
after which the caller completes the same value the ordinary way, errors and paths included. A selection with
anything else below it (a resolver, an abstract type, a type with `is_type_of`, `@defer`, `@stream` or another
directive than `@skip`/`@include`, a schema extension that wraps resolvers) is not walked at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    is_leaf_type,
)

Shaper = Callable[[Any], Any]
Subfields = Callable[[GraphQLObjectType, Any], Any]  # graphql-core's memoized `collect_subfields`
PLAIN_DIRECTIVES = frozenset({"skip", "include"})  # applied while collecting fields; nothing left to run
STRAWBERRY_FIELD = "strawberry-definition"


class Fallback(Exception):
    """This value is not completed here: the executor completes it the ordinary way (and reports its errors)."""


class NotPlain(Exception):
    """This selection has something below it that only the executor runs."""


def plain_directives(field_details: Iterable[Any]) -> bool:
    """Whether the field's nodes carry no directive but `@skip`/`@include` (so no `@stream`, no `@defer`)."""
    return all(detail.defer_usage is None
               and all(d.name.value in PLAIN_DIRECTIVES for d in detail.node.directives or ())
               for detail in field_details)


def field_getter(field: Any) -> Shaper:
    """How Strawberry reads a field from its parent value, when that is a pure function of the value: `getattr`
    of the Python attribute behind a basic field (no resolver), or a synchronous method of the parent that takes
    nothing but `self` (no arguments, no `info`, no field extension; `FundingGroupKey.period`)."""
    definition = field.extensions.get(STRAWBERRY_FIELD)
    if definition is None or field.args or definition.extensions:
        raise NotPlain("a field with arguments or extensions")
    resolve = field.resolve
    name = getattr(resolve, "__name__", "")
    if definition.base_resolver is None:
        if (name != "_get_basic_result" or not getattr(resolve, "_is_default", False)
                or definition.default_resolver is not getattr):
            raise NotPlain(f"field {definition.name} is read another way")
        return attrgetter(definition.python_name)
    method = definition.base_resolver
    if (name != "_resolver" or method.is_async or method.arguments or method.self_parameter is None
            or method.info_parameter is not None or method.root_parameter is not None
            or method.parent_parameter is not None):
        raise NotPlain(f"field {definition.name} has a resolver")
    return method  # called with the parent as `self`, as Strawberry calls it


def leaf(type_: GraphQLLeafType) -> Shaper:
    coerce = type_.coerce_output_value

    def complete_leaf(value: Any) -> Any:
        if value is None:
            return None
        completed = coerce(value)
        if completed is None or completed is Undefined:
            raise Fallback
        return completed

    return complete_leaf


def non_null(inner: Shaper) -> Shaper:
    def complete_non_null(value: Any) -> Any:
        completed = inner(value)
        if completed is None:
            raise Fallback
        return completed

    return complete_non_null


def list_of(inner: Shaper) -> Shaper:
    def complete_list(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, (list, tuple)):  # an iterator would be used up before a fallback reads it
            raise Fallback
        return [inner(item) for item in value]

    return complete_list


def shaper(type_: GraphQLOutputType, field_details: Any, subfields: Subfields) -> Shaper:
    """The completion of a value of `type_` for the selection `field_details`, or `NotPlain`."""
    if isinstance(type_, GraphQLNonNull):
        return non_null(shaper(type_.of_type, field_details, subfields))
    if isinstance(type_, GraphQLList):
        return list_of(shaper(type_.of_type, field_details, subfields))
    if is_leaf_type(type_):
        return leaf(type_)
    if isinstance(type_, GraphQLObjectType):
        return object_shaper(type_, field_details, subfields)
    raise NotPlain(f"abstract type {type_}")


def object_shaper(type_: GraphQLObjectType, field_details: Any, subfields: Subfields) -> Shaper:
    """A dict of the selected fields, in the executor's order, each read with `getattr` and completed."""
    if type_.is_type_of is not None:
        raise NotPlain(f"{type_.name} checks its values' type")
    grouped, new_defer_usages, forbidden = subfields(type_, field_details)
    if new_defer_usages or forbidden:
        raise NotPlain("deferred fields")
    parts: list[tuple[str, Shaper | None, Shaper | str]] = []
    for key, details in grouped.items():
        if not plain_directives(details):
            raise NotPlain("a directive")
        name = details[0].node.name.value
        if name == "__typename":
            parts.append((key, None, type_.name))
            continue
        field = type_.fields.get(name)
        if field is None:
            raise NotPlain(f"unknown field {name}")
        parts.append((key, field_getter(field), shaper(field.type, details, subfields)))

    def complete_object(value: Any) -> Any:
        if value is None:
            return None
        return {key: complete if get is None else complete(get(value))  # type: ignore[operator]
                for key, get, complete in parts}

    return complete_object


class PlainShapers:
    """The shapers of one execution, memoized by (type, selection) as graphql-core memoizes `collect_subfields`:
    a list of a thousand values is walked by one shaper, built once. It keeps no reference to the executor
    (`subfields` is used while building only), so the executor that holds it makes no reference cycle."""

    def __init__(self) -> None:
        self._built: dict[tuple[GraphQLOutputType, int], tuple[Any, Shaper | None]] = {}

    def get(self, type_: GraphQLOutputType, field_details: Any, subfields: Subfields) -> Shaper | None:
        key = (type_, id(field_details))
        built = self._built.get(key)
        if built is None:
            try:
                made: Shaper | None = shaper(type_, field_details, subfields) \
                    if plain_directives(field_details) else None
            except Exception:  # noqa: BLE001 - NotPlain, or a selection this walk does not know: the executor's
                made = None
            built = self._built[key] = (field_details, made)  # the list kept alive: its id is the key
        return built[1]
