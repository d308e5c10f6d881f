"""Map a ForeignAssistance.gov "complete" CSV onto the graph, streaming row by row.

Columns are matched by NAME (trimmed, case-insensitive), never by position, so both published layouts work
(51 columns with "Funding Acount ID", and the newer ~56 with "Funding Account ID", Transaction Date...).

Mapping, per row:
- Activity ID -> Program `program:fa:<Activity ID>` (`faActivityId`, name and description unless redacted,
  start/end dates, `sectorCodes` = the DAC purpose codes of all its rows), OPERATES_IN Government
  `gov:<ISO2>` (Country Code is ISO 3166-1 alpha-3, mapped by `iso3166.py`).
- Managing agency -> Agency (PARTICIPATES_IN managing); sub-agency/bureau -> Agency PART_OF it (also managing);
  funding agency -> Agency (PARTICIPATES_IN funding); implementing partner -> actor by partner category
  (PARTICIPATES_IN implementing). All resolved against the seed and alias table (`resolve.py`).
- The row -> Funding (flowType from Transaction Type Name, amount = Current Dollar Amount in USD, fiscalYear,
  date from Transaction Date when the layout has it): managing agency PROVIDES it, it FUNDS the Program, it is
  RECEIVED_BY the implementing partner.

Quirks handled: swapped partner sub-category ID/Name; redacted or placeholder partners ("... Redacted",
"Unspecified Vendors") keep their money but get no actor node (one node would lump unrelated recipients);
fiscal year `1976tq` -> fiscalYear 1976 with a transition-quarter note; `01OCT2021` dates.

Funding ids are stable: a digest of the row's defining fields (no file name, no line number) plus the number
of identical rows seen before it in the file, so re-importing changes nothing and two identical rows stay
two flows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph_seed.importers import codes
from graph_seed.importers.common import OccurrenceCounter, content_key, fa_date, id_part, parse_amount
from graph_seed.importers.errors import MalformedFileError, MissingColumnError
from graph_seed.importers.iso3166 import ALPHA2_NAMES, ALPHA3_TO_ALPHA2
from graph_seed.importers.resolve import ActorCandidate, Resolver
from graph_seed.importers.sink import RecordSink
from graph_seed.importers.summary import ImportSummary
from graph_seed.model import NodeRecord
from graph_seed.vocabulary import ID_PREFIXES

PUBLISHER = "ForeignAssistance.gov"
REQUIRED_COLUMNS = ("Activity ID", "Transaction Type Name", "Fiscal Year", "Current Dollar Amount",
                    "Managing Agency ID", "Managing Agency Name")
# Column spellings the site has used for one field -> the name this module uses.
COLUMN_ALIASES = {"funding acount id": "Funding Account ID"}
_FISCAL_YEAR = re.compile(r"^\s*(\d{4})\s*(tq)?\s*$", re.IGNORECASE)
_US_GOVERNMENT_PREFIX = re.compile(r"^\s*u\.?\s*s\.?\s+government\s*-\s*", re.IGNORECASE)
_PLACEHOLDERS = tuple(re.compile(p, re.IGNORECASE) for p in codes.FA_PLACEHOLDER_PARTNER_PATTERNS)
_NOT_APPLICABLE = {"", "not applicable", "n/a", "none"}
csv.field_size_limit(16 * 1024 * 1024)  # activity descriptions can be long; refuse only absurd fields


class _Skip(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def column_map(path: Path, header: list[str]) -> dict[str, str]:
    """Canonical column name -> the header's own spelling; raises `MissingColumnError` naming what is absent."""
    found: dict[str, str] = {}
    for raw in header:
        name = raw.strip().lstrip("\ufeff").strip()
        canonical = COLUMN_ALIASES.get(name.lower(), name)
        found.setdefault(canonical.lower(), raw)
    missing = [column for column in REQUIRED_COLUMNS if column.lower() not in found]
    if missing:
        raise MissingColumnError(path, f"required column(s) missing from the header: {', '.join(missing)}",
                                 line=1, field=missing[0])
    return found


def parse_fiscal_year(value: str) -> tuple[int, bool]:
    """`2022` -> (2022, False); `1976tq` -> (1976, True): the July-September 1976 transition quarter."""
    match = _FISCAL_YEAR.match(value or "")
    if not match:
        raise ValueError(f"not a fiscal year: {value!r}")
    year = int(match.group(1))
    if not 1946 <= year <= 2100:
        raise ValueError(f"fiscal year out of range: {year}")
    return year, bool(match.group(2))


