"""Page sizes and the request's loaders: the two things every connection resolver needs from the context."""

from __future__ import annotations

from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from loaders.graph import Loaders
from schema.context import GraphQLContext
from schema.errors import LimitExceededError

DEFAULT_PAGE_SIZE = 20


def page_size(info: Info[GraphQLContext, None], first: int | None) -> int:
    """`first`, or the default page; above the server's maximum is a LIMIT_EXCEEDED error naming the limit."""
    return page_size_within(info.context.max_page_size, first)


def page_size_within(maximum: int, first: int | None) -> int:
    """`page_size` for a given maximum (the compiled path has no `Info`)."""
    if first is None:
        return min(DEFAULT_PAGE_SIZE, maximum)
    if first < 0:
        raise LimitExceededError(f"first: must be 0 or more, got {first}", code="BAD_REQUEST")
    if first > maximum:
        raise LimitExceededError(f"first: {first} is above the maximum page size (max_page_size = {maximum})")
    return first


def graph_loaders(info: Info[GraphQLContext, None]) -> Loaders:
    """The request's `Loaders`, created on first use (a new context per request, so caches never go stale)."""
    loaders = info.context.loaders.get("graph")
    if loaders is None:
        loaders = info.context.loaders["graph"] = Loaders(info.context.runner)
    return loaders


def selected_names(info: Info[GraphQLContext, None]) -> set[str]:
    """The names the current field's selection asks for directly (through fragments too), so a resolver computes
    a figure such as `totalCount`, or a page of edges, only when the client will see it."""
    names: set[str] = set()
    pending = list(info.selected_fields)
    while pending:
        selection = pending.pop()
        for child in selection.selections:
            if isinstance(child, SelectedField):
                names.add(child.name)
            else:  # a fragment spread or inline fragment: look inside
                pending.append(child)
    return names
