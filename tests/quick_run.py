"""What the quick run (`make test-fast`, `-m "not slow"`) keeps of a parametrized test."""

from __future__ import annotations

import pytest


def quick_first(*cases) -> list:
    """Cases for `pytest.mark.parametrize` of which the quick run keeps the first: the others
    (more roles, states, endpoints or inputs of the same check) are marked slow, for `make test`.
    A case of several arguments is a tuple, as parametrize takes it."""
    first, *others = cases
    return [
        first,
        *(
            pytest.param(*(case if isinstance(case, tuple) else (case,)), marks=pytest.mark.slow)
            for case in others
        ),
    ]
