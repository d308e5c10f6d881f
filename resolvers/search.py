"""Ranked full-text search over names, aliases and descriptions through the `entity_search` index, exact matches
first.

Why build the Lucene query ourselves: user text may hold Lucene syntax (`AND`, `:`, `(`), which must be
escaped; each word is then asked for exactly (boosted, and accent/case-folded by the index's
`standard-folding` analyzer) OR, for words of letters only, with a `~` fuzzy term, so small typos still match.
Words with digits (bill and law numbers such as `H.R. 4939`, codes, years) are never fuzzed and must match:
`4939~` would find bill 4930.

Why exact matches first: Lucene scores a long name that mentions a word above a short alias that *is* the word
("TAFT"). A hit is *exact* when the whole text, case and accents folded and punctuation ignored, equals the
node's graph id, name, one of its aliases or a bill's number; exact hits rank before every other hit (their
score has the best candidate score added, so hits stay ordered by score) and say what they matched on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import cast

from resolvers import catalog
from resolvers.cypher import CypherRunner
from resolvers.errors import BadFilterError
from resolvers.nodes import NodeRow

SEARCH = """
CALL db.index.fulltext.queryNodes('entity_search', $query, {limit: $candidates}) YIELD node, score
WHERE $labels IS NULL OR any(label IN labels(node) WHERE label IN $labels)
RETURN node {.*} AS props, labels(node) AS labels, score
ORDER BY score DESC, node.id
"""
# Exact matches the full-text index cannot see: a graph id (index lookup) and a bill's number.
EXACT = """
MATCH (node:Entity) WHERE node.id IN $ids AND ($labels IS NULL OR any(label IN labels(node) WHERE label IN $labels))
RETURN node {.*} AS props, labels(node) AS labels
UNION
MATCH (node:Legislation)
WHERE node.number IS NOT NULL AND ($labels IS NULL OR 'Legislation' IN $labels)
  AND reduce(t = toLower(node.number), c IN ['.', ' ', '-', '/'] | replace(t, c, '')) = $number
RETURN node {.*} AS props, labels(node) AS labels
"""
LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
LUCENE_WORDS = frozenset({"and", "or", "not", "to"})
FUZZY_MIN_LENGTH = 4


def _fold(word: str) -> str:
    """Lower case without accents: fuzzy terms skip the analyzer, so fold them here as the index does."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)).lower()


def match_key(text: str) -> str:
    """What two texts must share to match exactly: folded letters and digits only.

    >>> match_key("H.R. 4939") == match_key("hr 4939"), match_key("República  Dominicana")
    (True, 'republicadominicana')
    """
    return "".join(c for c in _fold(text) if c.isalnum())


def lucene_query(text: str) -> str:
    """Escape the user's words; add a fuzzy variant of each longer word of letters; words with digits must match.

    >>> lucene_query("H.R. 4939"), lucene_query("Jamiaca")
    ('h.r.^2 +4939^2', '(jamiaca^2 OR jamiaca~)')
    """
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
        if any(c.isdigit() for c in folded):
            term = f"+{term}"  # a number is what the user is after: required, never fuzzed
        elif len(folded) >= FUZZY_MIN_LENGTH and folded.isalpha():
            term = f"({term} OR {escaped}~)"
        terms.append(term)
    return " ".join(terms)


def exact_match(text: str, props: dict[str, object]) -> str | None:
    """What the whole text equals on this node (`id`, `name`, `alias`, `number`), or None."""
    key = match_key(text)
    if not key:
        return None
    if str(props.get("id", "")).lower() == text.strip().lower():
        return "id"
    if match_key(str(props.get("name") or "")) == key:
        return "name"
    aliases = cast(list[str], props.get("aliases") or [])
    if any(match_key(str(alias)) == key for alias in aliases):
        return "alias"
    if props.get("number") and match_key(str(props["number"])) == key:
        return "number"
    return None


def _id_variants(text: str) -> list[str]:
    """`gov:jm` finds `gov:JM`: the id as typed, lower case, and with an upper-case code after the prefix."""
    text = text.strip()
    prefix, sep, rest = text.partition(":")
    if not sep:
        return []
    head = prefix.lower()
    return list(dict.fromkeys([text, text.lower(), f"{head}:{rest.upper()}", f"{head}:{rest.lower()}"]))


@dataclass(frozen=True)
class Hit:
    row: NodeRow
    score: float
    exact: bool
    matched_on: str | None


async def search(runner: CypherRunner, text: str, labels: list[str] | None, first: int) -> list[Hit]:
    """Exact matches first, then the rest by Lucene's score."""
    query = lucene_query(text)
    if not query:
        raise BadFilterError("text: give at least one word to search for")
    if labels is not None and not set(labels) <= set(catalog.QUERYABLE_LABELS):
        raise BadFilterError(f"types: unknown type among {labels}")
    params = {"query": query, "labels": labels, "candidates": max(first * 20, 200)}
    rows = await runner.read(SEARCH, params)
    exact_rows = await runner.read(EXACT, {"ids": _id_variants(text), "labels": labels, "number": match_key(text)})
    scores = {row["props"]["id"]: float(row["score"]) for row in rows}
    found = {row["props"]["id"]: row for row in [*rows, *exact_rows]}
    best = max(scores.values(), default=0.0) + 1.0
    hits = []
    for node_id, row in found.items():
        matched = exact_match(text, row["props"])
        score = scores.get(node_id, 0.0) + (best if matched else 0.0)
        hits.append(Hit(NodeRow(row["props"], tuple(row["labels"])), score, matched is not None, matched))
    hits.sort(key=lambda h: (-h.score, h.row.props["id"]))
    return hits[:first]
