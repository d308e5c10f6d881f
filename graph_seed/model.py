"""The record model: one validated shape for every node and relationship, wherever it came from.

Why: the curated YAML files, the IATI importer and the ForeignAssistance.gov importer all emit
`NodeRecord` / `EdgeRecord`. Validation happens here once (labels, ids, dates, amounts, ISO codes,
controlled vocabularies), so the Neo4j writer and the networkx builder can trust what they receive.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from graph_seed import vocabulary as vocab

# The rules as named values too: the importers' fast paths check the common case with the same rules.
NODE_ID_MAX_LENGTH = 300
PARTIAL_DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
FISCAL_YEARS = range(1946, 2101)  # U.S. fiscal years the model accepts

NodeId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z-]*:\S+$", max_length=NODE_ID_MAX_LENGTH)]
PartialDate = Annotated[str, StringConstraints(pattern=PARTIAL_DATE_PATTERN)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=CURRENCY_PATTERN)]
FiscalYear = Annotated[int, Field(ge=FISCAL_YEARS.start, le=FISCAL_YEARS.stop - 1)]

QUOTE_MAX_WORDS = 24


def _short_quote(value: str) -> str:
    """A supporting quote stays short (under 25 words): the graph cites, it never copies passages."""
    words = len(value.split())
    if words > QUOTE_MAX_WORDS:
        raise ValueError(f"quote has {words} words; keep it under {QUOTE_MAX_WORDS + 1} (cite, do not copy)")
    return value


Quote = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True), AfterValidator(_short_quote)]
Staffing = Annotated[int, Field(ge=0)]

Scalar = str | int | float | bool | None
PropertyValue = Scalar | list[str] | list[int] | list[float]


class _Props(BaseModel):
    """Label- or type-specific properties: unknown names are errors, so typos never reach the graph."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class GovernmentProps(_Props):
    countryCode: CountryCode  # noqa: N815 - graph property names are camelCase
    cbsiRole: Literal[vocab.CBSI_ROLES] = "other"  # type: ignore[valid-type]  # noqa: N815


class _Founded(_Props):
    """When an organisation was founded and how many staff a source says it has (as of a date)."""

    founded: PartialDate | None = None
    staff: Staffing | None = None
    staffAsOf: PartialDate | None = None


class AgencyProps(_Founded):
    acronym: str | None = None
    countryCode: CountryCode | None = None  # noqa: N815
    iatiRef: str | None = None  # noqa: N815
    faId: str | None = None  # noqa: N815


class IgoProps(_Founded):
    acronym: str | None = None
    scope: Literal[vocab.IGO_SCOPES] = "regional"  # type: ignore[valid-type]
    headquarters: str | None = None
    iatiRef: str | None = None  # noqa: N815


class OrganizationProps(_Founded):
    acronym: str | None = None
    kind: str | None = None
    countryCode: CountryCode | None = None  # noqa: N815
    iatiRef: str | None = None  # noqa: N815
    faId: str | None = None  # noqa: N815


class ProgramProps(_Props):
    level: Literal[vocab.PROGRAM_LEVELS] = "program"  # type: ignore[valid-type]
    startDate: PartialDate | None = None  # noqa: N815
    endDate: PartialDate | None = None  # noqa: N815
    status: Literal[vocab.PROGRAM_STATUSES] = "unknown"  # type: ignore[valid-type]
    iatiIdentifier: str | None = None  # noqa: N815
    faActivityId: str | None = None  # noqa: N815
    sectorCodes: list[str] = Field(default_factory=list)  # noqa: N815
    awardNumber: str | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> ProgramProps:
        if self.startDate and self.endDate and self.endDate < self.startDate:
            raise ValueError(f"endDate {self.endDate} is before startDate {self.startDate}")
        return self


# Flow types whose records include adjustments: a de-obligation, a reversed disbursement or a refund is stated
# as a negative figure and sums net with the others. Envelopes (appropriations, requests, pledges...) cannot be.
ADJUSTABLE_FLOW_TYPES: frozenset[str] = frozenset(
    {"obligation", "disbursement", "expenditure", "commitment", "incoming"})


