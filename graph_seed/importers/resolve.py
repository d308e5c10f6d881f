"""Entity resolution: one organisation in the seed, an IATI file and an FA file is one node.

Why: USAID appears as `agency:usaid` in the curated seed, `US-GOV-1` in IATI, agency 1 and partner 1000001 in
ForeignAssistance.gov, and under half a dozen spellings. Before anything is written the importer loads the
actors already in Neo4j (id, name, aliases, acronym, iatiRef, faId) and the alias table
`graph_seed/entity_aliases.yaml`, then resolves every organisation in this order:

0. a placeholder or redacted name ("Other", "U.S. Government - Other", "Redacted", "Not Applicable", a blank
   IATI organisation; `names.placeholder_reason`) resolves to nothing: the caller keeps the record without
   that link and counts the reason in the summary;
1. an exact identifier (IATI ref, FA id) from the alias table, then from the graph;
2. a government named in a common form ("Government of El Salvador", "El Salvador Government", "Government
   of the Republic of X", "X, Government of") is that country's Government node (`gov:SV`);
3. a normalised name (case, accents, punctuation, "the", "U.S."/"United States") from the alias table, then
   from the graph and from what this import already created;
4. otherwise a new node with an importer-namespaced id (`cso:fa:partner-4000627`, `igo:iati:XM-DAC-41114`).

A governmental organisation (Agency or Government label) whose name is a ministry or agency of a recipient
country ("Ministry of National Security of Jamaica", "Jamaica Ministry of Justice") is an Agency with that
`countryCode`, and the resolution carries the country's Government: the sink writes Agency PART_OF gov:X.

A resolved node that already exists and is not the importer's own (e.g. the seed's USAID) is only *touched*
(the file is added to its `sources`); its curated name and properties are never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from neo4j import Session, Transaction

from graph_seed import vocabulary as vocab
from graph_seed.importers.iso3166 import ALPHA2_NAMES
from graph_seed.importers.names import government_country, ministry_country, normalise_name, placeholder_reason
from graph_seed.model import NodeRecord

__all__ = ["ActorCandidate", "AliasEntry", "Resolution", "Resolver", "load_alias_table", "normalise_name"]

ALIASES_FILE = Path(__file__).resolve().parents[1] / "entity_aliases.yaml"

# properties(n) rather than n.faId: no "unknown property key" warnings on a graph without imports yet.
_LOAD_ACTORS = """
MATCH (n:Actor)
RETURN n.id AS id, [l IN labels(n) WHERE l IN $labels][0] AS label, properties(n) AS props
"""
_LOAD_PROGRAMS = "MATCH (p:Program) RETURN p.id AS id, properties(p) AS props"
_LOAD_FOCUS = "MATCH (f:FocusArea) RETURN f.id AS id"


@dataclass(frozen=True)
class AliasEntry:
    """One organisation of the alias table: the node to create if the graph lacks it, and its other keys."""

    id: str
    label: str
    name: str
    properties: dict[str, Any]
    iati_refs: tuple[str, ...]
    fa_ids: tuple[str, ...]
    names: tuple[str, ...]


@lru_cache(maxsize=4)
def load_alias_table(path: Path = ALIASES_FILE) -> tuple[AliasEntry, ...]:
    """Read and check the alias table; a bad entry is a programming error, so it raises at once."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = []
    for raw in document.get("organisations", []):
        label = raw["label"]
        if label not in vocab.ACTOR_LABELS or not raw["id"].startswith(vocab.ID_PREFIXES[label] + ":"):
            raise ValueError(f"{path}: bad alias entry {raw.get('id')!r} ({label})")
        props = {k: raw[k] for k in ("acronym", "countryCode") if k in raw}
        entries.append(AliasEntry(
            id=raw["id"], label=label, name=raw["name"], properties=props,
            iati_refs=tuple(str(r) for r in raw.get("iati_refs", [])),
            fa_ids=tuple(str(r) for r in raw.get("fa_ids", [])),
            names=tuple(raw.get("names", [])),
        ))
    return tuple(entries)


