"""Response bodies: orjson's bytes are the JSON the standard encoder gives, and what orjson refuses still encodes."""

from __future__ import annotations

import json

from app.response_json import encode_response


def test_same_values_as_the_standard_encoder() -> None:
    data = {"data": {"governments": {"edges": [{"node": {"graphId": "gov:JM", "name": "Jamaica", "n": 3,
                                                           "share": 0.25, "aliases": ["JA"], "x": None}}]}},
            "errors": [{"message": "é «quoted» \"text\"", "path": ["a", 0]}]}
    assert json.loads(encode_response(data)) == data
    assert encode_response(data) == json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def test_integers_beyond_64_bits_fall_back_to_the_standard_encoder() -> None:
    data = {"data": {"big": 2**70, "small": -(2**65)}}
    assert json.loads(encode_response(data)) == data