@lru_cache(maxsize=65536)
def is_placeholder_partner(name: str) -> bool:
    return any(pattern.search(name) for pattern in _PLACEHOLDERS)


def _redacted(text: str) -> bool:
    return "redacted" in text.lower()


class FaMapper:
    """Maps one CSV file through the resolver into the sink, recording problems in the summary."""

    def __init__(self, shown: str, resolver: Resolver, sink: RecordSink, summary: ImportSummary) -> None:
        self.shown, self.resolver, self.sink, self.summary = shown, resolver, sink, summary
        self.occurrences = OccurrenceCounter()
        self.columns: dict[str, str] = {}
        self._actual: dict[str, str] = {}
        self.program_codes: dict[str, list[str]] = {}  # only programs whose rows disagree on codes
        self.first_codes: dict[str, str] = {}
        self.no_country = 0

    def get(self, row: dict[str, str | None], column: str) -> str:
        actual = self._actual.get(column)
        if actual is None:
            actual = self._actual[column] = self.columns.get(column.lower(), "\0missing")
        value = row.get(actual)
        return value.strip() if value else ""

    def run(self, path: Path, progress: Callable[[int], None] | None) -> None:
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                if reader.fieldnames is None:
                    raise MalformedFileError(path, "empty file: no header row", line=1)
                self.columns = column_map(path, list(reader.fieldnames))
                previous_end = reader.line_num
                for row in reader:
                    line = previous_end + 1
                    previous_end = reader.line_num
                    self.summary.rows_read += 1
                    self.map_row(row, line)
                    self.sink.maybe_flush()
                    if progress and self.summary.rows_read % 1000 == 0:
                        progress(self.summary.rows_read)
        except UnicodeDecodeError as exc:
            raise MalformedFileError(path, f"not UTF-8 text: {exc}") from None
        except csv.Error as exc:
            raise MalformedFileError(path, f"not a readable CSV: {exc}", line=reader.line_num) from None
        for program_id, extra in self.program_codes.items():
            self.sink.add_sector_codes(program_id, extra)
            self.sink.maybe_flush()
        self.sink.flush()
        if progress:
            progress(self.summary.rows_read)
        if self.no_country:
            self.summary.notes.append(f"{self.shown}: {self.no_country} row(s) with no recognised country code "
                                      "(regional or worldwide): no OPERATES_IN for them")

    # -- one row --------------------------------------------------------------------------------------
    def map_row(self, row: dict[str, str | None], line: int) -> None:
        self.summary.transactions += 1
        if None in row or any(value is None for value in row.values()):
            self.summary.problem(self.shown, line, None, "row skipped: wrong number of fields for the header",
                                 skipped=True)
            return
        try:
            activity_id = self.get(row, "Activity ID")
            if not activity_id:
                raise _Skip("Activity ID", "empty")
            try:
                amount = parse_amount(self.get(row, "Current Dollar Amount"))
            except ValueError as exc:
                raise _Skip("Current Dollar Amount", str(exc)) from None
            try:
                fiscal_year, transition_quarter = parse_fiscal_year(self.get(row, "Fiscal Year"))
            except ValueError as exc:
                raise _Skip("Fiscal Year", str(exc)) from None
            flow_name = self.get(row, "Transaction Type Name")
            flow_type = codes.FA_TRANSACTION_TYPES.get(flow_name.lower())
            if flow_type is None:
                raise _Skip("Transaction Type Name", f"unknown transaction type {flow_name!r}")
            if not self.get(row, "Managing Agency Name"):
                raise _Skip("Managing Agency Name", "empty")
            when = self._date(row, line, "Transaction Date")
            funding, key = self._funding(row, activity_id, flow_type, fiscal_year, transition_quarter, when, amount)
            program_id = self._program(row, line, activity_id)
            self.occurrences.next(key)
        except _Skip as skip:
            self.summary.problem(self.shown, line, skip.field, f"row skipped: {skip.reason}", skipped=True)
            return
        except ValidationError as exc:
            self.summary.problem(self.shown, line, _field(exc), f"row skipped: {_message(exc)}", skipped=True)
            return
        except ValueError as exc:  # an id the model would refuse (e.g. an absurdly long Activity ID)
            self.summary.problem(self.shown, line, "Activity ID", f"row skipped: {exc}", skipped=True)
            return
        manager = self._agency(row, "Managing Agency")
        self.sink.relate("PARTICIPATES_IN", manager, program_id, {"role": "managing"})
        bureau = self._sub_agency(row)
        if bureau is not None and bureau != manager:
            self.sink.relate("PART_OF", bureau, manager)
            self.sink.relate("PARTICIPATES_IN", bureau, program_id, {"role": "managing"})
        if self.get(row, "Funding Agency Name"):
            funder = self._agency(row, "Funding Agency")
            self.sink.relate("PARTICIPATES_IN", funder, program_id, {"role": "funding"})
        partner = self._partner(row)
        if partner is not None:
            self.sink.relate("PARTICIPATES_IN", partner, program_id, {"role": "implementing"})
        self._country(row, program_id)

        funding_id = funding["id"]
        self.sink.add_funding(funding, program_id)
        self.summary.funding += 1
        self.sink.relate("PROVIDES", manager, funding_id, dedupe=False)
        if partner is not None:
            self.sink.relate("RECEIVED_BY", funding_id, partner, dedupe=False)

    def _funding(self, row: dict[str, str | None], activity_id: str, flow_type: str, fiscal_year: int,
                 transition_quarter: bool, when: str | None, amount: Decimal) -> tuple[dict[str, Any], str]:
        """The row's checked Funding (raises `ValidationError`, e.g. a negative appropriation), before any
        other record of the row is emitted, so a rejected row leaves nothing behind."""
        key = content_key(activity_id, self.get(row, "Transaction Type Name").lower(), self.get(row, "Fiscal Year"),
                          when, amount, self.get(row, "Managing Agency ID"),
                          self.get(row, "Managing Sub-agency or Bureau ID"), self.get(row, "Funding Account ID"),
                          self.get(row, "Funding Agency ID"), self.get(row, "Implementing Partner ID"),
                          self.get(row, "Country Code"), self.get(row, "International Purpose Code"),
                          self.get(row, "US Sector ID"), self.get(row, "Aid Type Group ID"))
        notes = [note for note in (
            "transition quarter (July-September 1976), counted as fiscal year 1976" if transition_quarter else None,
            _partner_note(self.get(row, "Implementing Partner Name")),
            f"funding account {self.get(row, 'Funding Account ID')} {self.get(row, 'Funding Account Name')}".strip()
            if self.get(row, "Funding Account ID") else None,
        ) if note]
        props: dict[str, Any] = {"amount": amount, "currency": "USD", "flowType": flow_type,
                                 "fiscalYear": fiscal_year}
        if when:
            props["date"] = when
        return self.sink.funding_row(f"funding:fa:{id_part(activity_id)}:{key}-{self.occurrences.peek(key)}",
                                     _funding_name(flow_type, fiscal_year, amount, activity_id),
                                     "; ".join(notes) or None, props), key

    # -- parts ----------------------------------------------------------------------------------------
    def _date(self, row: dict[str, str | None], line: int, column: str) -> str | None:
        value = self.get(row, column)
        try:
            return fa_date(value)
        except ValueError as exc:
            self.summary.problem(self.shown, line, column, f"{exc}; date dropped", skipped=False)
            return None

    def _program(self, row: dict[str, str | None], line: int, activity_id: str) -> str:
        program_id, touch_only = self.resolver.program_id("fa:" + activity_id, f"program:fa:{id_part(activity_id)}")
        purpose = self.get(row, "International Purpose Code")
        if self.sink.has_node(program_id):
            first = self.first_codes.get(program_id)
            if purpose and purpose != first and not touch_only:
                extra = self.program_codes.setdefault(program_id, [])
                if purpose not in extra:
                    extra.append(purpose)
        else:
            self.summary.activities += 1
            self.summary.programs += 1
            if touch_only:
                self.sink.touch(program_id, "Program")
            else:
                self.sink.node(self._program_record(row, line, activity_id, program_id, purpose))
                if purpose:
                    self.first_codes[program_id] = purpose
        focus = codes.DAC_FOCUS_AREAS.get(purpose)
        if focus and focus in self.resolver.focus_areas:
            self.sink.touch(focus, "FocusArea")
            self.sink.relate("ADDRESSES", program_id, focus)
        return program_id

    def _program_record(self, row: dict[str, str | None], line: int, activity_id: str, program_id: str,
                        purpose: str) -> NodeRecord:
        name = self.get(row, "Activity Name")
        description = self.get(row, "Activity Description")
        start = self._date(row, line, "Activity Start Date")
        end = self._date(row, line, "Activity End Date")
        if start and end and end < start:
            self.summary.problem(self.shown, line, "Activity End Date", f"end {end} before start {start}; "
                                 "end date dropped", skipped=False)
            end = None
        props: dict[str, Any] = {"faActivityId": activity_id, "level": "activity",
                                 "sectorCodes": [purpose] if purpose else []}
        props.update({k: v for k, v in (("startDate", start), ("endDate", end)) if v})
        return NodeRecord(
            id=program_id, label="Program",
            name=name if name and not _redacted(name) else f"ForeignAssistance.gov activity {activity_id}",
            description=description if description and not _redacted(description) else None,
            sources=self.sink.sources, properties=props,
        )

    def _agency(self, row: dict[str, str | None], prefix: str) -> str:
        agency_id = self.get(row, f"{prefix} ID")
        name = self.get(row, f"{prefix} Name")
        candidate = ActorCandidate(
            label="Agency", name=name, new_id=f"agency:fa:agency-{id_part(agency_id or name)}", country="US",
            fa_id=f"agency:{agency_id}" if agency_id else None, acronym=self.get(row, f"{prefix} Acronym") or None,
        )
        return self.sink.actor(self.resolver.resolve(candidate))

    def _sub_agency(self, row: dict[str, str | None]) -> str | None:
        name = self.get(row, "Managing Sub-agency or Bureau Name")
        if name.lower() in _NOT_APPLICABLE:
            return None
        bureau_id = self.get(row, "Managing Sub-agency or Bureau ID")
        candidate = ActorCandidate(
            label="Agency", name=name, new_id=f"agency:fa:subagency-{id_part(bureau_id or name)}", country="US",
            fa_id=f"subagency:{bureau_id}" if bureau_id else None,
            acronym=self.get(row, "Managing Sub-agency or Bureau Acronym") or None,
        )
        return self.sink.actor(self.resolver.resolve(candidate))

    def _partner(self, row: dict[str, str | None]) -> str | None:
        name = self.get(row, "Implementing Partner Name")
        sub_id = self.get(row, "Implementing Partner Sub-category ID")
        sub_name = self.get(row, "Implementing Partner Sub-category Name")
        if sub_name.isdigit() and not sub_id.isdigit():  # the published files swap these two
            sub_id, sub_name = sub_name, sub_id
        category = self.get(row, "Implementing Partner Category Name")
        if not name or is_placeholder_partner(name):
            return None
        label, kind = codes.FA_PARTNER_CATEGORIES.get(category.lower(), codes.FA_PARTNER_DEFAULT)
        country = None
        if _US_GOVERNMENT_PREFIX.match(name):
            name, country = _US_GOVERNMENT_PREFIX.sub("", name), "US"
        elif "united states" in sub_name.lower() and "non united states" not in sub_name.lower():
            country = "US"
        partner_id = self.get(row, "Implementing Partner ID")
        candidate = ActorCandidate(
            label=label, name=name, kind=sub_name or kind, country=country,
            new_id=f"{ID_PREFIXES[label]}:fa:partner-{id_part(partner_id)}" if partner_id
            else f"{ID_PREFIXES[label]}:fa:partner-{id_part(name.lower())}",
            fa_id=f"partner:{partner_id}" if partner_id else None,
        )
        return self.sink.actor(self.resolver.resolve(candidate))

    def _country(self, row: dict[str, str | None], program_id: str) -> None:
        code = self.get(row, "Country Code").upper()
        iso2 = ALPHA3_TO_ALPHA2.get(code) or (code if code in ALPHA2_NAMES else None)
        if iso2 is None:
            self.no_country += 1
            return
        name = self.get(row, "Country Name") or ALPHA2_NAMES.get(iso2, iso2)
        gov_id = self.sink.actor(self.resolver.government(iso2, name))
        self.sink.relate("OPERATES_IN", program_id, gov_id)


def _partner_note(name: str) -> str | None:
    """Why a row's money has no RECEIVED_BY, kept in the Funding's description."""
    if not name:
        return "no implementing partner named"
    if is_placeholder_partner(name):
        return f"implementing partner not named: {name}"
    return None


def _funding_name(flow_type: str, fiscal_year: int, amount: Decimal, activity_id: str) -> str:
    return f"{flow_type} FY{fiscal_year} {amount} USD (FA activity {activity_id})"


def _field(exc: ValidationError) -> str:
    errors = exc.errors()
    return ".".join(str(part) for part in errors[0]["loc"] if part != "properties") if errors else "record"


def _message(exc: ValidationError) -> str:
    return "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