class FundingProps(_Props):
    """One money flow as a source states it. Figures of different `flowType`s are never summed together."""

    flowType: Literal[vocab.FLOW_TYPES]  # type: ignore[valid-type]  # noqa: N815 - first: amounts are checked by it
    amount: Decimal | None = None
    currency: CurrencyCode = "USD"
    amountUsd: Decimal | None = None  # noqa: N815
    amountQualifier: Literal[vocab.AMOUNT_QUALIFIERS] = "exactly"  # type: ignore[valid-type]  # noqa: N815
    fiscalYear: FiscalYear | None = None  # noqa: N815
    fiscalYearStart: FiscalYear | None = None  # noqa: N815
    fiscalYearEnd: FiscalYear | None = None  # noqa: N815
    date: PartialDate | None = None
    account: Literal[vocab.ACCOUNTS] | None = None  # type: ignore[valid-type]
    cumulative: bool = False
    asOf: PartialDate | None = None
    items: str | None = None
    quantity: Annotated[int, Field(ge=1)] | None = None
    quote: Quote | None = None

    @field_validator("amount", "amountUsd")
    @classmethod
    def _sign_fits_flow_type(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        flow_type = info.data.get("flowType")
        if value is not None and value < 0 and flow_type not in ADJUSTABLE_FLOW_TYPES:
            raise ValueError(
                f"{info.field_name} {value} must be greater than or equal to 0 for flowType {flow_type!r}; only "
                f"{', '.join(sorted(ADJUSTABLE_FLOW_TYPES))} figures may be negative (adjustments)")
        return value

    @model_validator(mode="after")
    def _years_consistent(self) -> FundingProps:
        start, end = self.fiscalYearStart, self.fiscalYearEnd
        if start is not None and end is not None and end < start:
            raise ValueError(f"fiscalYearEnd {end} is before fiscalYearStart {start}")
        if self.amount is None and self.flowType != "in-kind":
            raise ValueError(f"amount is required for flowType {self.flowType!r} (only in-kind gifts may omit it)")
        if self.fiscalYear is not None and (start is not None or end is not None):
            raise ValueError("give either fiscalYear (one year) or fiscalYearStart/fiscalYearEnd (a period), not both")
        if self.cumulative and self.fiscalYear is not None:
            raise ValueError("a cumulative figure covers a period: use fiscalYearStart/fiscalYearEnd, not fiscalYear")
        if self.items is not None and self.flowType != "in-kind":
            raise ValueError("items describe an in-kind gift: set flowType in-kind")
        if self.amount is not None and self.currency == "USD" and self.amountUsd is None:
            object.__setattr__(self, "amountUsd", self.amount)
        return self


class MeetingProps(_Props):
    date: PartialDate | None = None
    endDate: PartialDate | None = None
    location: str | None = None
    venue: str | None = None
    format: Literal[vocab.MEETING_FORMATS] | None = None  # type: ignore[valid-type]
    theme: str | None = None
    ordinal: int | None = Field(default=None, ge=1)


class BillActionProps(_Props):
    """One step of a bill through Congress, as congress.gov lists it."""

    date: PartialDate
    actionType: Literal[vocab.BILL_ACTION_TYPES]  # type: ignore[valid-type]
    chamber: Literal[vocab.ACTION_CHAMBERS] | None = None  # type: ignore[valid-type]
    committee: str | None = None
    text: Quote | None = None


class PersonProps(_Props):
    honorific: str | None = None
    party: str | None = None
    state: str | None = None
    district: str | None = None
    countryCode: CountryCode | None = None
    bioguideId: str | None = None


class LegislationProps(_Props):
    number: str | None = None
    publicLaw: str | None = None  # noqa: N815
    congress: int | None = Field(default=None, ge=1)
    status: str | None = None
    enacted: PartialDate | None = None
    introduced: PartialDate | None = None
    authorizedAmountPerYear: Decimal | None = Field(default=None, ge=0)  # noqa: N815
    authorizedFiscalYearStart: FiscalYear | None = None  # noqa: N815
    authorizedFiscalYearEnd: FiscalYear | None = None  # noqa: N815
    chamber: Literal[vocab.CHAMBERS] | None = None  # type: ignore[valid-type]
    costEstimate: Decimal | None = Field(default=None, ge=0)
    costEstimateDate: PartialDate | None = None


class SourceProps(_Props):
    title: str
    url: str | None = None
    publisher: str | None = None
    date: PartialDate | None = None
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    importedAt: str | None = None  # noqa: N815
    quote: Quote | None = None

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^(https?://\S+|file:\S+|cbsi-flyer\.txt)$", value):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value


class EmptyProps(_Props):
    pass


LABEL_PROPS: dict[str, type[_Props]] = {
    "Government": GovernmentProps,
    "Agency": AgencyProps,
    "IntergovernmentalOrganization": IgoProps,
    "CivilSocietyOrganization": OrganizationProps,
    "PrivateSectorActor": OrganizationProps,
    "Program": ProgramProps,
    "Funding": FundingProps,
    "Objective": EmptyProps,
    "FocusArea": EmptyProps,
    "Mechanism": EmptyProps,
    "Meeting": MeetingProps,
    "Legislation": LegislationProps,
    "BillAction": BillActionProps,
    "Person": PersonProps,
    "Source": SourceProps,
}


class MemberOfProps(_Props):
    since: PartialDate | None = None
    until: PartialDate | None = None
    role: str | None = None


class ParticipatesInProps(_Props):
    role: Literal[vocab.PARTICIPATION_ROLES]  # type: ignore[valid-type]
    note: str | None = None


class OperatesInProps(_Props):
    percentage: float | None = Field(default=None, ge=0, le=100)


class AttendedProps(_Props):
    role: Literal[vocab.MEETING_ROLES] | None = None  # type: ignore[valid-type]


class PartnersWithProps(_Props):
    agreement: str | None = None
    since: PartialDate | None = None


class PartOfProps(_Props):
    role: str | None = None


class FundsProps(_Props):
    percentage: float | None = Field(default=None, ge=0, le=100)


class AllocatedToProps(_Props):
    """A share of a figure that the source itself states for a country or body (never computed here)."""

    percentage: float | None = Field(default=None, ge=0, le=100)
    amount: Decimal | None = Field(default=None, ge=0)
    note: str | None = None

    @model_validator(mode="after")
    def _stated(self) -> AllocatedToProps:
        if self.percentage is None and self.amount is None:
            raise ValueError("an ALLOCATED_TO share needs the stated percentage or amount")
        return self


class AuthorizedByProps(_Props):
    how: Literal[vocab.AUTHORIZATION_KINDS] | None = None  # type: ignore[valid-type]


class SponsoredProps(_Props):
    role: Literal[vocab.SPONSOR_ROLES]  # type: ignore[valid-type]
    date: PartialDate | None = None


class HoldsPositionProps(_Props):
    title: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    since: PartialDate | None = None
    until: PartialDate | None = None


class ProducedProps(_Props):
    kind: Literal[vocab.OUTCOME_KINDS] | None = None  # type: ignore[valid-type]


class SeatProps(_Props):
    city: str | None = None


class LocatedInProps(_Props):
    city: str | None = None
    role: str | None = None


TYPE_PROPS: dict[str, type[_Props]] = {
    "PART_OF": PartOfProps,
    "MEMBER_OF": MemberOfProps,
    "PARTICIPATES_IN": ParticipatesInProps,
    "OPERATES_IN": OperatesInProps,
    "ADVANCES": EmptyProps,
    "ADDRESSES": EmptyProps,
    "PROVIDES": EmptyProps,
    "FUNDS": FundsProps,
    "RECEIVED_BY": EmptyProps,
    "ATTENDED": AttendedProps,
    "OF": EmptyProps,
    "PARTNERS_WITH": PartnersWithProps,
    "AUTHORIZED_BY": AuthorizedByProps,
    "ENACTED_BY": EmptyProps,
    "ALLOCATED_TO": AllocatedToProps,
    "PROPOSED_BY": EmptyProps,
    "ACTION_ON": EmptyProps,
    "SPONSORED": SponsoredProps,
    "HOLDS_POSITION": HoldsPositionProps,
    "HOSTED_BY": EmptyProps,
    "PRODUCED": ProducedProps,
    "HEADQUARTERED_IN": SeatProps,
    "LOCATED_IN": LocatedInProps,
}
assert set(LABEL_PROPS) == set(vocab.NODE_LABELS)
assert set(TYPE_PROPS) == set(vocab.RELATIONSHIP_TYPES)


def _plain(value: Any) -> PropertyValue:
    """Neo4j and GraphML take floats, not Decimals; everything else passes as it is."""
    if isinstance(value, Decimal):
        return float(value)
    return value


class NodeRecord(BaseModel):
    """One node: common fields plus the label's own properties (validated against `LABEL_PROPS`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: NodeId
    label: Literal[vocab.NODE_LABELS]  # type: ignore[valid-type]
    name: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    aliases: tuple[str, ...] = ()
    description: str | None = None
    sources: tuple[NodeId, ...] = Field(default=(), validate_default=True)
    properties: dict[str, PropertyValue] = Field(default_factory=dict)

    @field_validator("sources")
    @classmethod
    def _sourced(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if info.data.get("label") != "Source" and not value:
            raise ValueError("every node must name at least one source")
        return value

    @model_validator(mode="after")
    def _check(self) -> NodeRecord:
        prefix = vocab.ID_PREFIXES[self.label]
        if not self.id.startswith(prefix + ":"):
            raise ValueError(f"id {self.id!r} of a {self.label} must start with '{prefix}:'")
        checked = LABEL_PROPS[self.label].model_validate(self.properties)
        cleaned = {k: _plain(v) for k, v in checked.model_dump(exclude_none=True).items()}
        object.__setattr__(self, "properties", cleaned)
        return self

    @property
    def is_actor(self) -> bool:
        return self.label in vocab.ACTOR

    def neo4j_properties(self) -> dict[str, PropertyValue]:
        """Every property as stored on the node (lists for aliases and sources)."""
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "description": self.description,
            "sources": list(self.sources),
            **self.properties,
        }


class EdgeRecord(BaseModel):
    """One relationship, directed `start -> end`, with the type's own properties."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    type: Literal[vocab.RELATIONSHIP_TYPES]  # type: ignore[valid-type]
    start: NodeId = Field(alias="from")
    end: NodeId = Field(alias="to")
    sources: tuple[NodeId, ...]
    properties: dict[str, PropertyValue] = Field(default_factory=dict)

    @field_validator("sources")
    @classmethod
    def _sourced(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("every relationship must name at least one source")
        return value

    @model_validator(mode="after")
    def _check(self) -> EdgeRecord:
        if self.start == self.end:
            raise ValueError(f"a {self.type} relationship cannot link {self.start} to itself")
        checked = TYPE_PROPS[self.type].model_validate(self.properties)
        cleaned = {k: _plain(v) for k, v in checked.model_dump(exclude_none=True).items()}
        object.__setattr__(self, "properties", cleaned)
        return self

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity of the relationship: two records with one key are one relationship (MERGE semantics).

        The type's merge key (`vocabulary.MERGE_KEYS`) is part of it, so an actor can both fund and implement a
        program and a person can hold two titles in one government.
        """
        merge_key = vocab.MERGE_KEYS.get(self.type)
        return (self.start, self.type, self.end, str(self.properties.get(merge_key, "")) if merge_key else "")

    def neo4j_properties(self) -> dict[str, PropertyValue]:
        return {"sources": list(self.sources), **self.properties}
