"""`fundingAggregate`: totals of `amountUsd` grouped by dimensions, never mixing flow types, periods that could
overlap, or stated with estimated money without saying so. The rules live in `analysis.money`."""

from __future__ import annotations

import enum

import strawberry
from strawberry.types import Info

from analysis import money
from graph_seed import vocabulary as vocab
from resolvers import aggregates
from schema.context import GraphQLContext
from schema.filters import FundingWhere, to_dict
from schema.network import request_graph_version
from schema.types import Entity, load_node

FlowType = strawberry.enum(  # type: ignore[call-overload]  # the functional Enum API is invisible to mypy
    enum.Enum("FlowType", {f.upper().replace("-", "_"): f for f in vocab.FLOW_TYPES}),
    description="What a funding figure is: appropriated, obligated, disbursed... Never summed across kinds.",
)


@strawberry.enum(description="A dimension to group Funding totals by.")
class FundingDimension(enum.Enum):
    FLOW_TYPE = "flowType"
    FISCAL_YEAR = strawberry.enum_value(
        "fiscalYear", description="The figure's period as what it is: FY2016, FY2016-FY2018 (a range), FY2010- or "
                                  "-FY2022 (open-ended), cumulative FY2010-FY2018, or undated.")
    COUNTRY = strawberry.enum_value(
        "country", description="A Government, or an intergovernmental body a source states a share for.")
    FUNDER = "funder"
    RECIPIENT = "recipient"
    PROGRAM = "program"
    OBJECTIVE = "objective"
    FOCUS_AREA = "focusArea"


@strawberry.enum(description="What period a figure covers.")
class PeriodKind(enum.Enum):
    YEAR = strawberry.enum_value("year", description="One fiscal year (fiscalYear, or the year of date).")
    RANGE = strawberry.enum_value("range", description="A closed multi-year span (fiscalYearStart..fiscalYearEnd).")
    OPEN = strawberry.enum_value("open", description="A span with one end missing: since 2010, through 2022.")
    UNDATED = strawberry.enum_value("undated", description="No year at all.")
    CUMULATIVE = strawberry.enum_value("cumulative", description="A running total a source states (cumulative).")


NODE_DIMENSIONS = frozenset({"country", "funder", "recipient", "program", "objective", "focusArea"})

AGGREGATE_DESCRIPTION = (
    "Funding totals (sum of amountUsd), counts, min and max, grouped by the given dimensions. RULES: figures of "
    "different flowTypes are never summed together: unless you pick one `flowType`, FLOW_TYPE is always a grouping "
    "key (added first if you left it out). Periods: FISCAL_YEAR keys each figure as what it is (FY2016, "
    "FY2016-FY2018, FY2010-, -FY2022, cumulative ..., undated); only the `periods` kinds are summed - by default "
    "every kind but CUMULATIVE when grouping by FISCAL_YEAR, else YEAR only (a multi-year or cumulative figure "
    "would overlap annual ones); `leftOut` says what was not summed. Countries: a source's stated shares "
    "(ALLOCATED_TO) first, then the funded programs' OPERATES_IN percentages, then an equal split, which is "
    "an estimate: each group says how much is `statedUsd` and `estimatedUsd`; `includeEstimates: false` leaves "
    "estimates out. Grouped by RECIPIENT, a recipient that also provides the figure (self-funding) is left out "
    "with reason `self-funding`. Shares add up to the real total, never more. `count` counts distinct Fundings; "
    "`min`/`max` are whole Funding amounts; Fundings without amountUsd are only counted in `unconvertedCount`. "
    "The same rules as `cbsi-graph analyze concentration` and `funding-by-year` (analysis/money.py)."
)


@strawberry.type(description="The period of a FISCAL_YEAR key: its kind and first and last fiscal years.")
class FundingPeriod:
    kind: PeriodKind
    start: int | None
    end: int | None


