"""Generated GraphQL requests for fuzzing the server: valid and invalid operations from the schema, broken
texts, odd variables and raw bodies. Shared by `tests/test_fuzz_http.py` and `bench/fuzz_graphql.py`.

What a response must satisfy (`check_response`): no HTTP 5xx, a JSON body, no `INTERNAL` error code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from schema import build_schema

SDL = build_schema().as_str()
SCALARS = {"JSON": st.text(max_size=8).map(nodes.String)}
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@dataclass(frozen=True)
class Request:
    """One request: a JSON body (`query`, `variables`) or raw bytes."""

    kind: str
    query: str | None = None
    variables: Any = None
    raw: bytes | None = None

    def send(self, url: str, timeout: float) -> httpx.Response:
        if self.raw is not None:
            return httpx.post(url, content=self.raw, headers={"content-type": "application/json"}, timeout=timeout)
        body: dict[str, Any] = {"query": self.query}
        if self.variables is not None:
            body["variables"] = self.variables
        # json.dumps, not httpx's encoder: it writes Infinity and NaN, which Python's json.loads on the server
        # accepts, so they reach the variable coercion too
        return httpx.post(url, content=json.dumps(body).encode(), headers={"content-type": "application/json"},
                          timeout=timeout)


def _mangle(text: str, data: st.DataObject) -> str:
    """The text with a few characters deleted, doubled or replaced: mostly syntax errors."""
    chars = list(text)
    for _ in range(data.draw(st.integers(1, 3))):
        if not chars:
            break
        at = data.draw(st.integers(0, len(chars) - 1))
        action = data.draw(st.sampled_from(["delete", "double", "replace"]))
        if action == "delete":
            del chars[at]
        elif action == "double":
            chars.insert(at, chars[at])
        else:
            chars[at] = data.draw(st.sampled_from(list('{}()[]:$!@."\\ #,=') + ["\u00e9", "\x00", "..."]))
    return "".join(chars)


valid_queries = from_schema(SDL, custom_scalars=SCALARS, mode=Mode.POSITIVE)
invalid_queries = from_schema(SDL, custom_scalars=SCALARS, mode=Mode.NEGATIVE)


@st.composite
def requests(draw: st.DrawFn) -> Request:
    kind = draw(st.sampled_from(["valid", "valid", "invalid", "mangled", "variables", "raw"]))
    if kind == "valid":
        return Request(kind, draw(valid_queries))
    if kind == "invalid":
        return Request(kind, draw(invalid_queries))
    if kind == "mangled":
        return Request(kind, _mangle(draw(valid_queries), draw(st.data())))
    if kind == "variables":
        query = draw(st.sampled_from([
            "query($n: Int!, $w: ProgramWhere) { programs(first: $n, where: $w) { edges { node { name } } } }",
            "query($t: String!, $k: [NodeType!]) { search(text: $t, types: $k) { score node { graphId } } }",
            "query($id: ID!) { node(id: $id) { graphId } }",
        ]))
        variables = draw(st.dictionaries(st.sampled_from(["n", "w", "t", "k", "id", "x"]), JSON_VALUES, max_size=4))
        return Request(kind, query, variables)
    raw = draw(st.binary(max_size=200) | JSON_VALUES.map(lambda v: json.dumps(v).encode()))
    return Request(kind, raw=raw)


def check_response(request: Request, response: httpx.Response) -> None:
    """Assert the response is a client-facing answer: no 5xx, JSON, no INTERNAL error."""
    assert response.status_code < 500, (request, response.status_code, response.text[:500])
    content_type = response.headers.get("content-type", "")
    if response.status_code == 200 or content_type.startswith("application/json"):
        body = response.json()
        for error in body.get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            assert code != "INTERNAL", (request, error)
            assert code, (request, error)  # every error says what kind it is

