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
    "Source": "src",
}

ACTOR: Final[frozenset[str]] = frozenset(ACTOR_LABELS)
ORGANIZATIONS: Final[frozenset[str]] = frozenset({"Government", "IntergovernmentalOrganization"})

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
    "ATTENDED": (ACTOR, frozenset({"Meeting"})),
    "OF": (frozenset({"Meeting"}), frozenset({"Mechanism"})),
    "PARTNERS_WITH": (ACTOR, ACTOR),
    "AUTHORIZED_BY": (frozenset({"Program", "Funding"}), frozenset({"Legislation"})),
    "ENACTED_BY": (frozenset({"Legislation"}), frozenset({"Government"})),
}
RELATIONSHIP_TYPES: Final[tuple[str, ...]] = tuple(RELATIONSHIP_ENDPOINTS)

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
)
FLOW_TYPES: Final[tuple[str, ...]] = (
    "appropriation",
    "authorization",
    "request",
    "allocation",
    "commitment",
    "obligation",
    "disbursement",
    "expenditure",
    "pledge",
    "provided",
    "incoming",
    "other",
)
PROGRAM_LEVELS: Final[tuple[str, ...]] = ("initiative", "pillar", "program-area", "program", "project", "activity")
PROGRAM_STATUSES: Final[tuple[str, ...]] = (
    "pipeline", "active", "completed", "closed", "suspended", "cancelled", "unknown"
)
IGO_SCOPES: Final[tuple[str, ...]] = ("regional", "subregional", "international")
AMOUNT_QUALIFIERS: Final[tuple[str, ...]] = ("exactly", "about", "at-least", "more-than", "up-to")
