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

Why one statement that sends most candidates without their properties: ranking reads a candidate's id, name,
aliases, number and score only, yet a search used to send two statements (about 1 ms of Neo4j and client CPU
each) and return all the properties of up to 200+ candidates (1-2 ms more) for `first` hits. Ranking stays in Python
(`match_key` folds accents, which Cypher cannot without APOC); `SEARCH` sends all properties for the
candidates that can make the first `first` (the best Lucene scores, and any not ruled out as an exact match by
`_absent_chars`), so the winners need no second trip (`PROPERTIES` is only a safety net).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, cast

from resolvers import catalog
from resolvers.cypher import CypherRunner
from resolvers.errors import BadFilterError
from resolvers.nodes import NodeRow

# One statement: Lucene's candidates (label filter after the limit, as Lucene counts them), then the exact matches
# the full-text index cannot see: a graph id (index lookup) and a bill's number. A candidate comes with all its
# properties only when it can make the final `first`: among the `first` best Lucene scores (ties included), or
# not ruled out as an exact match (`_absent_chars`); the others bring what ranking reads (id, name, aliases,
# number). Exact matches come with all their properties.
SEARCH = """
CALL db.index.fulltext.queryNodes('entity_search', $query, {limit: $candidates}) YIELD node, score
WHERE $labels IS NULL OR any(label IN labels(node) WHERE label IN $labels)
WITH node, score ORDER BY score DESC
WITH collect(node) AS nodes, collect(score) AS scores
UNWIND range(0, size(nodes) - 1) AS i
WITH nodes[i] AS node, scores[i] AS score, scores[$first - 1] AS cutoff
WITH node, score, cutoff IS NULL OR score >= cutoff
  OR coalesce(NOT any(c IN $absent WHERE node.id CONTAINS c), true)
  OR coalesce(NOT any(c IN $absent WHERE node.name CONTAINS c), true)
  OR coalesce(any(alias IN node.aliases WHERE coalesce(NOT any(c IN $absent WHERE alias CONTAINS c), true)), false)
  OR (node.number IS NOT NULL AND coalesce(NOT any(c IN $absent WHERE node.number CONTAINS c), true)) AS full
RETURN node.id AS id, labels(node) AS labels, score, full,
       CASE WHEN full THEN node {.*} ELSE node {.id, .name, .aliases, .number} END AS props
UNION ALL
MATCH (node:Entity) WHERE node.id IN $ids AND ($labels IS NULL OR any(label IN labels(node) WHERE label IN $labels))
RETURN node.id AS id, labels(node) AS labels, null AS score, true AS full, node {.*} AS props
UNION ALL
MATCH (node:Legislation)
WHERE node.number IS NOT NULL AND ($labels IS NULL OR 'Legislation' IN $labels)
  AND reduce(t = toLower(node.number), c IN ['.', ' ', '-', '/'] | replace(t, c, '')) = $number
RETURN node.id AS id, labels(node) AS labels, null AS score, true AS full, node {.*} AS props
"""
PROPERTIES = "MATCH (node:Entity) WHERE node.id IN $ids RETURN node {.*} AS props"
LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
LUCENE_WORDS = frozenset({"and", "or", "not", "to"})
FUZZY_MIN_LENGTH = 4
_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9]")
_LETTERS = "etaoinshrdlcumwfgypbvkjxqz"  # by frequency in English
ABSENT_ORDER = _LETTERS + _LETTERS.upper() + "0123456789"


def _fold(word: str) -> str:
    """Lower case without accents: fuzzy terms skip the analyzer, so fold them here as the index does."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)).lower()


def match_key(text: str) -> str:
    """What two texts must share to match exactly: folded letters and digits only.

    >>> match_key("H.R. 4939") == match_key("hr 4939"), match_key("República  Dominicana")
    (True, 'republicadominicana')
    """
    if text.isascii():  # the same key, faster: NFKD leaves ASCII as it is
        return _NOT_ASCII_ALNUM.sub("", text.lower())
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
    return _exact_match(text.strip().lower(), match_key(text), props)


def _exact_match(lowered: str, key: str, props: dict[str, object]) -> str | None:
    """`exact_match` given the text stripped and lower-cased and its `match_key` (computed once per search)."""
    if not key:
        return None
    if str(props.get("id", "")).lower() == lowered:
        return "id"
    if match_key(str(props.get("name") or "")) == key:
        return "name"
    aliases = cast(list[str], props.get("aliases") or [])
    if any(match_key(str(alias)) == key for alias in aliases):
        return "alias"
    if props.get("number") and match_key(str(props["number"])) == key:
        return "number"
    return None


def _absent_chars(key: str) -> list[str]:
    """The ASCII letters and digits (both cases) whose lower case is not in `key`: a text holding one of them
    cannot match `key` exactly, so `SEARCH` sends such a candidate without its properties unless its score
    alone can place it.

    Why this holds: an ASCII letter or digit survives `match_key` lower-cased (NFKD leaves ASCII alone), so
    `match_key(s) == key` puts every ASCII letter and digit of `s` in `key`. For a graph id (matched on
    `str.lower()`, not `match_key`): an ASCII letter or digit of `id.lower()` comes from an ASCII character of the
    text or from `İ` / `K` (Kelvin), the only other characters that lower-case to one, and `match_key` turns
    those into the same letter. The frequent letters come first, so Cypher's `any` stops early.

    >>> "".join(_absent_chars("taft"))[:8], len(_absent_chars("hr4939"))
    ('eoinshrd', 55)
    """
    return [c for c in ABSENT_ORDER if c.lower() not in key]


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
    """Exact matches first, then the rest by Lucene's score: one statement (`SEARCH`)."""
    query = lucene_query(text)
    if not query:
        raise BadFilterError("text: give at least one word to search for")
    if labels is not None and not set(labels) <= set(catalog.QUERYABLE_LABELS):
        raise BadFilterError(f"types: unknown type among {labels}")
    key, lowered = match_key(text), text.strip().lower()
    rows = await runner.read_maps(SEARCH, {
        "query": query, "labels": labels, "candidates": max(first * 20, 200), "first": first,
        "absent": _absent_chars(key), "ids": _id_variants(text), "number": key})
    scores = {row["id"]: float(row["score"]) for row in rows if row["score"] is not None}
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["full"] or row["id"] not in found:
            found[row["id"]] = row
    best = max(scores.values(), default=0.0) + 1.0
    hits = []
    for node_id, row in found.items():
        matched = _exact_match(lowered, key, row["props"])
        score = scores.get(node_id, 0.0) + (best if matched else 0.0)
        hits.append((Hit(NodeRow(row["props"], tuple(row["labels"])), score, matched is not None, matched),
                     row["full"]))
    hits.sort(key=lambda h: (-h[0].score, h[0].row.props["id"]))
    top = hits[:first]
    slim = [hit.row.props["id"] for hit, full in top if not full]
    if slim:  # never expected (see `_absent_chars`); if a winner came without its properties, fetch them
        props = {row["props"]["id"]: row["props"] for row in await runner.read_maps(PROPERTIES, {"ids": slim})}
        return [Hit(NodeRow(props[hit.row.props["id"]], hit.row.labels), hit.score, hit.exact, hit.matched_on)
                if not full else hit for hit, full in top]
    return [hit for hit, _ in top]
