"""Bounded work per request between the text and the resolvers: length, parse cache, shape limits, time budget.

Why one extension instead of Strawberry's `QueryDepthLimiter` / `MaxAliasesLimiter`: those walk every path
through the fragments, so a ~1 KB fragment bomb (20 fragments, each spreading the previous one twice) costs
2^20 visits. Here every fragment's shape (depth, aliases, expanded selections, cost per row) is computed once,
bottom-up, and an operation is measured from its fragments' shapes: linear in the document. The shape check
runs before the standard validation rules, and a document that breaks a limit is rejected without them.

What is checked, in order, each failure answered with `extensions.code = LIMIT_EXCEEDED`:
- the query text's length (`app/guard.py` checks it first over HTTP; the parser gets it as `max_source_length`);
- depth, aliases, expanded selections (how many field selections the document has once every fragment
  spread is replaced by its fragment) and the cost estimate of `schema/cost.py`;
- a wall-clock budget for parsing plus validation: a validation rule checks the clock as it walks and aborts
  the validation when the budget is spent (parsing is linear and bounded by the token and length limits).

A text whose template (its String and Int literals blanked, `schema/literal_template.py`) was found valid before
skips the standard rules: only its limits above, which read the values, are measured again.

Parsed documents are cached by query text in `ParsedDocuments`, bounded by the total length of the texts held
(an AST costs memory in proportion to its text: twelve 10 MB texts must not stay resident) and by a count. An
AST costs about 64 bytes of Python objects per character of its text (measured on the soak's cookbook queries:
2,000,000 characters held 121 MiB), so the character budget is set from that ratio, not from the texts' size.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    Token,
    ValidationRule,
)
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension

from schema.bounded_lru import BoundedLRU
from schema.cost import CostEstimator
from schema.literal_template import ValidTemplates, ints_fit, literals_fit, template

LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
CLOCK_EVERY = 64  # validation nodes between two reads of the clock


def limit_error(message: str, nodes: Any = None, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": LIMIT_EXCEEDED, **extensions})


@dataclass(frozen=True)
class Shape:
    """What a selection set expands to: field depth below it, aliases and field selections in its expansion."""

    depth: int = 0
    aliases: int = 0
    selections: int = 0

    def __add__(self, other: Shape) -> Shape:  # two parts of one selection set side by side
        return Shape(max(self.depth, other.depth), self.aliases + other.aliases, self.selections + other.selections)


class ShapeMeter:
    """Shapes of one document's operations; each fragment is measured once (a cycle counts as empty)."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self._shapes: dict[str, Shape] = {}
        self._in_progress: set[str] = set()

    def fragment(self, name: str) -> Shape:
        shape = self._shapes.get(name)
        if shape is not None:
            return shape
        fragment = self.fragments.get(name)
        if fragment is None or name in self._in_progress:
            return Shape()  # unknown fragments and cycles are reported by validation
        self._in_progress.add(name)
        try:
            shape = self.selection_set(fragment.selection_set)
        finally:
            self._in_progress.discard(name)
        self._shapes[name] = shape
        return shape

    def selection_set(self, selection_set: SelectionSetNode) -> Shape:
        total = Shape()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                introspection = selection.name.value.startswith("__")
                own = Shape(0, 1 if selection.alias else 0, 1)
                if selection.selection_set and not introspection:
                    child = self.selection_set(selection.selection_set)
                    own = Shape(child.depth + 1, own.aliases + child.aliases, 1 + child.selections)
                elif selection.selection_set:  # introspection: not deep, but its selections still count
                    child = self.selection_set(selection.selection_set)
                    own = Shape(0, own.aliases + child.aliases, 1 + child.selections)
                total = total + own
            elif isinstance(selection, InlineFragmentNode):
                total = total + self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total = total + self.fragment(selection.name.value)
        return total


@dataclass(frozen=True)
class DocumentBounds:
    """The limits `DocumentLimits` enforces (see `schema.QueryLimits` for the defaults and settings)."""

    max_depth: int
    max_aliases: int
    max_cost: int
    max_page_size: int
    max_query_length: int
    max_selections: int
    budget_seconds: float


def shape_errors(schema: Any, document: DocumentNode, variables: dict[str, Any],
                 bounds: DocumentBounds) -> list[GraphQLError]:
    """Every operation's depth, alias, expanded-selection and cost limit breaches (linear in the document)."""
    meter = ShapeMeter(document)
    estimator = CostEstimator(schema, document, variables, bounds.max_page_size)
    errors: list[GraphQLError] = []
    aliases = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        name = definition.name.value if definition.name else "anonymous"
        shape = meter.selection_set(definition.selection_set)
        aliases += shape.aliases
        if shape.depth > bounds.max_depth:
            errors.append(limit_error(
                f"'{name}' exceeds maximum operation depth of {bounds.max_depth} (its depth is {shape.depth}).",
                definition, depth=shape.depth, limit=bounds.max_depth))
        if shape.selections > bounds.max_selections:
            errors.append(limit_error(
                f"'{name}' expands to {shape.selections} field selections once fragments are spread; the limit is "
                f"max_selections = {bounds.max_selections}. Spread fewer fragments or spread them fewer times.",
                definition, selections=shape.selections, limit=bounds.max_selections))
            continue  # its cost would only repeat the same news with a larger number
        cost = estimator.operation_cost(definition)
        if cost > bounds.max_cost:
            errors.append(limit_error(
                f"Query cost {cost} is above the limit max_query_cost = {bounds.max_cost}: ask for smaller pages "
                "(`first`) or fewer nested lists.", definition, cost=cost, limit=bounds.max_cost))
    if aliases > bounds.max_aliases:
        errors.append(limit_error(f"{aliases} aliases found. Allowed: {bounds.max_aliases}",
                                  aliases=aliases, limit=bounds.max_aliases))
    return errors


