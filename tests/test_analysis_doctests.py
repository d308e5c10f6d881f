"""The Examples in the analysis docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "analysis", "analysis.affiliation", "analysis.brokerage", "analysis.centrality", "analysis.communities",
    "analysis.concentration", "analysis.export", "analysis.funding", "analysis.paths", "analysis.projection",
    "analysis.results", "analysis.slicing",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
