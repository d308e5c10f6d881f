"""Small helpers both importers share: dates, U.S. fiscal years, stable ids, amounts, the Source record.

Why here: the two formats differ, but "what fiscal year is 2021-10-01" and "how is a Funding id made stable"
must have one answer for the whole graph.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from graph_seed.importers import spill
from graph_seed.model import NodeRecord

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_ID_UNSAFE = re.compile(r"\s+")
_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")
_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
_DDMONYYYY = re.compile(r"^(\d{1,2})([A-Za-z]{3})(\d{4})$")


def iso_date(value: str | None) -> str | None:
    """`2012-04-15` (or `2012-04-15T00:00:00Z`) -> `2012-04-15`; raises ValueError on an impossible date."""
    if value is None or not value.strip():
        return None
    match = _ISO_DATE.match(value.strip())
    if not match:
        raise ValueError(f"not an ISO date: {value!r}")
    year, month, day = (int(part) for part in match.groups())
    return date(year, month, day).isoformat()


def fa_date(value: str | None) -> str | None:
    """ForeignAssistance.gov dates: `2021-03-31` or `01OCT2021` -> ISO; raises ValueError otherwise."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    match = _DDMONYYYY.match(value)
    if match:
        day, month_name, year = match.groups()
        month = _MONTHS.get(month_name.upper())
        if month is None:
            raise ValueError(f"unknown month in date {value!r}")
        return date(int(year), month, int(day)).isoformat()
    return iso_date(value)


def us_fiscal_year(iso: str | None) -> int | None:
    """U.S. federal fiscal year of an ISO date: Oct 1 - Sep 30, named by the year it ends (2021-10-01 -> 2022)."""
    if not iso:
        return None
    year, month = int(iso[:4]), int(iso[5:7])
    return year + 1 if month >= 10 else year


def parse_amount(value: str | None) -> Decimal:
    """A money amount as written (`1000`, `1,000.50`, ` 3e3 `); raises ValueError if it is not a finite number."""
    if value is None or not value.strip():
        raise ValueError("amount is empty")
    try:
        amount = Decimal(value.strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return amount


def id_part(value: str) -> str:
    """An external identifier made safe for a node id (no whitespace), keeping its case and punctuation."""
    return _ID_UNSAFE.sub("-", value.strip())


def slug(value: str) -> str:
    """A readable lower-case id part from a name: `Tetra Tech, Inc.` -> `tetra-tech-inc`."""
    return _SLUG_UNSAFE.sub("-", value.lower()).strip("-")[:80] or "unnamed"


def content_key(*parts: object) -> str:
    """A short, stable digest of a flow's defining fields (file-independent: no path, no line number)."""
    text = "\x1f".join([part if type(part) is str else "" if part is None else str(part) for part in parts])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class OccurrenceCounter:
    """Numbers identical flows 0, 1, 2... in file order, so two identical rows stay two Funding nodes while
    re-importing the same file yields the same ids.

    Memory: one entry per distinct flow digest would grow with the file, so the counts live in a `SpillMap`
    (at most `capacity` in memory, the rest in a temporary SQLite file): exact counts, bounded memory.
    """

    def __init__(self, capacity: int | None = None, bloom_bits: int | None = None) -> None:
        self._seen = spill.SpillMap(capacity, bloom_bits)
        self._peeked: tuple[str, int, int] | None = None  # (key, digest, count) of the last peek

    def _lookup(self, key: str) -> tuple[int, int]:
        peeked = self._peeked
        if peeked is not None and peeked[0] == key:
            return peeked[1], peeked[2]
        digest = int(key, 16) - _SIGNED  # SQLite integers are signed 64-bit
        return digest, self._seen.get(digest, 0)

    def peek(self, key: str) -> int:
        """The number `next(key)` will return, without counting (for a row that may still be rejected)."""
        digest, count = self._lookup(key)
        self._peeked = (key, digest, count)
        return count

    def next(self, key: str) -> int:
        digest, count = self._lookup(key)
        self._peeked = None
        self._seen[digest] = count + 1
        return count

    def close(self) -> None:
        self._seen.close()


_SIGNED = 1 << 63


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def source_id(sha256: str) -> str:
    return f"src:file:{sha256[:16]}"


@dataclass(frozen=True)
class FileSource:
    """The Source node of one imported file; `importedAt` is set once, on creation, by the writer."""

    path: Path
    sha256: str
    title: str
    publisher: str | None = None
    date: str | None = None

    @property
    def id(self) -> str:
        return source_id(self.sha256)

    def record(self) -> NodeRecord:
        props: dict[str, object] = {"title": self.title, "sha256": self.sha256}
        if self.publisher:
            props["publisher"] = self.publisher
        if self.date:
            props["date"] = self.date
        return NodeRecord(id=self.id, label="Source", name=self.path.name, properties=props)
