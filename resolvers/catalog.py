"""The API's allow-lists: filterable/sortable properties per label and the navigable relationships.

Why one module: the where-compiler, the connection queries, the loaders and the GraphQL inputs all splice
property names and relationship types into Cypher. They take them from here, and this module takes them from
`graph_seed.vocabulary` and the field names of `graph_seed.model`, so no user value can name either.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from graph_seed import vocabulary as vocab
from graph_seed.model import LABEL_PROPS, TYPE_PROPS

# Kinds of scalar property, which decide the operators a filter accepts.
STRING, INT, FLOAT, DATE, BOOL, LIST = "string", "int", "float", "date", "bool", "list"
COMMON_PROPS: dict[str, str] = {
    "id": STRING, "name": STRING, "description": STRING, "aliases": LIST, "sources": LIST,
}

# Properties whose values come from a controlled vocabulary: filters reject any other value.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "cbsiRole": vocab.CBSI_ROLES,
    "level": vocab.PROGRAM_LEVELS,
    "flowType": vocab.FLOW_TYPES,
    "scope": vocab.IGO_SCOPES,
    "amountQualifier": vocab.AMOUNT_QUALIFIERS,
    "account": vocab.ACCOUNTS,
    "format": vocab.MEETING_FORMATS,
    "actionType": vocab.BILL_ACTION_TYPES,
}
# Lower-cased copies every writer keeps beside a property (`vocabulary.LOWERED`: `nameLower = toLower(name)`), each
# with a TEXT index per label: a case-insensitive `contains` / `startsWith` on the property reads the copy, which
# Neo4j can look up in the index (`toLower(n.name) CONTAINS ...` reads every node of the label). Never a field.
LOWERED: dict[str, str] = dict(vocab.LOWERED)
# (label, filter, sort) of the root pages whose order may be walked in the sort property's index
# (`vocabulary.ORDERED_RANGES`: the writer keeps the indexes it needs).
ORDERED_RANGES: frozenset[tuple[str, str, str]] = frozenset(vocab.ORDERED_RANGES)
# Partial dates (`2014`, `2014-05`, `2014-05-01`) compare as text, which orders them correctly.
DATE_PROPS = frozenset({
    "startDate", "endDate", "date", "since", "until", "enacted", "introduced", "asOf", "founded", "staffAsOf",
    "costEstimateDate",
})


def _kind(name: str, annotation: object) -> str:
    """The filter kind of a pydantic field, from its annotation."""
    if name in DATE_PROPS:
        return DATE
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and args:
        return _kind(name, args[0])
    if origin is list:
        return LIST
    if origin is typing.Annotated:
        return _kind(name, args[0])
    if annotation is int:
        return INT
    if annotation in (float, Decimal):
        return FLOAT
    if annotation is bool:
        return BOOL
    return STRING


def _props_of(model: type) -> dict[str, str]:
    return {name: _kind(name, field.annotation) for name, field in model.model_fields.items()}  # type: ignore[attr-defined]


LABEL_FIELDS: dict[str, dict[str, str]] = {
    label: {**COMMON_PROPS, **_props_of(model)} for label, model in LABEL_PROPS.items()
}
LABEL_FIELDS["Actor"] = {**COMMON_PROPS, "countryCode": STRING, "acronym": STRING}
EDGE_FIELDS: dict[str, dict[str, str]] = {rel: _props_of(model) for rel, model in TYPE_PROPS.items()}

# Labels a GraphQL type may stand for: `Actor` is the interface over the five actor labels.
QUERYABLE_LABELS: tuple[str, ...] = (*vocab.NODE_LABELS, "Actor")


@dataclass(frozen=True)
class Relation:
    """One navigable hop: from a node of `label`, along `rel_type` in `direction`, to nodes of `target`."""

    label: str
    field: str
    rel_type: str
    direction: Literal["out", "in"]
    target: str
    description: str
    hops: tuple[int, int] | None = None  # a variable-length hop (bounded): (min, max) relationships

    def pattern(self, start: str, rel: str, end: str) -> str:
        """The Cypher path pattern, e.g. `(n)-[r:FUNDS]->(m:Program)` or `(n)<-[r:PART_OF*1..6]-(m:Program)`;
        every name and bound comes from the allow-lists (a variable-length `rel` binds a list)."""
        arrow_l, arrow_r = ("-", "->") if self.direction == "out" else ("<-", "-")
        length = "" if self.hops is None else f"*{int(self.hops[0])}..{int(self.hops[1])}"
        return f"({start}){arrow_l}[{rel}:{self.rel_type}{length}]{arrow_r}({end}:{self.target})"

    @property
    def edge_fields(self) -> dict[str, str]:
        return EDGE_FIELDS[self.rel_type]


_ACTOR_RELATIONS: list[tuple[str, str, str, str, str]] = [
    ("programs", "PARTICIPATES_IN", "out", "Program", "Programs the actor takes part in; edges carry its role."),
    ("memberships", "MEMBER_OF", "out", "IntergovernmentalOrganization",
     "Bodies the actor is a member of; edges carry since/until/role."),
    ("mechanisms", "MEMBER_OF", "out", "Mechanism", "Mechanisms (e.g. the Dialogue) the actor is a member of."),
    ("partners", "PARTNERS_WITH", "out", "Actor", "Actors this actor states a partnership with."),
    ("partneredBy", "PARTNERS_WITH", "in", "Actor", "Actors that state a partnership with this actor."),
    ("fundingProvided", "PROVIDES", "out", "Funding", "Money flows this actor provides."),
    ("fundingReceived", "RECEIVED_BY", "in", "Funding", "Money flows this actor receives."),
    ("meetingsAttended", "ATTENDED", "out", "Meeting", "Meetings the actor attended; edges carry its role."),
    ("people", "HOLDS_POSITION", "in", "Person", "People who hold a position here; edges carry title, since, until."),
    ("seat", "HEADQUARTERED_IN", "out", "Government", "The country of its seat (headquarters); edges carry the city."),
    ("locations", "LOCATED_IN", "out", "Government", "Other countries where it has offices; edges carry city, role."),
]

_RELATIONS: list[tuple[str, str, str, str, str, str]] = [
    *[("Actor", *spec) for spec in _ACTOR_RELATIONS],
    ("Government", "programsOperating", "OPERATES_IN", "in", "Program",
     "Programs that operate in this country; edges carry the percentage."),
    ("Government", "legislation", "ENACTED_BY", "in", "Legislation", "Laws this government enacted."),
    ("Government", "agencies", "PART_OF", "in", "Agency", "Agencies that are part of this government."),
    ("Government", "seatOf", "HEADQUARTERED_IN", "in", "Actor", "Bodies and organisations seated in this country."),
    ("Government", "allocations", "ALLOCATED_TO", "in", "Funding",
     "Shares of figures that a source states for this country; edges carry percentage or amount."),
    ("Government", "meetingsHosted", "HOSTED_BY", "in", "Meeting", "Meetings this government hosted."),
    ("Agency", "parent", "PART_OF", "out", "Actor", "The government, agency or body this agency is part of."),
    ("Agency", "subAgencies", "PART_OF", "in", "Agency", "Agencies that are part of this agency."),
    ("IntergovernmentalOrganization", "members", "MEMBER_OF", "in", "Actor",
     "Members of this body; edges carry since/until/role."),
    ("IntergovernmentalOrganization", "parent", "PART_OF", "out", "IntergovernmentalOrganization",
     "The body this one is part of (e.g. CARICOM IMPACS -> CARICOM)."),
    ("IntergovernmentalOrganization", "institutions", "PART_OF", "in", "IntergovernmentalOrganization",
     "Bodies that are part of this one."),
    ("IntergovernmentalOrganization", "allocations", "ALLOCATED_TO", "in", "Funding",
     "Shares of figures that a source states for this body; edges carry percentage or amount."),
    ("IntergovernmentalOrganization", "meetingsHosted", "HOSTED_BY", "in", "Meeting", "Meetings this body hosted."),
    ("Program", "participants", "PARTICIPATES_IN", "in", "Actor", "Actors taking part; edges carry their role."),
    ("Program", "countries", "OPERATES_IN", "out", "Government", "Countries it operates in; edges carry percentage."),
    ("Program", "fundings", "FUNDS", "in", "Funding", "Money flows that fund it; edges carry percentage."),
    ("Program", "parent", "PART_OF", "out", "Program", "The program this one is part of."),
    ("Program", "children", "PART_OF", "in", "Program", "Programs that are part of this one."),
    ("Program", "objectives", "ADVANCES", "out", "Objective", "Objectives it advances."),
    ("Program", "focusAreas", "ADDRESSES", "out", "FocusArea", "Focus areas it addresses."),
    ("Program", "authorizedBy", "AUTHORIZED_BY", "out", "Legislation", "Laws that authorize it."),
    ("Funding", "provider", "PROVIDES", "in", "Actor", "Who provides the money."),
    ("Funding", "program", "FUNDS", "out", "Program", "What the money funds; edges carry percentage."),
    ("Funding", "recipient", "RECEIVED_BY", "out", "Actor", "Who receives the money."),
    ("Funding", "authorizedBy", "AUTHORIZED_BY", "out", "Legislation", "Laws that authorize or appropriate it."),
    ("Funding", "allocatedTo", "ALLOCATED_TO", "out", "Actor",
     "Countries or bodies a source states a share of this figure for; edges carry percentage or amount."),
    ("Funding", "proposedBy", "PROPOSED_BY", "out", "Legislation", "The bill or committee report proposing it."),
    ("Objective", "programs", "ADVANCES", "in", "Program", "Programs that advance it."),
    ("FocusArea", "programs", "ADDRESSES", "in", "Program", "Programs that address it."),
    ("Mechanism", "meetings", "OF", "in", "Meeting", "Meetings of this mechanism."),
    ("Mechanism", "members", "MEMBER_OF", "in", "Actor", "Members of this mechanism."),
    ("Mechanism", "parent", "PART_OF", "out", "Mechanism", "The mechanism this one is part of."),
    ("Meeting", "mechanism", "OF", "out", "Mechanism", "The mechanism this meeting belongs to."),
    ("Meeting", "attendees", "ATTENDED", "in", "Actor", "Who attended; edges carry their role."),
    ("Meeting", "people", "ATTENDED", "in", "Person",
     "People who attended; edges carry their role (co-chair, head of delegation...)."),
    ("Meeting", "host", "HOSTED_BY", "out", "Actor", "The government or body that hosted it."),
    ("Meeting", "outcomes", "PRODUCED", "out", "Source", "Outcome documents: joint statements, declarations."),
    ("Legislation", "enactedBy", "ENACTED_BY", "out", "Government", "The government that enacted it."),
    ("Legislation", "authorizes", "AUTHORIZED_BY", "in", "Program", "Programs it authorizes."),
    ("Legislation", "authorizesFunding", "AUTHORIZED_BY", "in", "Funding", "Money flows it authorizes."),
    ("Legislation", "sponsors", "SPONSORED", "in", "Person", "Sponsor and cosponsors; edges carry role and date."),
    ("Legislation", "actions", "ACTION_ON", "in", "BillAction", "Committee and floor actions, with dates."),
    ("Legislation", "proposedFunding", "PROPOSED_BY", "in", "Funding", "Funding levels this bill proposes."),
    ("BillAction", "bill", "ACTION_ON", "out", "Legislation", "The bill this action is on."),
    ("Person", "positions", "HOLDS_POSITION", "out", "Actor", "Positions held; edges carry title, since, until."),
    ("Person", "mechanismPositions", "HOLDS_POSITION", "out", "Mechanism",
     "Posts in a cooperation mechanism (e.g. co-chair of the CBSI Commission); edges carry title, since, until."),
    ("Mechanism", "people", "HOLDS_POSITION", "in", "Person", "People who hold a post in it; edges carry title."),
    ("Person", "meetingsAttended", "ATTENDED", "out", "Meeting", "Meetings attended; edges carry the role."),
    ("Person", "bills", "SPONSORED", "out", "Legislation", "Bills sponsored or cosponsored; edges carry the role."),
    ("Source", "outcomeOf", "PRODUCED", "in", "Meeting", "The meeting that produced this document."),
]

# The program hierarchy without hand-written levels: PART_OF followed up to HIERARCHY_DEPTH levels, either way.
# `...OrSelf` includes the program itself (0 hops), which is what "programs in Jamaica including sub-programs"
# needs: `programs(where: {selfAndAncestors: {some: {countries: {some: {id: {eq: "gov:JM"}}}}}})`.
HIERARCHY_DEPTH = 6
_HIERARCHY: list[tuple[str, str, str, tuple[int, int], str]] = [
    ("descendants", "in", "Program", (1, HIERARCHY_DEPTH),
     f"Every program below this one (its children, their children..., up to {HIERARCHY_DEPTH} levels)."),
    ("ancestors", "out", "Program", (1, HIERARCHY_DEPTH),
     f"Every program this one is part of (its parent, the parent's parent..., up to {HIERARCHY_DEPTH} levels)."),
    ("selfAndDescendants", "in", "Program", (0, HIERARCHY_DEPTH),
     "This program and every program below it: filter actors or fundings 'in any part of' a program."),
    ("selfAndAncestors", "out", "Program", (0, HIERARCHY_DEPTH),
     "This program and every program it is part of: filter programs 'in Jamaica including sub-programs'."),
]

# The order of a relationship field without `sort`, per target label: keys in turn, each key the first present of
# its properties (missing last), then the graph id. Meetings by date then ordinal (the 10th Dialogue after the
# 1st), fundings by fiscal year (a range by its first year), bill actions by date; anything else by name.
DEFAULT_SORT: dict[str, tuple[tuple[str, ...], ...]] = {
    "Meeting": (("date",), ("ordinal",), ("name",)),
    "Funding": (("fiscalYear", "fiscalYearStart", "fiscalYearEnd"), ("name",)),
    "BillAction": (("date",), ("name",)),
}
NAME_SORT: tuple[tuple[str, ...], ...] = (("name",),)


def default_sort(label: str) -> tuple[tuple[str, ...], ...]:
    """The default order of `label` nodes in a relationship field (see `DEFAULT_SORT`)."""
    return DEFAULT_SORT.get(label, NAME_SORT)


# The GraphQL edge type of each relationship type (its properties come from `EDGE_FIELDS`); LinkEdge otherwise.
EDGE_TYPE_NAMES: dict[str, str] = {
    "PARTICIPATES_IN": "ParticipationEdge",
    "MEMBER_OF": "MembershipEdge",
    "OPERATES_IN": "ShareEdge",
    "FUNDS": "ShareEdge",
    "ATTENDED": "AttendanceEdge",
    "PARTNERS_WITH": "PartnershipEdge",
    "PART_OF": "PartOfEdge",
    "ALLOCATED_TO": "AllocationEdge",
    "AUTHORIZED_BY": "AuthorizationEdge",
    "SPONSORED": "SponsorshipEdge",
    "HOLDS_POSITION": "PositionEdge",
    "PRODUCED": "OutcomeEdge",
    "HEADQUARTERED_IN": "SeatEdge",
    "LOCATED_IN": "LocationEdge",
}
# Relationship types whose `role` argument is the ParticipationRole enum rather than free text.
ENUM_ROLE_TYPES: frozenset[str] = frozenset({"PARTICIPATES_IN"})

# The root fields of each queryable label: (one by graph id, the connection).
ROOT_FIELDS: dict[str, tuple[str, str]] = {
    "Government": ("government", "governments"),
    "Agency": ("agency", "agencies"),
    "IntergovernmentalOrganization": ("intergovernmentalOrganization", "intergovernmentalOrganizations"),
    "CivilSocietyOrganization": ("civilSocietyOrganization", "civilSocietyOrganizations"),
    "PrivateSectorActor": ("privateSectorActor", "privateSectorActors"),
    "Program": ("program", "programs"),
    "Funding": ("funding", "fundings"),
    "Objective": ("objective", "objectives"),
    "FocusArea": ("focusArea", "focusAreas"),
    "Mechanism": ("mechanism", "mechanisms"),
    "Meeting": ("meeting", "meetings"),
    "Legislation": ("law", "legislation"),
    "Source": ("source", "sources"),
    "Actor": ("actor", "actors"),
    "BillAction": ("billAction", "billActions"),
    "Person": ("person", "people"),
}

RELATIONS: dict[str, dict[str, Relation]] = {label: {} for label in QUERYABLE_LABELS}
for _label, _field, _rel, _direction, _target, _doc in _RELATIONS:
    RELATIONS[_label][_field] = Relation(_label, _field, _rel, _direction, _target, _doc)  # type: ignore[arg-type]
for _field, _direction, _target, _hops, _doc in _HIERARCHY:
    RELATIONS["Program"][_field] = Relation("Program", _field, "PART_OF", _direction, _target, _doc,  # type: ignore[arg-type]
                                            _hops)
for _actor in vocab.ACTOR_LABELS:
    for _field, _relation in RELATIONS["Actor"].items():
        RELATIONS[_actor].setdefault(_field, replace(_relation, label=_actor))


def labels_of(label: str) -> frozenset[str]:
    """The domain labels a (possibly interface) label stands for."""
    return vocab.ACTOR if label == "Actor" else frozenset({label})


def _check() -> None:
    """Every relation must be allowed by the vocabulary's endpoint rules: a typo here fails at import."""
    for label, fields in RELATIONS.items():
        for relation in fields.values():
            starts, ends = vocab.RELATIONSHIP_ENDPOINTS[relation.rel_type]
            if relation.direction == "in":
                starts, ends = ends, starts
            if not (labels_of(label) & starts and labels_of(relation.target) & ends):
                raise AssertionError(f"{label}.{relation.field}: {relation.rel_type} does not link these labels")


_check()


def relation(label: str, field: str) -> Relation:
    """The allow-listed relation, or KeyError."""
    return RELATIONS[label][field]


def fields_of(label: str) -> dict[str, str]:
    """Filterable and sortable scalar properties of a label."""
    return LABEL_FIELDS[label]
