"""Response bodies as JSON bytes: orjson, with the standard encoder for what orjson refuses.

Why: the standard `json` took 22 us to encode a 20-row page, orjson 1.4 us (`docs/benchmarks.md`, session 10); on
the cheapest questions the whole request costs under 1 ms of the server's CPU. orjson refuses integers beyond
64 bits, which the standard encoder writes; both write the same JSON values otherwise (orjson writes UTF-8 where
`json` escapes non-ASCII, and `null` for a NaN, which JSON cannot hold).
"""

from __future__ import annotations

import json

import orjson


def encode_response(data: object) -> bytes:
    """`data` (a GraphQL response) as compact JSON."""
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        return json.dumps(data, separators=(",", ":")).encode()
