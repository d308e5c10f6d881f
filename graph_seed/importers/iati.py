"""Map IATI activities onto the graph: Program, actors, PARTICIPATES_IN, OPERATES_IN, ADDRESSES, Funding.

Mapping (codes in `codes.py`):
- `iati-activity` -> Program `program:iati:<identifier>` (`iatiIdentifier`, English title, general description,
  status from activity-status, start/end from activity-date types 1-4 with actual dates preferred over
  planned, `sectorCodes` always: DAC-5 codes bare, other vocabularies as `<vocabulary>:<code>`).
- `participating-org` -> actor (label by organisation type; resolved, see `resolve.py`) PARTICIPATES_IN with
  its role (codes 1-4 or 1.0x words). An organisation's label is fixed the first time it is seen. A placeholder
  or redacted organisation (`names.placeholder_reason`: "Redacted", a `...-REDACTED` ref, "Not Applicable")
  gets no node: the activity or transaction is kept without that link and the summary counts it.
- `recipient-country` -> Program OPERATES_IN Government `gov:<ISO2>` (percentage kept).
- `sector` with a clear DAC-5 -> FocusArea mapping -> ADDRESSES, only if that FocusArea exists in the graph.
- `transaction` -> Funding (flowType by transaction type, amount, currency from the value or the activity's
  default, date, U.S. fiscal year), provider PROVIDES it, it FUNDS the Program, it is RECEIVED_BY the receiver.
- `budget` elements are skipped on purpose (planned envelopes, not flows); their count is reported as a note.

A transaction with a bad value, date, currency or type is skipped and reported with its line; an activity
without an identifier is skipped and reported; smaller issues (a bad activity date) are reported and dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph_seed.importers import codes
from graph_seed.importers.common import (
    OccurrenceCounter,
    content_key,
    id_part,
    iso_date,
    parse_amount,
    slug,
    us_fiscal_year,
)
from graph_seed.importers.iati_parse import IatiActivity, IatiHeader, IatiOrg, IatiTransaction, iter_activities
from graph_seed.importers.iso3166 import ALPHA2_NAMES
from graph_seed.importers.resolve import ActorCandidate, Resolver
from graph_seed.importers.sink import RecordSink
from graph_seed.importers.summary import ImportSummary
from graph_seed.vocabulary import ID_PREFIXES

# Sector vocabularies holding DAC 5-digit purpose codes: absent or "1" (2.0x), "DAC" (1.0x).
DAC5_VOCABULARIES = frozenset({None, "1", "DAC"})


@dataclass
class IatiFileResult:
    publisher: str | None
    date: str | None
    version: str | None


class IatiMapper:
    """Maps one file's activities through the resolver into the sink, recording problems in the summary."""

    def __init__(self, shown: str, resolver: Resolver, sink: RecordSink, summary: ImportSummary) -> None:
        self.shown, self.resolver, self.sink, self.summary = shown, resolver, sink, summary
        self.occurrences = OccurrenceCounter()
        self.publishers: dict[str, None] = {}  # the first three reporting organisations (all the Source names)
        self.budgets = 0
        self._actors: dict[tuple[str | None, str | None, str], str] = {}  # bounded memo of `_actor`

    def run(self, path: Path, progress: Callable[[int], None] | None) -> IatiFileResult:
        header = IatiHeader()
        for activity in iter_activities(path, header):
            self.summary.rows_read += 1
            self.map_activity(activity)
            self.sink.maybe_flush()
            if progress and self.summary.rows_read % 100 == 0:
                progress(self.summary.rows_read)
        self.sink.flush()
        self.occurrences.close()
        if progress:
            progress(self.summary.rows_read)
        if self.budgets:
            self.summary.notes.append(f"{self.shown}: {self.budgets} <budget> element(s) not imported (planned "
                                      "envelopes, not flows)")
        generated = None
        try:
            generated = iso_date(header.generated)
        except ValueError:
            generated = None
        publisher = "; ".join(list(self.publishers)[:3]) or None
        return IatiFileResult(publisher=publisher, date=generated, version=header.version)

    # -- activity -------------------------------------------------------------------------------------
    def map_activity(self, activity: IatiActivity) -> None:
        self.summary.activities += 1
        self.budgets += activity.budgets
        if activity.reporting_org is not None:
            name = activity.reporting_org.name or activity.reporting_org.ref
            if name and len(self.publishers) < 3:
                self.publishers.setdefault(name, None)
        if not activity.identifier:
            self.summary.problem(self.shown, activity.line, "iati-identifier", "activity has no iati-identifier; "
                                 "skipped with its transactions", skipped=True)
            return
        program_id, touch_only = self.resolver.program_id("iati:" + activity.identifier,
                                                          f"program:iati:{id_part(activity.identifier)}")
        try:
            program = self._program(activity, program_id)
        except ValidationError as exc:
            self.summary.problem(self.shown, activity.line, _field(exc), f"activity skipped: {_message(exc)}",
                                 skipped=True)
            return
        if touch_only:
            self.sink.touch(program_id, "Program")
        else:
            self.sink.add_node_row("Program", program)
        self.summary.programs += 1
        org_types = {org.ref: org.type for org in activity.participating if org.ref and org.type}
        for org in activity.participating:
            role = codes.IATI_ROLES.get((org.role or "").lower())
            actor_id = self._actor(org, org_types)
            if actor_id is None:
                continue
            if role is None:
                self.summary.problem(self.shown, org.line, "participating-org@role",
                                     f"unknown role {org.role!r}; organisation kept without PARTICIPATES_IN",
                                     skipped=False)
                continue
            self.sink.relate("PARTICIPATES_IN", actor_id, program_id, {"role": role})
        self._countries(activity, program_id)
        for _vocabulary, code, _pct in activity.sectors:
            focus = codes.DAC_FOCUS_AREAS.get(code) if _vocabulary in DAC5_VOCABULARIES else None
            if focus and focus in self.resolver.focus_areas:
                self.sink.touch(focus, "FocusArea")
                self.sink.relate("ADDRESSES", program_id, focus, {})
        for transaction in activity.transactions:
            self._transaction(activity, transaction, program_id, org_types)

    def _program(self, activity: IatiActivity, program_id: str) -> dict[str, Any]:
        """The Program's node row, checked as `NodeRecord` checks it (raises `ValidationError` likewise)."""
        props: dict[str, object] = {"iatiIdentifier": activity.identifier, "level": "activity"}
        status = codes.IATI_ACTIVITY_STATUS.get(activity.status_code or "")
        if status:
            props["status"] = status
        dates: dict[tuple[str, bool], str] = {}
        for date_type, value, line in activity.dates:
            kind = codes.IATI_DATE_TYPES.get(date_type.lower())
            try:
                parsed = iso_date(value)
            except ValueError as exc:
                self.summary.problem(self.shown, line, "activity-date@iso-date", f"{exc}; date dropped", skipped=False)
                continue
            if kind and parsed:
                dates[kind] = parsed
        start = dates.get(("start", True)) or dates.get(("start", False))
        end = dates.get(("end", True)) or dates.get(("end", False))
        if start and end and end < start:
            self.summary.problem(self.shown, activity.line, "activity-date",
                                 f"end {end} before start {start}; end date dropped", skipped=False)
            end = None
        props.update({k: v for k, v in (("startDate", start), ("endDate", end)) if v})
        props["sectorCodes"] = [code if vocabulary in DAC5_VOCABULARIES else f"{vocabulary}:{code}"
                                for vocabulary, code, _pct in activity.sectors]
        # ignore: `identifier` is typed optional, but an activity without one was skipped before (`map_activity`)
        return self.sink.program_row(program_id, activity.title or activity.identifier,  # type: ignore[arg-type]
                                     activity.description, props)

    def _countries(self, activity: IatiActivity, program_id: str) -> None:
        for code, percentage, line in activity.countries:
            iso2 = code.upper()
            if len(iso2) != 2 or not iso2.isalpha():
                self.summary.problem(self.shown, line, "recipient-country@code", f"not an ISO 3166-1 alpha-2 code: "
                                     f"{code!r}; country dropped", skipped=False)
                continue
            gov_id = self.sink.government(self.resolver.government(iso2, ALPHA2_NAMES.get(iso2, iso2)))
            props: dict[str, object] = {}
            if percentage:
                try:
                    props["percentage"] = float(percentage)
                except ValueError:
                    self.summary.problem(self.shown, line, "recipient-country@percentage",
                                         f"not a number: {percentage!r}; percentage dropped", skipped=False)
            try:
                self.sink.relate("OPERATES_IN", program_id, gov_id, props)
            except ValidationError as exc:
                self.summary.problem(self.shown, line, "recipient-country@percentage", _message(exc), skipped=False)
                self.sink.relate("OPERATES_IN", program_id, gov_id, {})

    # -- organisations --------------------------------------------------------------------------------
    def _actor(self, org: IatiOrg, declared_types: dict[str, str]) -> str | None:
        """The organisation's node id, or None for a placeholder or redacted one (counted in the summary)."""
        org_type = (declared_types.get(org.ref) if org.ref else None) or org.type or ""
        memo_key = (org.ref, org.name, org_type)
        known = self._actors.get(memo_key)
        if known is not None:  # the same description resolves to the same node for the whole file
            return known
        label, kind = codes.IATI_ORG_TYPE_LABEL.get(org_type, codes.IATI_ORG_TYPE_DEFAULT)
        prefix = ID_PREFIXES[label]
        key = id_part(org.ref) if org.ref else f"name-{slug(org.name or '')}"
        candidate = ActorCandidate(label=label, name=org.name or org.ref or key, new_id=f"{prefix}:iati:{key}",
                                   kind=kind, iati_ref=org.ref)
        resolution = self.resolver.resolve(candidate)
        actor_id = self.sink.actor(resolution)
        if actor_id is None:  # not memoised: every link left out is counted
            self.summary.placeholder(resolution.left_out or "blank")
            return None
        if len(self._actors) >= 10_000:
            self._actors.clear()
        self._actors[memo_key] = actor_id
        return actor_id

    # -- transactions ---------------------------------------------------------------------------------
    def _transaction(self, activity: IatiActivity, tx: IatiTransaction, program_id: str,
                     org_types: dict[str, str]) -> None:
        self.summary.transactions += 1
        try:
            flow_type = codes.IATI_TRANSACTION_TYPES.get((tx.type_code or "").upper())
            if flow_type is None:
                raise _Skip("transaction-type@code", f"unknown transaction type {tx.type_code!r}")
            try:
                amount = parse_amount(tx.value)
            except ValueError as exc:
                raise _Skip("value", str(exc)) from None
            currency = (tx.currency or activity.default_currency or "").upper()
            if not currency:
                raise _Skip("value@currency", "no currency on the value and no default-currency on the activity")
            try:
                when = iso_date(tx.date) or iso_date(tx.value_date)
            except ValueError as exc:
                raise _Skip("transaction-date@iso-date", str(exc)) from None
            funding, key = self._funding(activity, tx, flow_type, amount, currency, when)
        except _Skip as skip:
            self.summary.problem(self.shown, tx.line, skip.field, f"transaction skipped: {skip.reason}", skipped=True)
            return
        except ValidationError as exc:
            self.summary.problem(self.shown, tx.line, _field(exc), f"transaction skipped: {_message(exc)}",
                                 skipped=True)
            return
        except ValueError as exc:  # an id the model would refuse (an absurdly long identifier)
            self.summary.problem(self.shown, tx.line, "iati-identifier", f"transaction skipped: {exc}",
                                 skipped=True)
            return
        self.occurrences.next(key)
        funding_id = funding["id"]
        self.sink.add_funding(funding, program_id)
        self.summary.funding += 1
        provider = self._actor(tx.provider, org_types) if tx.provider is not None else None
        if provider is not None:
            self.sink.relate("PROVIDES", provider, funding_id, None, dedupe=False)
        receiver = self._actor(tx.receiver, org_types) if tx.receiver is not None else None
        if receiver is not None:
            self.sink.relate("RECEIVED_BY", funding_id, receiver, None, dedupe=False)

    def _funding(self, activity: IatiActivity, tx: IatiTransaction, flow_type: str, amount: Decimal,
                 currency: str, when: str | None) -> tuple[dict[str, Any], str]:
        """The checked Funding row and its content key (counted by the caller once the row is accepted)."""
        key = content_key(activity.identifier, tx.type_code, when, amount, currency, tx.ref,
                          tx.provider.ref if tx.provider else None, tx.receiver.ref if tx.receiver else None)
        funding_id = f"funding:iati:{id_part(activity.identifier or '')}:{key}-{self.occurrences.peek(key)}"
        props: dict[str, object] = {"amount": amount, "currency": currency, "flowType": flow_type}
        if when:
            props["date"] = when
            props["fiscalYear"] = us_fiscal_year(when)
        name = f"{flow_type} {amount} {currency}" + (f" {when}" if when else "") + f" ({activity.identifier})"
        return self.sink.funding_row(funding_id, name, tx.description, props), key


class _Skip(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def _field(exc: ValidationError) -> str:
    errors = exc.errors()
    return ".".join(str(part) for part in errors[0]["loc"] if part != "properties") if errors else "record"


def _message(exc: ValidationError) -> str:
    return "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
