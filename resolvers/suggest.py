"""Suggestions for an unknown id: the closest graph ids and names of the asked type, and the id format expected.

Why: `government(id: "JM")` used to answer `no Government with id 'JM'` although `gov:JM` exists. An analyst
needs the id that exists (`gov:JM`), or the names that come closest, and the shape ids of that type take.
Candidates come from index lookups (the id with the type's prefix, with the case of its code changed) and the
full-text index (the id's words, fuzzy); they are ranked by similarity to what was asked, in Python.
"""

from __future__ import annotations

import difflib
import re

from graph_seed import vocabulary as vocab
from resolvers import catalog
from resolvers.cypher import CypherRunner
from resolvers.search import search

MAX_SUGGESTIONS = 5

BY_IDS = """
MATCH (n:Entity) WHERE n.id IN $ids AND any(label IN labels(n) WHERE label IN $labels)
RETURN n.id AS id, n.name AS name
"""


def expected_format(label: str) -> str:
    """`gov:<code>` etc.: the prefix ids of `label` start with.

    >>> expected_format("Program")
    "Program ids look like 'program:<slug>', e.g. program:cbsi"
    """
    if label == "Actor":
        prefixes = ", ".join(f"'{vocab.ID_PREFIXES[a]}:'" for a in vocab.ACTOR_LABELS)
        return f"Actor ids start with one of {prefixes}, e.g. gov:JM, agency:usaid"
    prefix = vocab.ID_PREFIXES[label]
    if label == "Government":
        return "Government ids look like 'gov:<ISO 3166-1 alpha-2 code>', e.g. gov:JM"
    example = {"Program": "program:cbsi", "Agency": "agency:usaid", "Source": "src:gao-19-201"}.get(label)
    return f"{label} ids look like '{prefix}:<slug>'" + (f", e.g. {example}" if example else "")


def _prefixes(label: str) -> list[str]:
    return [vocab.ID_PREFIXES[a] for a in sorted(catalog.labels_of(label))]


def id_variants(label: str, asked: str) -> list[str]:
    """Ids the asker may have meant: with the type's prefix added or replaced, the code's case changed."""
    text = asked.strip()
    _prefix, sep, rest = text.rpartition(":")
    tail = rest if sep else text
    out = []
    for prefix in _prefixes(label):
        for code in (tail, tail.lower(), tail.upper(), re.sub(r"[\s_]+", "-", tail.lower())):
            out.append(f"{prefix}:{code}")
    return list(dict.fromkeys(v for v in out if v != text))


async def suggestions(runner: CypherRunner, label: str, asked: str) -> list[str]:
    """Up to 5 `id (name)` suggestions of `label` nodes, closest first."""
    labels = sorted(catalog.labels_of(label))
    found: dict[str, str | None] = {}
    for row in await runner.read(BY_IDS, {"ids": id_variants(label, asked), "labels": labels}):
        found[row["id"]] = row["name"]
    direct = set(found)
    words = re.sub(r"[^0-9A-Za-z\u00C0-\u024F]+", " ", asked.rpartition(":")[2] or asked).strip()
    if words:
        for hit in await search(runner, words, labels, 10):
            found.setdefault(str(hit.row.props["id"]), hit.row.props.get("name"))

    def closeness(node_id: str) -> tuple[bool, float]:
        name = found[node_id] or ""
        best = max(difflib.SequenceMatcher(None, asked.lower(), text.lower()).ratio()
                   for text in (node_id, node_id.partition(":")[2], name))
        return (node_id not in direct, -best)

    ranked = sorted(found, key=lambda node_id: (*closeness(node_id), node_id))
    return [f"{node_id} ({found[node_id]})" if found[node_id] else node_id for node_id in ranked[:MAX_SUGGESTIONS]]
