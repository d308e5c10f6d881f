"""`fundingAggregate`: totals of `amountUsd` grouped by dimensions, never mixing flow types."""

from __future__ import annotations

import enum

import strawberry
from strawberry.types import Info

from graph_seed import vocabulary as vocab
from resolvers import aggregates
from schema.context import GraphQLContext
from schema.filters import FundingWhere, to_dict
from schema.types import Entity, load_node

FlowType = strawberry.enum(  # type: ignore[call-overload]  # the functional Enum API is invisible to mypy
    enum.Enum("FlowType", {f.upper().replace("-", "_"): f for f in vocab.FLOW_TYPES}),
    description="What a funding figure is: appropriated, obligated, disbursed... Never summed across kinds.",
)


@strawberry.enum(description="A dimension to group Funding totals by.")
class FundingDimension(enum.Enum):
    FLOW_TYPE = "flowType"
    FISCAL_YEAR = "fiscalYear"
    COUNTRY = "country"
    FUNDER = "funder"
    RECIPIENT = "recipient"
    PROGRAM = "program"
    OBJECTIVE = "objective"
    FOCUS_AREA = "focusArea"


NODE_DIMENSIONS = frozenset({"country", "funder", "recipient", "program", "objective", "focusArea"})

AGGREGATE_DESCRIPTION = (
    "Funding totals (sum of amountUsd), counts, min and max, grouped by the given dimensions. "
    "RULE: figures of different flowTypes are never summed together; unless you pick one `flowType`, "
    "FLOW_TYPE is always one of the grouping keys (added first if you left it out). "
    "Multi-valued dimensions split a Funding's amount in shares (programs by FUNDS percentage, countries by "
    "OPERATES_IN percentage, else equally), so a grouping's totals add up to the real total. `count` counts "
    "distinct Fundings; `min`/`max` are whole Funding amounts; Fundings without amountUsd are only counted in "
    "`unconvertedCount`."
)


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


@strawberry.type(description="Totals for one combination of key values.")
class FundingGroup:
    key: list[FundingGroupKey]
    total_usd: float = strawberry.field(description="Sum of (shares of) amountUsd in US dollars.")
    count: int = strawberry.field(description="Distinct Fundings in the group (with or without amountUsd).")
    unconverted_count: int = strawberry.field(description="Fundings without amountUsd: counted, never summed.")
    min_usd: float | None
    max_usd: float | None
    flow_type: str | None = strawberry.field(description="The flow type of every figure in this group.")


@strawberry.type(description="Funding totals and the grouping keys actually used.")
class FundingAggregate:
    group_by: list[FundingDimension]
    flow_type: FlowType | None  # type: ignore[valid-type]
    groups: list[FundingGroup]


async def funding_aggregate_field(
    info: Info[GraphQLContext, None],
    group_by: list[FundingDimension],
    where: FundingWhere | None,  # type: ignore[valid-type]
    flow_type: FlowType | None,  # type: ignore[valid-type]
) -> FundingAggregate:
    chosen = flow_type.value if flow_type else None  # type: ignore[attr-defined]
    dims, groups = await aggregates.funding_aggregate(
        info.context.runner, [d.value for d in group_by], to_dict(where) if where else None, chosen
    )
    out = []
    for group in groups:
        keys = [FundingGroupKey(dimension=FundingDimension(d), value=v, name=n) for d, v, n in group.key]
        flow = chosen or next(v for d, v, _n in group.key if d == "flowType")
        out.append(FundingGroup(
            key=keys, total_usd=round(group.total_usd, 2), count=group.count,
            unconverted_count=len(group.unconverted), min_usd=group.min_usd, max_usd=group.max_usd, flow_type=flow,
        ))
    return FundingAggregate(group_by=[FundingDimension(d) for d in dims], flow_type=flow_type, groups=out)
