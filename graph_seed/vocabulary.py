"""The graph's allow-lists: labels, relationship types, their endpoints, and the controlled vocabularies.

Why a module of plain data: every layer above (Cypher builders, GraphQL enums, filters) takes labels, types
and property names from here and nowhere else, so nothing a user sends can name a label or property.
"""

from __future__ import annotations

from typing import Final

ACTOR_LABELS: Final[tuple[str, ...]] = (
    "Government",
    "Agency",
    "IntergovernmentalOrganization",
    "CivilSocietyOrganization",
    "PrivateSectorActor",
)

NODE_LABELS: Final[tuple[str, ...]] = (
    *ACTOR_LABELS,
    "Program",
    "Funding",
    "Objective",
    "FocusArea",
    "Mechanism",
    "Meeting",
    "Legislation",
    "BillAction",
    "Person",
    "Source",
)

# The id prefix each label uses: `gov:JM`, `agency:us-state-inl`, `program:taft`...
ID_PREFIXES: Final[dict[str, str]] = {
    "Government": "gov",
    "Agency": "agency",
    "IntergovernmentalOrganization": "igo",
    "CivilSocietyOrganization": "cso",
    "PrivateSectorActor": "org",
    "Program": "program",
    "Funding": "funding",
    "Objective": "objective",
    "FocusArea": "focus",
    "Mechanism": "mechanism",
    "Meeting": "meeting",
    "Legislation": "law",
    "BillAction": "action",
    "Person": "person",
    "Source": "src",
}

ACTOR: Final[frozenset[str]] = frozenset(ACTOR_LABELS)
# Persons are not actors of the Actor interface (they neither fund nor implement); they link to actors through
# HOLDS_POSITION, to meetings through ATTENDED and to bills through SPONSORED.
ACTOR_OR_PERSON: Final[frozenset[str]] = frozenset({*ACTOR_LABELS, "Person"})
POSITION_HOLDERS: Final[frozenset[str]] = frozenset({*ACTOR_LABELS, "Mechanism"})
ORGANIZATIONS: Final[frozenset[str]] = frozenset({"Government", "IntergovernmentalOrganization"})

# Properties kept lower-cased beside themselves on every node (`name` -> `nameLower = toLower(name)`), written by
# every writer in the same statement as the property, so the API's case-insensitive `contains` / `startsWith`
# filters can use a TEXT index (`toLower(n.name) CONTAINS ...` cannot). Internal: never an API field nor exported.
LOWERED: Final[dict[str, str]] = {"name": "nameLower"}
# Root pages sorted by one property and filtered by a range on another (fundings by amount within fiscal years):
# (label, filter property, sort property). The writer keeps a range index on the sort property and a composite one
# on (filter, sort) for each, so such a page can walk the sort property's index in order instead of sorting every
# node in the range (`resolvers/selection_cypher.py` says when).
ORDERED_RANGES: Final[tuple[tuple[str, str, str], ...]] = (("Funding", "fiscalYear", "amountUsd"),)
# Labels whose nodes a root connection lists (`programs(where: ...)`): each gets a TEXT index per lowered property.
INDEXED_LABELS: Final[tuple[str, ...]] = (*NODE_LABELS, "Actor")

