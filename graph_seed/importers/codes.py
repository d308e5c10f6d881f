"""Code lists as data: IATI codes (2.0x numbers and 1.0x words/letters) and ForeignAssistance.gov names
mapped onto the graph's own vocabulary (`graph_seed.vocabulary`).

Why one module of plain tables: the mappings are judgement calls an analyst should be able to read and change
without touching parser code. Every value on the right-hand side is in a `vocabulary` allow-list (checked at
import time by the asserts at the bottom).
"""

from __future__ import annotations

from typing import Final

from graph_seed import vocabulary as vocab

# --- IATI -----------------------------------------------------------------------------------------------

# OrganisationType codelist -> graph label (and the `kind` kept on organisation nodes).
# Government bodies (10 government, 11 local government, 15 other public sector) become Agency: a
# `Government` node in this graph is a whole country's government (`gov:JM`), which an IATI ref is not.
IATI_ORG_TYPE_LABEL: Final[dict[str, tuple[str, str]]] = {
    "10": ("Agency", "government"),
    "11": ("Agency", "local government"),
    "15": ("Agency", "other public sector"),
    "21": ("CivilSocietyOrganization", "international NGO"),
    "22": ("CivilSocietyOrganization", "national NGO"),
    "23": ("CivilSocietyOrganization", "regional NGO"),
    "24": ("CivilSocietyOrganization", "partner country based NGO"),
    "30": ("PrivateSectorActor", "public private partnership"),
    "40": ("IntergovernmentalOrganization", "multilateral"),
    "60": ("CivilSocietyOrganization", "foundation"),
    "70": ("PrivateSectorActor", "private sector"),
    "71": ("PrivateSectorActor", "private sector in provider country"),
    "72": ("PrivateSectorActor", "private sector in aid recipient country"),
    "73": ("PrivateSectorActor", "private sector in third country"),
    "80": ("CivilSocietyOrganization", "academic, training and research"),
    "90": ("CivilSocietyOrganization", "other"),
}
IATI_ORG_TYPE_DEFAULT: Final[tuple[str, str]] = ("CivilSocietyOrganization", "unspecified")

# OrganisationRole: 2.0x codes and 1.0x words.
IATI_ROLES: Final[dict[str, str]] = {
    "1": "funding", "2": "accountable", "3": "extending", "4": "implementing",
    "funding": "funding", "accountable": "accountable", "extending": "extending", "implementing": "implementing",
}

# ActivityStatus (same numeric codes in 1.0x).
IATI_ACTIVITY_STATUS: Final[dict[str, str]] = {
    "1": "pipeline", "2": "active", "3": "completed", "4": "closed", "5": "cancelled", "6": "suspended",
}

# ActivityDateType: 2.0x codes and 1.0x words -> (which end, actual?).
IATI_DATE_TYPES: Final[dict[str, tuple[str, bool]]] = {
    "1": ("start", False), "2": ("start", True), "3": ("end", False), "4": ("end", True),
    "start-planned": ("start", False), "start-actual": ("start", True),
    "end-planned": ("end", False), "end-actual": ("end", True),
}

# TransactionType: 2.0x codes and 1.0x letters -> flowType. Incoming commitment (11) is still a commitment;
# interest, repayments, reimbursements, equity and guarantees have no flowType of their own: "other".
IATI_TRANSACTION_TYPES: Final[dict[str, str]] = {
    "1": "incoming", "2": "commitment", "3": "disbursement", "4": "expenditure",
    "5": "other", "6": "other", "7": "other", "8": "other", "9": "other", "10": "other",
    "11": "commitment", "12": "pledge", "13": "pledge",
    "IF": "incoming", "C": "commitment", "D": "disbursement", "E": "expenditure",
    "IR": "other", "LR": "other", "R": "other", "QP": "other", "QS": "other", "CG": "other",
}

# DAC 5-digit purpose codes -> FocusArea ids. Only clear cases; a Program always keeps its raw codes in
# `sectorCodes`, and an ADDRESSES link is made only if that FocusArea node exists in the graph (the seed's
# focus areas). 15220 is the one judgement call: in CBSI sources civilian peace-building means violence prevention.
DAC_FOCUS_AREAS: Final[dict[str, str]] = {
    "15130": "focus:rule-of-law",             # legal and judicial development
    "15210": "focus:law-enforcement",         # security system management and reform
    "15240": "focus:firearms",                # reintegration and small arms and light weapons (SALW) control
    "16063": "focus:illicit-trafficking",     # narcotics control
    "15220": "focus:youth-crime-violence",    # civilian peace-building, conflict prevention and resolution
}

# --- ForeignAssistance.gov ------------------------------------------------------------------------------

# Transaction Type Name (lower-cased) -> flowType.
FA_TRANSACTION_TYPES: Final[dict[str, str]] = {
    "obligations": "obligation", "obligation": "obligation",
    "disbursements": "disbursement", "disbursement": "disbursement",
    "appropriated": "appropriation", "appropriations": "appropriation", "appropriation": "appropriation",
    "expenditures": "expenditure", "expenditure": "expenditure",
    "commitments": "commitment", "commitment": "commitment",
    "allocations": "allocation", "allocation": "allocation",
    "requests": "request", "request": "request",
}

# Implementing Partner Category Name (lower-cased) -> (label, kind).
FA_PARTNER_CATEGORIES: Final[dict[str, tuple[str, str]]] = {
    "government": ("Agency", "government"),
    "ngo": ("CivilSocietyOrganization", "NGO"),
    "church and faith based": ("CivilSocietyOrganization", "faith-based"),
    "multilateral": ("IntergovernmentalOrganization", "multilateral"),
    "enterprises": ("PrivateSectorActor", "enterprise"),
    "enterprise": ("PrivateSectorActor", "enterprise"),
    "university, college and research institute": ("CivilSocietyOrganization", "academic"),
    "university": ("CivilSocietyOrganization", "academic"),
    "academic": ("CivilSocietyOrganization", "academic"),
    "public private partnership": ("PrivateSectorActor", "public private partnership"),
    "other": ("CivilSocietyOrganization", "other"),
}
FA_PARTNER_DEFAULT: Final[tuple[str, str]] = ("CivilSocietyOrganization", "unspecified")

# Partner names that stand for a category, not an organisation (redacted, "Other", "Unspecified Vendors"):
# the money is kept, but no actor node is made for them (it would lump unrelated recipients together).
FA_PLACEHOLDER_PARTNER_PATTERNS: Final[tuple[str, ...]] = (
    r"\bredacted\b",
    r"^unspecified\b",
    r"^(enterprises?|ngo|multilateral|government|church and faith based|university)\b.*\bother$",
)

assert {label for label, _ in IATI_ORG_TYPE_LABEL.values()} <= set(vocab.ACTOR_LABELS)
assert set(IATI_ROLES.values()) <= set(vocab.PARTICIPATION_ROLES)
assert set(IATI_ACTIVITY_STATUS.values()) <= set(vocab.PROGRAM_STATUSES)
assert set(IATI_TRANSACTION_TYPES.values()) <= set(vocab.FLOW_TYPES)
assert set(FA_TRANSACTION_TYPES.values()) <= set(vocab.FLOW_TYPES)
assert {label for label, _ in FA_PARTNER_CATEGORIES.values()} <= set(vocab.ACTOR_LABELS)
assert all(focus.startswith(vocab.ID_PREFIXES["FocusArea"] + ":") for focus in DAC_FOCUS_AREAS.values())