@dataclass(frozen=True)
class ActorCandidate:
    """An organisation as a file describes it, with the id it gets if nothing resolves it."""

    label: str
    name: str
    new_id: str
    kind: str | None = None
    iati_ref: str | None = None
    fa_id: str | None = None
    acronym: str | None = None
    country: str | None = None

    def properties(self) -> dict[str, Any]:
        props: dict[str, Any] = {}
        if self.acronym and self.label in ("Agency", "IntergovernmentalOrganization",
                                           "CivilSocietyOrganization", "PrivateSectorActor"):
            props["acronym"] = self.acronym
        if self.iati_ref and self.label != "Government":
            props["iatiRef"] = self.iati_ref
        if self.fa_id and self.label in ("Agency", "CivilSocietyOrganization", "PrivateSectorActor"):
            props["faId"] = self.fa_id
        if self.kind and self.label in ("CivilSocietyOrganization", "PrivateSectorActor"):
            props["kind"] = self.kind
        if self.country and self.label in ("Agency", "CivilSocietyOrganization", "PrivateSectorActor"):
            props["countryCode"] = self.country
        if self.label == "IntergovernmentalOrganization":
            props["scope"] = "international"
        if self.label == "Government":
            props["countryCode"] = self.country
        return props


@dataclass(frozen=True)
class Resolution:
    """Where a file's organisation lands: node id and label, and whether the node exists and is not ours."""

    id: str
    label: str
    touch_only: bool
    create: Any = None  # a callable(sources) -> NodeRecord for nodes this import writes in full
    left_out: str | None = None  # a placeholder's reason ("redacted", "other"...): no node, no link
    part_of: Resolution | None = None  # a recipient's ministry: the Government it is PART_OF