@strawberry.type(description="One grouping key's value: an id and name for node dimensions, else the value.")
class FundingGroupKey:
    dimension: FundingDimension
    value: str | None
    name: str | None

    @strawberry.field(description="The node for node dimensions (country, funder, program...), else null.")
    async def node(self, info: Info[GraphQLContext, None]) -> Entity | None:
        if self.dimension.value not in NODE_DIMENSIONS:
            return None
        return await load_node(info, self.value)

    @strawberry.field(description="For FISCAL_YEAR: the period the key stands for; else null.")
    def period(self) -> FundingPeriod | None:
        if self.dimension is not FundingDimension.FISCAL_YEAR or self.value is None:
            return None
        found = money.period_from_key(self.value)
        return FundingPeriod(kind=PeriodKind(found.kind), start=found.start, end=found.end)


@strawberry.type(description="Totals for one combination of key values.")
class FundingGroup:
    key: list[FundingGroupKey]
    total_usd: float = strawberry.field(description="Sum of (shares of) amountUsd in US dollars: stated + estimated.")
    stated_usd: float = strawberry.field(
        description="The part of totalUsd a source states: a whole figure, or a stated share or percentage.")
    estimated_usd: float = strawberry.field(
        description="The part of totalUsd that comes from an equal split over several countries, programs, "
                    "funders... (an estimate, not a source's figure).")
    count: int = strawberry.field(description="Distinct Fundings in the group (with or without amountUsd).")
    unconverted_count: int = strawberry.field(description="Fundings without amountUsd: counted, never summed.")
    min_usd: float | None
    max_usd: float | None
    flow_type: str | None = strawberry.field(description="The flow type of every figure in this group.")


@strawberry.type(description="Money the aggregate did not sum, and why.")
class LeftOutFunding:
    reason: str = strawberry.field(description="A period kind not asked for (range, open, undated, cumulative, "
                                               "year), `estimated` (includeEstimates: false), or `self-funding` "
                                               "(grouped by RECIPIENT: the share a figure's own provider "
                                               "receives, a loop; left out as analysis leaves it out of "
                                               "implementer rankings).")
    flow_type: str
    count: int = strawberry.field(description="Distinct Fundings (wholly or partly) left out.")
    total_usd: float = strawberry.field(description="USD left out (the estimated shares, for `estimated`).")
    funding_ids: list[str] = strawberry.field(description="Graph ids of those Fundings.")


@strawberry.type(description="Funding totals, the grouping keys actually used, and what was left out.")
class FundingAggregate:
    group_by: list[FundingDimension]
    flow_type: FlowType | None  # type: ignore[valid-type]
    periods: list[PeriodKind] = strawberry.field(description="The period kinds summed.")
    include_estimates: bool
    groups: list[FundingGroup]
    left_out: list[LeftOutFunding] = strawberry.field(description="What was not summed: never dropped silently.")


async def funding_aggregate_field(
    info: Info[GraphQLContext, None],
    group_by: list[FundingDimension],
    where: FundingWhere | None,  # type: ignore[valid-type]
    flow_type: FlowType | None,  # type: ignore[valid-type]
    periods: list[PeriodKind] | None = None,
    include_estimates: bool = True,
) -> FundingAggregate:
    chosen = flow_type.value if flow_type else None  # type: ignore[attr-defined]
    result = await aggregates.SHARED.get(
        info.context.runner, await request_graph_version(info), [d.value for d in group_by],
        to_dict(where) if where else None, chosen, None if periods is None else [str(p.value) for p in periods],
        include_estimates)
    out = []
    for group in result.groups:
        keys = [FundingGroupKey(dimension=FundingDimension(d), value=v, name=n) for d, v, n in group.key]
        out.append(FundingGroup(
            key=keys, total_usd=round(group.total_usd, 2), stated_usd=round(group.stated_usd, 2),
            estimated_usd=round(group.estimated_usd, 2), count=group.count,
            unconverted_count=len(group.unconverted), min_usd=group.min_usd, max_usd=group.max_usd,
            flow_type=chosen or group.value("flowType"),
        ))
    left = [LeftOutFunding(reason=x.reason, flow_type=x.flow_type, count=len(x.fundings),
                           total_usd=round(x.amount_usd, 2), funding_ids=sorted(x.fundings)) for x in result.left_out]
    return FundingAggregate(
        group_by=[FundingDimension(d) for d in result.dims], flow_type=flow_type,
        periods=[PeriodKind(k) for k in money.PERIOD_KINDS if k in result.period_kinds],
        include_estimates=include_estimates, groups=out, left_out=left)
