"""Ranked full-text search over names, aliases and descriptions through the `entity_search` index.

Why build the Lucene query ourselves: user text may hold Lucene syntax (`AND`, `:`, `(`), which must be
escaped; each word is then asked for exactly (boosted, and accent/case-folded by the index's
`standard-folding` analyzer) OR with a `~` fuzzy term, so small typos still match.
"""

from __future__ import annotations

import re
import unicodedata

from resolvers import catalog
from resolvers.cypher import CypherRunner
from resolvers.errors import BadFilterError
from resolvers.nodes import NodeRow

SEARCH = """
CALL db.index.fulltext.queryNodes('entity_search', $query, {limit: $candidates}) YIELD node, score
WHERE $labels IS NULL OR any(label IN labels(node) WHERE label IN $labels)
RETURN node {.*} AS props, labels(node) AS labels, score
ORDER BY score DESC, node.id
LIMIT $first
"""
LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
LUCENE_WORDS = frozenset({"and", "or", "not", "to"})
FUZZY_MIN_LENGTH = 4


def _fold(word: str) -> str:
    """Lower case without accents: fuzzy terms skip the analyzer, so fold them here as the index does."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)).lower()


def lucene_query(text: str) -> str:
    """Escape the user's words and add a fuzzy variant of each longer word."""
    words = [w for w in re.split(r"\s+", text.strip()) if w]
    terms = []
    for word in words:
        folded = _fold(word)
        escaped = LUCENE_SPECIAL.sub(r"\\\1", folded)
        if not escaped or folded in LUCENE_WORDS:
            escaped = f'"{folded}"' if folded in LUCENE_WORDS else escaped
        if not escaped:
            continue
        term = f"{escaped}^2"
        if len(folded) >= FUZZY_MIN_LENGTH and folded.isalnum():
            term = f"({term} OR {escaped}~)"
        terms.append(term)
    return " ".join(terms)


async def search(runner: CypherRunner, text: str, labels: list[str] | None, first: int) -> list[tuple[NodeRow, float]]:
    """Best matches first, with Lucene's score."""
    query = lucene_query(text)
    if not query:
        raise BadFilterError("text: give at least one word to search for")
    if labels is not None and not set(labels) <= set(catalog.QUERYABLE_LABELS):
        raise BadFilterError(f"types: unknown type among {labels}")
    params = {"query": query, "labels": labels, "first": first, "candidates": max(first * 20, 200)}
    rows = await runner.read(SEARCH, params)
    return [(NodeRow(row["props"], tuple(row["labels"])), float(row["score"])) for row in rows]