PARSED_MAX_ENTRIES = 512
PARSED_MAX_CHARS = 250_000  # about 16 MiB of ASTs at ~64 bytes per character of text
PARSED_MAX_ENTRY_CHARS = 25_000  # a tenth of the budget: one text never evicts most of the others


class ParsedDocuments(BoundedLRU[str, DocumentNode]):
    """An LRU of parsed documents by query text, bounded by a count and by the total length of the texts it holds.

    Why both: varied values (`first: 7`, another government id) make every text new, so without a count the
    cache fills its whole character budget; and the budget itself must be counted in AST bytes, not text bytes.
    """

    def __init__(self, max_chars: int = PARSED_MAX_CHARS, max_entry_chars: int = PARSED_MAX_ENTRY_CHARS,
                 max_entries: int = PARSED_MAX_ENTRIES) -> None:
        # a longer text is parsed every time; a text is kept from its second sight (`schema/bounded_lru.py`)
        super().__init__(max_entries, max_chars, len, max_entry_chars, second_sight=True)


class DocumentLimits(SchemaExtension):
    """Query length, cached parsing, shape limits before validation, the parse + validation time budget, and the
    standard rules skipped for a text of a known valid template."""

    def __init__(self, bounds: DocumentBounds, parsed: ParsedDocuments,
                 templates: ValidTemplates | None = None) -> None:
        self.bounds = bounds
        self.parsed = parsed
        self.templates = templates  # valid whatever their literals say (`schema/literal_template.py`)
        self.started = 0.0

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        self.started = time.monotonic()
        query = context.query
        # a longer text is refused by the parser at once ("Source contains more than N code points")
        context.parse_options["max_source_length"] = self.bounds.max_query_length  # type: ignore[typeddict-unknown-key]  # graphql-core accepts it; Strawberry's TypedDict lags
        if query is not None and context.graphql_document is None and len(query) <= self.bounds.max_query_length:
            context.graphql_document = self.parsed.get(query)
        cached = context.graphql_document
        yield
        document = context.graphql_document
        if document is not None and document is not cached:
            unlink_tokens(document)
        if query is not None and document is not None and not context.pre_execution_errors:
            self.parsed.put(query, document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        blanked = None
        if context.pre_execution_errors is None and document is not None:  # None: not answered from a cache
            errors = shape_errors(context.schema._schema, document, context.variables or {}, self.bounds)
            if errors:
                context.pre_execution_errors = errors  # Strawberry then skips the standard validation
            else:
                blanked = self._template(context.query)
                if blanked is not None and self.templates is not None and self.templates.get(blanked) is True:
                    context.pre_execution_errors = []  # another text of this template was valid: so is this one
                    blanked = None
                else:
                    deadline = self.started + self.bounds.budget_seconds
                    context.validation_rules = (*context.validation_rules, budget_rule(deadline, self.bounds))
        yield
        if (blanked is not None and self.templates is not None and self.templates.get(blanked) is None
                and context.pre_execution_errors == [] and document is not None):
            # kept either way: a template whose literals do not fit is not walked again on its next text
            self.templates.put(blanked, literals_fit(context.schema._schema, document))

    def _template(self, query: str | None) -> str | None:
        """The text's template when its Int literals fit 32 bits (else the verdict may depend on them: None)."""
        blanked = template(query) if self.templates is not None and query else None
        return blanked[0] if blanked is not None and ints_fit(blanked[1]) else None


def unlink_tokens(document: DocumentNode) -> int:
    """Drop the backward links of a parsed document's tokens (`Token.prev`); how many tokens were unlinked.

    Why: graphql-core links a document's tokens both ways, so every parsed document is a reference cycle that
    only the cyclic garbage collector can free. Most texts are parsed, answered and dropped (or later evicted
    from `ParsedDocuments`), so each request left about 300 objects of cyclic garbage, and the collections they
    caused walked the whole heap: in the varied soak at 8 clients (issue #14, session 12) the server spent about
    18% of its CPU collecting, in pauses of 70-110 ms. Without `prev` the tokens form a chain that reference
    counting frees at once. Nothing reads `prev` once parsing is done (errors locate nodes by `loc.start`).

    >>> from graphql import parse
    >>> document = parse("{ a }")
    >>> unlink_tokens(document), document.loc.end_token.prev is None
    (5, True)
    """
    if document.loc is None:
        return 0
    count, token = 0, cast(Token | None, document.loc.start_token)
    while token is not None:
        token.prev = None
        count += 1
        token = token.next
    return count


def budget_rule(deadline: float, bounds: DocumentBounds) -> type[ValidationRule]:
    """A validation rule that aborts the validation once the parse + validation budget is spent."""

    class ValidationBudget(ValidationRule):
        seen = 0

        def enter(self, node: Node, *_args: Any) -> None:
            self.seen += 1
            if self.seen % CLOCK_EVERY == 0 and time.monotonic() > deadline:
                raise ValidationAbortedError(
                    f"Parsing and validating this document took longer than its budget of "
                    f"{bounds.budget_seconds:g} s; send a smaller document.",
                    extensions={"code": LIMIT_EXCEEDED, "limit": bounds.budget_seconds},
                )

    return ValidationBudget
