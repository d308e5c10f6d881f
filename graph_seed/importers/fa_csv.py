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
import operator
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph_seed.importers import codes, spill
from graph_seed.importers.common import OccurrenceCounter, content_key, fa_date, id_part, parse_amount
from graph_seed.importers.errors import MalformedFileError, MissingColumnError, decoding_error
from graph_seed.importers.iso3166 import ALPHA2_NAMES, ALPHA3_TO_ALPHA2
from graph_seed.importers.names import placeholder_reason
from graph_seed.importers.resolve import ActorCandidate, Resolver
from graph_seed.importers.sink import NOT_SEEN, RecordSink
from graph_seed.importers.summary import ImportSummary
from graph_seed.model import FISCAL_YEARS
from graph_seed.vocabulary import ID_PREFIXES

PUBLISHER = "ForeignAssistance.gov"
REQUIRED_COLUMNS = ("Activity ID", "Transaction Type Name", "Fiscal Year", "Current Dollar Amount",
                    "Managing Agency ID", "Managing Agency Name")
# Column spellings the site has used for one field -> the name this module uses.
COLUMN_ALIASES = {"funding acount id": "Funding Account ID"}
_FISCAL_YEAR = re.compile(r"^\s*(\d{4})\s*(tq)?\s*$", re.IGNORECASE)
_US_GOVERNMENT_PREFIX = re.compile(r"^\s*u\.?\s*s\.?\s+government\s*-\s*", re.IGNORECASE)
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
    if year not in FISCAL_YEARS:
        raise ValueError(f"fiscal year out of range: {year}")
    return year, bool(match.group(2))


def is_placeholder_partner(name: str) -> bool:
    """A partner name that stands for no organisation ("Redacted", "U.S. Government - Other"; `names.py`)."""
    return placeholder_reason(name) is not None


def _redacted(text: str) -> bool:
    return "redacted" in text.lower()


# The cells a row is read from, stripped once per row (`_Row`); a column the layout lacks reads as "".
_COLUMNS = (
    "Activity ID", "Current Dollar Amount", "Fiscal Year", "Transaction Type Name", "Transaction Date",
    "Managing Agency ID", "Managing Agency Name", "Managing Agency Acronym", "Managing Sub-agency or Bureau ID",
    "Managing Sub-agency or Bureau Name", "Managing Sub-agency or Bureau Acronym", "Funding Account ID",
    "Funding Account Name", "Funding Agency ID", "Funding Agency Name", "Funding Agency Acronym",
    "Implementing Partner ID", "Implementing Partner Name", "Implementing Partner Category Name",
    "Implementing Partner Sub-category ID", "Implementing Partner Sub-category Name", "Country Code", "Country Name",
    "International Purpose Code", "US Sector ID", "Aid Type Group ID", "Activity Name", "Activity Description",
    "Activity Start Date", "Activity End Date",
)
_CACHE_LIMIT = 10_000  # distinct actor descriptions remembered per mapper before the memo is started afresh
_Row = dict[str, str]


