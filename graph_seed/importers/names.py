"""What an organisation's name says before any lookup: a placeholder, a country's government, or its ministry.

Why: files name recipient governments in many forms ("Government of El Salvador", "El Salvador Government",
"Jamaica, Government of") and hide partners behind placeholders ("U.S. Government - Other", "Redacted",
"Not Applicable"). Read as plain names, the first became an Agency with no country beside `gov:SV`, and the
second an Agency named "Other" that lumped unrelated recipients together. These rules are pure and memoised;
`resolve.py` applies them (docs/importing.md, "Entity resolution").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from graph_seed.importers import codes
from graph_seed.importers.iso3166 import ALPHA2_NAMES

_US = re.compile(r"\b(u\s*\.\s*s\s*\.(\s*a\s*\.)?|united\s+states(\s+of\s+america)?|usa)(?=\W|$)")
_PUNCT = re.compile(r"[^\w\s]+")


def normalise_name(name: str) -> str:
    """The key two spellings of one name share: `The U.S. Agency for Int'l Development` ~ `us agency ...`."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().replace("&", " and ")
    text = _US.sub(" us ", text)
    text = _PUNCT.sub(" ", text)
    return " ".join(word for word in text.split() if word != "the")


# -- placeholders -----------------------------------------------------------------------------------------
# A normalised name (after a leading "us government" qualifier is removed) equal to one of these is no
# organisation: the reason is what the summary counts.
PLACEHOLDER_NAMES: dict[str, str] = {
    **{word: "other" for word in ("other", "others", "miscellaneous", "various", "multiple", "several")},
    **{word: "not applicable" for word in ("not applicable", "n a", "na", "none", "not available", "nil")},
    **{word: "unspecified" for word in ("unspecified", "not specified", "unknown", "tbd", "to be determined",
                                        "anonymous", "confidential")},
    "redacted": "redacted",
}
_REDACTED_WORDS = re.compile(r"\b(redacted|withheld)\b")
_UNSPECIFIED_START = re.compile(r"^(unspecified|not specified|unknown)\b")
_FA_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in codes.FA_PLACEHOLDER_PARTNER_PATTERNS)
_QUALIFIER = re.compile(r"^(us )?government (of )?")


@lru_cache(maxsize=65536)
def placeholder_reason(name: str | None, ref: str | None = None) -> str | None:
    """Why `name` (with identifier `ref`) stands for no organisation, or None for a real one.

    The rule (docs/importing.md): blank name and no identifier -> "blank"; "redacted"/"withheld" in the name or
    the identifier -> "redacted"; a name that is only a placeholder word ("Other", "Not Applicable", "N/A",
    "None", "Unspecified", "Unknown"...), also after a "U.S. Government - " qualifier, or that starts with
    "Unspecified" ("Unspecified Vendors") -> that word's reason; ForeignAssistance.gov's category placeholders
    ("Enterprises - Other", "NGO - Other") -> "other".
    """
    if ref and _REDACTED_WORDS.search(ref.lower()):
        return "redacted"
    text = normalise_name(name or "")
    if not text:
        return None if ref and ref.strip() else "blank"
    if _REDACTED_WORDS.search(text):
        return "redacted"
    bare = _QUALIFIER.sub("", text) if text.startswith(("us government ", "government ")) else text
    reason = PLACEHOLDER_NAMES.get(text) or PLACEHOLDER_NAMES.get(bare)
    if reason:
        return reason
    if _UNSPECIFIED_START.match(text):
        return "unspecified"
    if any(pattern.search(name or "") for pattern in _FA_PATTERNS):
        return "other"
    return None


# -- countries, governments, ministries -------------------------------------------------------------------
# Other spellings files use for a country (normalised keys), beyond ISO 3166's short names.
_EXTRA_COUNTRY_NAMES = {
    "british virgin islands": "VG", "us virgin islands": "VI", "st kitts": "KN", "st kitts nevis": "KN",
    "saint kitts": "KN", "st vincent": "VC", "saint vincent": "VC", "trinidad": "TT", "bolivia": "BO",
    "venezuela": "VE", "dominican rep": "DO", "turks and caicos": "TC", "sint maarten": "SX",
}


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Normalised country name -> ISO alpha-2: ISO short names, the part before a comma or parenthesis when
    that is unambiguous ("Bolivia, Plurinational State of" -> "bolivia"), "st" for "saint", and extras."""
    index: dict[str, str] = {}
    shorter: dict[str, set[str]] = {}
    for iso2, name in ALPHA2_NAMES.items():
        for key in {normalise_name(name), normalise_name(name.replace("Saint ", "St "))}:
            index[key] = iso2
        head = re.split(r"[,(]", name)[0]
        if head != name:
            shorter.setdefault(normalise_name(head), set()).add(iso2)
    for key, isos in shorter.items():
        if len(isos) == 1 and key not in index:
            index[key] = next(iter(isos))
    index.update(_EXTRA_COUNTRY_NAMES)
    return index


_STATE = r"(?:republic|commonwealth|kingdom|state|federation|co operative republic|cooperative republic)"
_GOVERNMENT_FORMS = (
    re.compile(rf"^(?:government|govt|gobierno|gouvernement) (?:of|de|du|de la) (?:{_STATE} of )?(?P<c>.+)$"),
    re.compile(r"^(?P<c>.+?) (?:national )?(?:government|govt)(?: of)?$"),
    re.compile(rf"^{_STATE} of (?P<c>.+)$"),
    re.compile(r"^(?P<c>.+)$"),
)


@lru_cache(maxsize=65536)
def government_country(name: str) -> str | None:
    """The ISO alpha-2 code when `name` names a country's government: "Government of El Salvador",
    "El Salvador Government", "Government of the Republic of Trinidad and Tobago", "Jamaica, Government of",
    or the country's own name. Case, accents and punctuation are folded."""
    text = normalise_name(name)
    countries = _countries()
    for form in _GOVERNMENT_FORMS:
        match = form.match(text)
        if match and match.group("c") in countries:
            return countries[match.group("c")]
    return None


_BODY = re.compile(
    r"\b(ministry|ministries|ministerio|ministere|department|dept|agency|office|authority|police|constabulary|"
    r"force|forces|coast guard|army|navy|customs|immigration|judiciary|court|courts|attorney general|"
    r"prosecutor|prosecution|secretariat|commission|directorate|bureau|unit|service|council|prison|prisons|"
    r"correctional|tribunal)\b")
_GOVERNMENT_OF = re.compile(r"^(?:government|govt) of ")


@lru_cache(maxsize=65536)
def ministry_country(name: str) -> str | None:
    """The ISO alpha-2 code when `name` names a ministry or agency of a country other than the United States:
    a government body word (ministry, department, agency, office, authority, police, force...) and the
    country's name at the start ("Jamaica Ministry of Justice", "Government of Jamaica - Ministry of ...") or at
    the end ("Ministry of National Security of Jamaica", "Ministry of Justice (Jamaica)")."""
    text = _GOVERNMENT_OF.sub("", normalise_name(name))
    if not _BODY.search(text):
        return None
    countries = _countries()
    best: tuple[int, str] | None = None
    for country, iso2 in countries.items():
        n = len(country)
        if len(text) <= n or iso2 == "US":
            continue
        starts = text.startswith(country + " ") and _BODY.search(text[n + 1:])
        ends = text.endswith(" " + country) and _BODY.search(text[:-n - 1])
        if (starts or ends) and (best is None or n > best[0]):
            best = (n, iso2)
    return best[1] if best else None
