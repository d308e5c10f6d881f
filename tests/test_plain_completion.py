"""Plain subtrees are completed in one walk (`schema/plain_completion.py`) with exactly the answer and the errors
graphql-core's field-by-field completion gives: each query runs on a toy Strawberry schema twice, once with
Strawberry's own executor and once with ours, and the two results must be equal, key order included."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import field
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.types import Info

from schema.execution import AcyclicExecution


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Period:
    start: int
    end: int | None


@strawberry.type
class Row:
    name: str
    amount: float
    count: int
    colour: Colour
    tags: list[str]
    period: Period | None = None

    @strawberry.field
    def label(self) -> str:
        return f"{self.name}:{self.count}"

    @strawberry.field
    def greeting(self, info: Info) -> str:  # takes `info`: not plain, resolved by the executor
        return f"hello {self.name}"


@strawberry.type
class Report:
    rows: list[Row]
    strict: list[Row] = field(default_factory=list)  # a list of non-null rows (a null in it is an error)
    numbers: list[int] = field(default_factory=list)


def good_rows() -> list[Row]:
    return [Row(name=f"r{i}", amount=i * 1.5, count=i, colour=Colour.RED if i % 2 else Colour.BLUE,
                tags=[f"t{i}", "x"], period=Period(start=2000 + i, end=None if i % 2 else 2010 + i))
            for i in range(50)]


STATE: dict[str, Any] = {}


@strawberry.type
class Query:
    @strawberry.field
    def report(self) -> Report:
        return STATE["report"]

    @strawberry.field
    def rows(self) -> list[Row]:
        return STATE["report"].rows


class ResolveHook(SchemaExtension):
    """A schema extension that wraps every resolver: no field is walked past it."""

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        return _next(root, info, *args, **kwargs)


STOCK = strawberry.Schema(query=Query)
OURS = strawberry.Schema(query=Query, execution_context_class=AcyclicExecution)
OURS_HOOKED = strawberry.Schema(query=Query, execution_context_class=AcyclicExecution, extensions=[ResolveHook])

ROWS = "name amount count colour tags label period { start end }"


@pytest.fixture
def report() -> Iterator[Report]:
    STATE["report"] = Report(rows=good_rows(), strict=good_rows()[:3], numbers=[1, 2, 3])
    yield STATE["report"]
    STATE.clear()


def answer(schema: strawberry.Schema, query: str) -> tuple[str, list[tuple[str, list[str | int] | None]]]:
    result = schema.execute_sync(query)
    errors = [(error.message, error.path) for error in result.errors or []]
    return json.dumps(result.data), errors  # json.dumps keeps the key order


def walked(schema: strawberry.Schema, query: str) -> int:
    before = AcyclicExecution.plain_completions
    schema.execute_sync(query)
    return AcyclicExecution.plain_completions - before


def same(query: str) -> None:
    assert answer(OURS, query) == answer(STOCK, query)


def test_a_plain_subtree_is_walked_once_and_answers_as_the_executor_does(report: Report) -> None:
    query = f"{{ report {{ rows {{ {ROWS} }} numbers }} }}"
    same(query)
    assert walked(OURS, query) == 1  # the whole report, rows and periods included, in one walk
    data = json.loads(answer(OURS, query)[0])
    assert data["report"]["rows"][1] == {"name": "r1", "amount": 1.5, "count": 1, "colour": "RED",
                                         "tags": ["t1", "x"], "label": "r1:1", "period": {"start": 2001, "end": None}}


def test_aliases_typename_fragments_and_skip_include_are_kept(report: Report) -> None:
    same("""{ report { first: rows { n: name __typename ...F name @include(if: true) count @skip(if: true) }
                       again: rows { period { __typename start } } } }
            fragment F on Row { colour tags label amount }""")
    same("{ rows { name @include(if: false) count @skip(if: false) } }")


def test_a_field_with_a_resolver_that_takes_info_is_left_to_the_executor(report: Report) -> None:
    query = "{ report { rows { name greeting } } }"
    same(query)
    assert walked(OURS, query) == 0  # `greeting` takes info: the rows are completed field by field
    assert walked(OURS, "{ report { rows { name period { start } } } }") == 1


def test_a_null_in_a_non_null_place_falls_back_with_the_executors_error(report: Report) -> None:
    report.strict[1] = None  # type: ignore[call-overload]
    report.rows[2].name = None  # type: ignore[assignment]
    query = f"{{ report {{ strict {{ name }} rows {{ {ROWS} }} }} }}"
    same(query)
    data, errors = answer(OURS, query)
    assert data == "null" and errors and errors[0][1] == ["report", "strict", 1]
    # the list's walk gave up; the executor then completed rows 0 and 1 (each walked) and stopped at row 2's null
    assert walked(OURS, "{ rows { name } }") == 2


def test_a_value_that_does_not_coerce_falls_back_with_the_executors_error(report: Report) -> None:
    report.rows[3].count = "many"  # type: ignore[assignment]
    same("{ rows { name count } }")
    _, errors = answer(OURS, "{ rows { name count } }")
    assert errors and errors[0][1] == ["rows", 3, "count"]


def test_a_list_that_is_an_iterator_is_not_used_up_by_a_walk(report: Report) -> None:
    report.rows[0].tags = iter(["a", "b"])  # type: ignore[assignment]
    period = report.rows[0].period
    assert period is not None
    period.end = "later"  # type: ignore[assignment]  # fails after the tags: the walk falls back there
    data, errors = answer(OURS, "{ rows { tags period { end } } }")
    assert json.loads(data)["rows"][0] == {"tags": ["a", "b"], "period": {"end": None}}
    assert [path for _message, path in errors] == [["rows", 0, "period", "end"]]


def test_a_schema_extension_that_wraps_resolvers_turns_the_walk_off(report: Report) -> None:
    query = f"{{ report {{ rows {{ {ROWS} }} }} }}"
    assert answer(OURS_HOOKED, query) == answer(STOCK, query)
    assert walked(OURS_HOOKED, query) == 0