@dataclass
class Resolver:
    """Identifier and name indexes over the alias table, the graph, and this import's own new nodes."""

    owned_marker: str  # ":fa:" or ":iati:": ids with it are this importer's own, rewritten in full
    refs: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    graph_labels: dict[str, str] = field(default_factory=dict)
    alias_entries: dict[str, AliasEntry] = field(default_factory=dict)
    new_candidates: dict[str, ActorCandidate] = field(default_factory=dict)
    programs: dict[str, str] = field(default_factory=dict)
    focus_areas: set[str] = field(default_factory=set)
    _cache: dict[ActorCandidate | str, Resolution] = field(default_factory=dict)

    # -- building -------------------------------------------------------------------------------------
    @classmethod
    def from_graph(cls, session: Session | Transaction | None, owned_marker: str,
                   aliases: Path = ALIASES_FILE) -> Resolver:
        """Alias table first (it wins ties), then every actor, import-keyed program and focus area in Neo4j."""
        resolver = cls(owned_marker=owned_marker)
        for entry in load_alias_table(aliases):
            resolver.alias_entries[entry.id] = entry
            for ref in entry.iati_refs:
                resolver.refs.setdefault(_iati_key(ref), entry.id)
            for fa_id in entry.fa_ids:
                resolver.refs.setdefault(_fa_key(fa_id), entry.id)
            if entry.label == "Government" and entry.properties.get("countryCode"):
                resolver.refs.setdefault("country:" + entry.properties["countryCode"], entry.id)
            for name in (entry.name, *entry.names, entry.properties.get("acronym")):
                if name:
                    resolver.names.setdefault(normalise_name(name), entry.id)
        if session is None:
            return resolver
        for row in session.run(_LOAD_ACTORS, labels=list(vocab.ACTOR_LABELS)):
            resolver.add_graph_actor({**row["props"], "id": row["id"], "label": row["label"]})
        for row in session.run(_LOAD_PROGRAMS):
            props = row["props"]
            if props.get("iatiIdentifier"):
                resolver.programs.setdefault("iati:" + props["iatiIdentifier"], row["id"])
            if props.get("faActivityId"):
                resolver.programs.setdefault("fa:" + props["faActivityId"], row["id"])
        resolver.focus_areas.update(row["id"] for row in session.run(_LOAD_FOCUS))
        return resolver

    def add_graph_actor(self, row: dict[str, Any]) -> None:
        node_id, label = row["id"], row["label"]
        if not node_id or not label:
            return
        self.graph_labels[node_id] = label
        if row.get("iatiRef"):
            self.refs.setdefault(_iati_key(row["iatiRef"]), node_id)
        if row.get("faId"):
            self.refs.setdefault(_fa_key(row["faId"]), node_id)
        if label == "Government" and row.get("countryCode"):
            self.refs.setdefault("country:" + row["countryCode"], node_id)
        for name in (row.get("name"), *(row.get("aliases") or []), row.get("acronym")):
            if name:
                self.names.setdefault(normalise_name(name), node_id)

    # -- resolving ------------------------------------------------------------------------------------
    def resolve(self, candidate: ActorCandidate) -> Resolution:
        """Resolve (memoised: the same description in the same import always lands on the same node)."""
        cached = self._cache.get(candidate)
        if cached is None:
            cached = self._cache[candidate] = self._resolve(candidate)
        return cached

    def _resolve(self, candidate: ActorCandidate) -> Resolution:
        reason = placeholder_reason(candidate.name, candidate.iati_ref or candidate.fa_id)
        if reason is not None:
            return Resolution("", candidate.label, True, left_out=reason)
        node_id = None
        if candidate.iati_ref:
            node_id = self.refs.get(_iati_key(candidate.iati_ref))
        if node_id is None and candidate.fa_id:
            node_id = self.refs.get(_fa_key(candidate.fa_id))
        if node_id is None and candidate.country and candidate.label == "Government":
            node_id = self.refs.get("country:" + candidate.country)
        if node_id is None:
            iso2 = government_country(candidate.name)
            if iso2 is not None:
                return self.government(iso2, ALPHA2_NAMES.get(iso2, iso2))
        ministry_of = ministry_country(candidate.name) if candidate.label in _GOVERNMENTAL else None
        if ministry_of is not None:
            candidate = _as_ministry(candidate, ministry_of)
        if node_id is None:
            node_id = self.names.get(normalise_name(candidate.name))
        if node_id is None:
            node_id = self._register(candidate)
        resolution = self._resolution(node_id)
        if ministry_of is not None and resolution.label == "Agency":
            government = self.government(ministry_of, ALPHA2_NAMES.get(ministry_of, ministry_of))
            resolution = replace(resolution, part_of=government)
        return resolution

    def government(self, iso2: str, name: str) -> Resolution:
        """The Government node of a country: the graph's (by countryCode or `gov:<ISO2>`), else a new one."""
        cached = self._cache.get("country:" + iso2)
        if cached is not None:
            return cached
        node_id = self.refs.get("country:" + iso2)
        if node_id is None:
            node_id = self._register(ActorCandidate(label="Government", name=name, new_id=f"gov:{iso2}",
                                                    country=iso2))
        cached = self._cache["country:" + iso2] = self._resolution(node_id)
        return cached

    def program_id(self, key: str, new_id: str) -> tuple[str, bool]:
        """(id, touch_only) of a Program keyed `iati:<identifier>` / `fa:<activity id>`.

        A key the graph does not know gets `new_id`, which callers derive from the key alone, so it is not
        remembered: the answer would be the same next time, and a file's programs would grow this index.
        """
        node_id = self.programs.get(key)
        if node_id is None:
            return new_id, False
        return node_id, self.owned_marker not in node_id

    def _register(self, candidate: ActorCandidate) -> str:
        node_id = candidate.new_id
        if node_id in self.graph_labels or node_id in self.alias_entries:
            return node_id
        self.new_candidates.setdefault(node_id, candidate)
        if candidate.iati_ref:
            self.refs.setdefault(_iati_key(candidate.iati_ref), node_id)
        if candidate.fa_id:
            self.refs.setdefault(_fa_key(candidate.fa_id), node_id)
        if candidate.label == "Government" and candidate.country:
            self.refs.setdefault("country:" + candidate.country, node_id)
        self.names.setdefault(normalise_name(candidate.name), node_id)
        return node_id

    def _resolution(self, node_id: str) -> Resolution:
        if node_id in self.graph_labels:
            label = self.graph_labels[node_id]
            return Resolution(node_id, label, True)
        entry = self.alias_entries.get(node_id)
        if entry is not None:
            return Resolution(node_id, entry.label, False, self._creator(node_id))
        return Resolution(node_id, self.new_candidates[node_id].label, False, self._creator(node_id))

    def _creator(self, node_id: str) -> Any:
        entry = self.alias_entries.get(node_id)
        if entry is not None:
            def make_alias(sources: tuple[str, ...]) -> NodeRecord:
                return NodeRecord(id=entry.id, label=entry.label, name=entry.name,
                                  aliases=entry.names, sources=sources, properties=entry.properties)
            return make_alias
        candidate = self.new_candidates[node_id]

        def make_new(sources: tuple[str, ...]) -> NodeRecord:
            return NodeRecord(id=node_id, label=candidate.label, name=candidate.name,
                              sources=sources, properties=candidate.properties())
        return make_new


_GOVERNMENTAL = frozenset({"Agency", "Government"})


def _as_ministry(candidate: ActorCandidate, iso2: str) -> ActorCandidate:
    """A recipient's ministry as an Agency of its country (its new id keeps the importer's namespace)."""
    prefix = vocab.ID_PREFIXES["Agency"]
    rest = candidate.new_id.split(":", 1)[1] if ":" in candidate.new_id else candidate.new_id
    return replace(candidate, label="Agency", country=iso2, new_id=f"{prefix}:{rest}")


def _iati_key(ref: str) -> str:
    return "iati:" + ref.strip().upper()


def _fa_key(fa_id: str) -> str:
    return "fa:" + fa_id.strip().lower()