# relationship type -> (allowed start labels, allowed end labels)
RELATIONSHIP_ENDPOINTS: Final[dict[str, tuple[frozenset[str], frozenset[str]]]] = {
    "PART_OF": (
        frozenset({"Agency", "Program", "IntergovernmentalOrganization", "Mechanism"}),
        frozenset({"Government", "IntergovernmentalOrganization", "Agency", "Program", "Mechanism"}),
    ),
    "MEMBER_OF": (ACTOR, frozenset({"IntergovernmentalOrganization", "Mechanism"})),
    "PARTICIPATES_IN": (ACTOR, frozenset({"Program"})),
    "OPERATES_IN": (frozenset({"Program"}), frozenset({"Government"})),
    "ADVANCES": (frozenset({"Program"}), frozenset({"Objective"})),
    "ADDRESSES": (frozenset({"Program"}), frozenset({"FocusArea"})),
    "PROVIDES": (ACTOR, frozenset({"Funding"})),
    "FUNDS": (frozenset({"Funding"}), frozenset({"Program"})),
    "RECEIVED_BY": (frozenset({"Funding"}), ACTOR),
    "ATTENDED": (ACTOR_OR_PERSON, frozenset({"Meeting"})),
    "OF": (frozenset({"Meeting"}), frozenset({"Mechanism"})),
    "PARTNERS_WITH": (ACTOR, ACTOR),
    "AUTHORIZED_BY": (frozenset({"Program", "Funding"}), frozenset({"Legislation"})),
    "ENACTED_BY": (frozenset({"Legislation"}), frozenset({"Government"})),
    "ALLOCATED_TO": (frozenset({"Funding"}), frozenset({"Government", "IntergovernmentalOrganization"})),
    "PROPOSED_BY": (frozenset({"Funding"}), frozenset({"Legislation"})),
    "ACTION_ON": (frozenset({"BillAction"}), frozenset({"Legislation"})),
    "SPONSORED": (frozenset({"Person"}), frozenset({"Legislation"})),
    "HOLDS_POSITION": (frozenset({"Person"}), POSITION_HOLDERS),
    "HOSTED_BY": (frozenset({"Meeting"}), frozenset({"Government", "IntergovernmentalOrganization"})),
    "PRODUCED": (frozenset({"Meeting"}), frozenset({"Source"})),
    "HEADQUARTERED_IN": (ACTOR, frozenset({"Government"})),
    "LOCATED_IN": (ACTOR, frozenset({"Government"})),
}
RELATIONSHIP_TYPES: Final[tuple[str, ...]] = tuple(RELATIONSHIP_ENDPOINTS)
# The property that tells two relationships of one type between the same nodes apart (MERGE key): an actor can
# both fund and implement a program; a person can hold two titles in one government.
MERGE_KEYS: Final[dict[str, str]] = {"PARTICIPATES_IN": "role", "HOLDS_POSITION": "title"}

CBSI_ROLES: Final[tuple[str, ...]] = ("partner", "observer", "donor", "united-states", "other")
PARTICIPATION_ROLES: Final[tuple[str, ...]] = (
    # IATI's organisation roles (codes 1-4) ...
    "funding",
    "accountable",
    "extending",
    "implementing",
    # ... and the roles the CBSI sources name.
    "managing",
    "coordinating",
    "staffing",
    "training",
    "beneficiary",
    "partner",
    "observer",
    "sub-awardee",
)
FLOW_TYPES: Final[tuple[str, ...]] = (
    "appropriation",
    "authorization",
    "request",
    "proposed",
    "allocation",
    "commitment",
    "obligation",
    "disbursement",
    "expenditure",
    "pledge",
    "provided",
    "in-kind",
    "incoming",
    "other",
)
PROGRAM_LEVELS: Final[tuple[str, ...]] = ("initiative", "pillar", "program-area", "program", "project", "activity")
PROGRAM_STATUSES: Final[tuple[str, ...]] = (
    "pipeline", "active", "completed", "closed", "suspended", "cancelled", "unknown"
)
IGO_SCOPES: Final[tuple[str, ...]] = ("regional", "subregional", "international")
AMOUNT_QUALIFIERS: Final[tuple[str, ...]] = ("exactly", "about", "at-least", "more-than", "up-to")
# U.S. foreign-assistance budget accounts (the appropriation accounts the CBSI sources name), plus MULTIPLE for a
# figure a source gives across several accounts and OTHER for an account outside this list.
ACCOUNTS: Final[tuple[str, ...]] = (
    "INCLE", "ESF", "DA", "NADR", "FMF", "IMET", "PKO", "GHP", "CSH", "MULTIPLE", "OTHER",
)
MEETING_ROLES: Final[tuple[str, ...]] = (
    "head-of-delegation", "co-chair", "host", "speaker", "participant", "observer",
)
MEETING_FORMATS: Final[tuple[str, ...]] = ("in-person", "virtual", "hybrid")
OUTCOME_KINDS: Final[tuple[str, ...]] = (
    "joint-statement", "declaration", "communique", "readout", "action-plan", "other",
)
SPONSOR_ROLES: Final[tuple[str, ...]] = ("sponsor", "cosponsor")
CHAMBERS: Final[tuple[str, ...]] = ("house", "senate")
ACTION_CHAMBERS: Final[tuple[str, ...]] = ("house", "senate", "president", "conference")
BILL_ACTION_TYPES: Final[tuple[str, ...]] = (
    "introduced", "referred", "hearing", "markup", "reported", "passed-house", "passed-senate",
    "agreed-amendment", "resolving-differences", "presented", "became-law", "vetoed", "other",
)
AUTHORIZATION_KINDS: Final[tuple[str, ...]] = ("authorizes", "codifies", "appropriates")