class FaMapper:
    """Maps one CSV file through the resolver into the sink, recording problems in the summary.

    Speed: cells are found by header index resolved once per file (still matched by name), each needed cell is
    stripped once per row, and the organisation ids of a distinct (id, name, ...) description are memoised
    (bounded) - a description always resolves to the same node within a file, so this changes no result.
    Memory: per-program facts (its first and extra DAC codes) are the sink's memo for the program's node, which
    spills to disk; the order in which programs gained extra codes is a `spill.SpillLog`.
    """

    def __init__(self, shown: str, resolver: Resolver, sink: RecordSink, summary: ImportSummary) -> None:
        self.shown, self.resolver, self.sink, self.summary = shown, resolver, sink, summary
        self.occurrences = OccurrenceCounter()
        self.columns: dict[str, str] = {}
        self.programs_with_extra_codes = spill.SpillLog()  # in the order they gained one
        self.no_country = 0
        self._actors: dict[tuple[str, ...], str | None] = {}
        self._countries: dict[tuple[str, str], str | None] = {}

    def _indices(self, header: list[str]) -> tuple[Callable[[list[str]], tuple[str, ...]], bool]:
        """A getter of the `_COLUMNS` cells of a row (as `csv.DictReader` would: the last of equal names), and
        whether rows need a "" appended for columns the layout lacks."""
        width, indices = len(header), []
        for column in _COLUMNS:
            actual = self.columns.get(column.lower())
            indices.append(width if actual is None else max(i for i, raw in enumerate(header) if raw == actual))
        return operator.itemgetter(*indices), width in indices

    def run(self, path: Path, progress: Callable[[int], None] | None) -> None:
        line_num = 0  # csv.DictReader's line_num (set before it skips blank rows): problem lines stay as they were
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.reader(handle)
                try:
                    header = next(reader)
                except StopIteration:
                    raise MalformedFileError(path, "empty file: no header row", line=1) from None
                line_num = reader.line_num
                self.columns = column_map(path, header)
                width = len(header)
                cells, pad = self._indices(header)
                previous_end = consumed = line_num  # consumed: the last line of the last record read
                while True:
                    try:
                        row = next(reader)
                        line_num = consumed = reader.line_num
                        while not row:
                            row = next(reader)
                            consumed = reader.line_num
                    except StopIteration:
                        break
                    except csv.Error as exc:  # the record began after the last one read, not where csv gave up
                        start = consumed + 1
                        stopped = f"; the reader stopped at line {reader.line_num}" \
                            if reader.line_num > start else ""
                        raise MalformedFileError(path, f"not a readable CSV: {exc} (the record starting on this "
                                                       f"line{stopped})", line=start) from None
                    line = previous_end + 1
                    previous_end = line_num
                    self.summary.rows_read += 1
                    self.summary.transactions += 1
                    if len(row) != width:
                        self.summary.problem(self.shown, line, None,
                                             "row skipped: wrong number of fields for the header", skipped=True)
                    else:
                        if pad:
                            row.append("")
                        self.map_row(dict(zip(_COLUMNS, map(str.strip, cells(row)), strict=True)), line)
                        self.sink.maybe_flush()
                    if progress and self.summary.rows_read % 1000 == 0:
                        progress(self.summary.rows_read)
        except UnicodeDecodeError as exc:
            raise decoding_error(path) or MalformedFileError(path, f"not UTF-8 text: {exc}") from None
        except csv.Error as exc:
            raise MalformedFileError(path, f"not a readable CSV: {exc}", line=line_num + 1) from None
        for program_id in self.programs_with_extra_codes:
            self.sink.add_sector_codes(program_id, list(self.sink.memo(program_id)[1:]))
            self.sink.maybe_flush()
        self.sink.flush()
        self.occurrences.close()
        self.programs_with_extra_codes.close()
        if progress:
            progress(self.summary.rows_read)
        if self.no_country:
            self.summary.notes.append(f"{self.shown}: {self.no_country} row(s) with no recognised country code "
                                      "(regional or worldwide): no OPERATES_IN for them")

    # -- one row --------------------------------------------------------------------------------------
    def map_row(self, row: _Row, line: int) -> None:
        """Map one row of stripped cells (counted in `summary.transactions` by the caller)."""
        try:
            activity_id = row["Activity ID"]
            if not activity_id:
                raise _Skip("Activity ID", "empty")
            try:
                amount = parse_amount(row["Current Dollar Amount"])
            except ValueError as exc:
                raise _Skip("Current Dollar Amount", str(exc)) from None
            try:
                fiscal_year, transition_quarter = parse_fiscal_year(row["Fiscal Year"])
            except ValueError as exc:
                raise _Skip("Fiscal Year", str(exc)) from None
            flow_name = row["Transaction Type Name"]
            flow_type = codes.FA_TRANSACTION_TYPES.get(flow_name.lower())
            if flow_type is None:
                raise _Skip("Transaction Type Name", f"unknown transaction type {flow_name!r}")
            if not row["Managing Agency Name"]:
                raise _Skip("Managing Agency Name", "empty")
            when = self._date(row, line, "Transaction Date")
            activity_part = id_part(activity_id)
            funding, key = self._funding(row, activity_id, activity_part, flow_type, fiscal_year,
                                         transition_quarter, when, amount)
            program_id = self._program(row, line, activity_id, activity_part)
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
        relate = self.sink.relate
        manager = self._agency(row, "Managing Agency")
        if manager is not None:
            relate("PARTICIPATES_IN", manager, program_id, _MANAGING)
        else:
            self.summary.placeholder(placeholder_reason(row["Managing Agency Name"]) or "blank")
        bureau = self._sub_agency(row)
        if bureau is not None and bureau != manager:
            if manager is not None:
                relate("PART_OF", bureau, manager)
            relate("PARTICIPATES_IN", bureau, program_id, _MANAGING)
        if row["Funding Agency Name"]:
            funder = self._agency(row, "Funding Agency")
            if funder is not None:
                relate("PARTICIPATES_IN", funder, program_id, _FUNDING)
            else:
                self.summary.placeholder(placeholder_reason(row["Funding Agency Name"]) or "blank")
        partner = self._partner(row)
        if partner is not None:
            relate("PARTICIPATES_IN", partner, program_id, _IMPLEMENTING)
        else:
            self.summary.placeholder(placeholder_reason(row["Implementing Partner Name"]) or "blank")
        self._country(row, program_id)

        funding_id = funding["id"]
        self.sink.add_funding(funding, program_id)
        self.summary.funding += 1
        if manager is not None:
            relate("PROVIDES", manager, funding_id, dedupe=False)
        if partner is not None:
            relate("RECEIVED_BY", funding_id, partner, dedupe=False)

    def _funding(self, row: _Row, activity_id: str, activity_part: str, flow_type: str, fiscal_year: int,
                 transition_quarter: bool, when: str | None, amount: Decimal) -> tuple[dict[str, Any], str]:
        """The row's checked Funding (raises `ValidationError`, e.g. a negative appropriation), before any
        other record of the row is emitted, so a rejected row leaves nothing behind."""
        account = row["Funding Account ID"]
        key = content_key(activity_id, row["Transaction Type Name"].lower(), row["Fiscal Year"],
                          when, amount, row["Managing Agency ID"],
                          row["Managing Sub-agency or Bureau ID"], account,
                          row["Funding Agency ID"], row["Implementing Partner ID"],
                          row["Country Code"], row["International Purpose Code"],
                          row["US Sector ID"], row["Aid Type Group ID"])
        notes = [note for note in (
            _TRANSITION_QUARTER if transition_quarter else None,
            _partner_note(row["Implementing Partner Name"]),
            f"funding account {account} {row['Funding Account Name']}".strip() if account else None,
        ) if note]
        props: dict[str, Any] = {"amount": amount, "currency": "USD", "flowType": flow_type,
                                 "fiscalYear": fiscal_year}
        if when:
            props["date"] = when
        return self.sink.funding_row(f"funding:fa:{activity_part}:{key}-{self.occurrences.peek(key)}",
                                     _funding_name(flow_type, fiscal_year, amount, activity_id),
                                     "; ".join(notes) or None, props), key

    # -- parts ----------------------------------------------------------------------------------------
    def _date(self, row: _Row, line: int, column: str) -> str | None:
        value = row[column]
        try:
            return fa_date(value)
        except ValueError as exc:
            self.summary.problem(self.shown, line, column, f"{exc}; date dropped", skipped=False)
            return None

    def _program(self, row: _Row, line: int, activity_id: str, activity_part: str) -> str:
        program_id, touch_only = self.resolver.program_id("fa:" + activity_id, f"program:fa:{activity_part}")
        purpose = row["International Purpose Code"]
        memo = self.sink.memo(program_id)  # (first code or None, extra codes...) of a program emitted in full
        if memo is not NOT_SEEN:
            if purpose and not touch_only and purpose != memo[0] and purpose not in memo[1:]:
                if len(memo) == 1:
                    self.programs_with_extra_codes.append(program_id)
                self.sink.set_memo(program_id, (*memo, purpose))
        else:
            self.summary.activities += 1
            self.summary.programs += 1
            if touch_only:
                self.sink.touch(program_id, "Program")
            else:
                self.sink.add_node_row("Program", self._program_row(row, line, activity_id, program_id, purpose),
                                       memo=(purpose or None,))
        focus = codes.DAC_FOCUS_AREAS.get(purpose)
        if focus and focus in self.resolver.focus_areas:
            self.sink.touch(focus, "FocusArea")
            self.sink.relate("ADDRESSES", program_id, focus)
        return program_id

    def _program_row(self, row: _Row, line: int, activity_id: str, program_id: str,
                     purpose: str) -> dict[str, Any]:
        name = row["Activity Name"]
        description = row["Activity Description"]
        start = self._date(row, line, "Activity Start Date")
        end = self._date(row, line, "Activity End Date")
        if start and end and end < start:
            self.summary.problem(self.shown, line, "Activity End Date", f"end {end} before start {start}; "
                                 "end date dropped", skipped=False)
            end = None
        props: dict[str, Any] = {"faActivityId": activity_id, "level": "activity",
                                 "sectorCodes": [purpose] if purpose else []}
        props.update({k: v for k, v in (("startDate", start), ("endDate", end)) if v})
        return self.sink.program_row(
            program_id,
            name if name and not _redacted(name) else f"ForeignAssistance.gov activity {activity_id}",
            description if description and not _redacted(description) else None,
            props,
        )

    def _remember(self, key: tuple[str, ...], actor_id: str | None) -> str | None:
        if len(self._actors) >= _CACHE_LIMIT:
            self._actors.clear()
        self._actors[key] = actor_id
        return actor_id

    def _agency(self, row: _Row, prefix: str) -> str | None:
        agency_id, name = row[prefix + " ID"], row[prefix + " Name"]
        acronym = row[prefix + " Acronym"]
        key = (prefix, agency_id, name, acronym)
        if key in self._actors:
            return self._actors[key]
        candidate = ActorCandidate(
            label="Agency", name=name, new_id=f"agency:fa:agency-{id_part(agency_id or name)}", country="US",
            fa_id=f"agency:{agency_id}" if agency_id else None, acronym=acronym or None,
        )
        return self._remember(key, self.sink.actor(self.resolver.resolve(candidate)))

    def _sub_agency(self, row: _Row) -> str | None:
        name = row["Managing Sub-agency or Bureau Name"]
        bureau_id = row["Managing Sub-agency or Bureau ID"]
        acronym = row["Managing Sub-agency or Bureau Acronym"]
        key = ("bureau", name, bureau_id, acronym)
        if key in self._actors:
            return self._actors[key]
        if name.lower() in _NOT_APPLICABLE:
            return self._remember(key, None)
        candidate = ActorCandidate(
            label="Agency", name=name, new_id=f"agency:fa:subagency-{id_part(bureau_id or name)}", country="US",
            fa_id=f"subagency:{bureau_id}" if bureau_id else None, acronym=acronym or None,
        )
        return self._remember(key, self.sink.actor(self.resolver.resolve(candidate)))

    def _partner(self, row: _Row) -> str | None:
        name = row["Implementing Partner Name"]
        sub_id = row["Implementing Partner Sub-category ID"]
        sub_name = row["Implementing Partner Sub-category Name"]
        category = row["Implementing Partner Category Name"]
        partner_id = row["Implementing Partner ID"]
        key = ("partner", name, sub_id, sub_name, category, partner_id)
        if key in self._actors:
            return self._actors[key]
        if sub_name.isdigit() and not sub_id.isdigit():  # the published files swap these two
            sub_id, sub_name = sub_name, sub_id
        if not name or is_placeholder_partner(name):
            return self._remember(key, None)
        label, kind = codes.FA_PARTNER_CATEGORIES.get(category.lower(), codes.FA_PARTNER_DEFAULT)
        country = None
        if _US_GOVERNMENT_PREFIX.match(name):
            name, country = _US_GOVERNMENT_PREFIX.sub("", name), "US"
        elif "united states" in sub_name.lower() and "non united states" not in sub_name.lower():
            country = "US"
        candidate = ActorCandidate(
            label=label, name=name, kind=sub_name or kind, country=country,
            new_id=f"{ID_PREFIXES[label]}:fa:partner-{id_part(partner_id)}" if partner_id
            else f"{ID_PREFIXES[label]}:fa:partner-{id_part(name.lower())}",
            fa_id=f"partner:{partner_id}" if partner_id else None,
        )
        return self._remember(key, self.sink.actor(self.resolver.resolve(candidate)))

    def _country(self, row: _Row, program_id: str) -> None:
        key = (row["Country Code"], row["Country Name"])
        if key in self._countries:
            gov_id = self._countries[key]
        else:
            code = key[0].upper()
            iso2 = ALPHA3_TO_ALPHA2.get(code) or (code if code in ALPHA2_NAMES else None)
            if iso2 is None:
                gov_id = None
            else:
                name = key[1] or ALPHA2_NAMES.get(iso2, iso2)
                gov_id = self.sink.actor(self.resolver.government(iso2, name))
            if len(self._countries) >= _CACHE_LIMIT:
                self._countries.clear()
            self._countries[key] = gov_id
        if gov_id is None:
            self.no_country += 1
            return
        self.sink.relate("OPERATES_IN", program_id, gov_id)


_MANAGING = {"role": "managing"}
_FUNDING = {"role": "funding"}
_IMPLEMENTING = {"role": "implementing"}
_TRANSITION_QUARTER = "transition quarter (July-September 1976), counted as fiscal year 1976"


def _partner_note(name: str) -> str | None:
    """Why a row's money has no RECEIVED_BY, kept in the Funding's description."""
    if not name:
        return "no implementing partner named"
    if placeholder_reason(name) is not None:
        return f"implementing partner not named: {name}"
    return None


def _funding_name(flow_type: str, fiscal_year: int, amount: Decimal, activity_id: str) -> str:
    return f"{flow_type} FY{fiscal_year} {amount} USD (FA activity {activity_id})"


def _field(exc: ValidationError) -> str:
    errors = exc.errors()
    return ".".join(str(part) for part in errors[0]["loc"] if part != "properties") if errors else "record"


def _message(exc: ValidationError) -> str:
    return "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
