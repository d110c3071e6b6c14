"""Hypothesis profiles, chosen by the HYPOTHESIS_PROFILE environment variable.

- `ci` (`make test`, `.ci/run`): every property and fuzz test runs as many examples as it asks
  for through `examples(n)`: the numbers the suite was written with.
- `dev` (the default, and `make test-fast`): at most DEV_EXAMPLES examples a test, for a quick
  local run that still tries each strategy.

An explicit `@settings(max_examples=...)` wins over any profile, so tests ask for their number
through `examples(n)`, which the loaded profile caps.
"""

from __future__ import annotations

import os

from hypothesis import settings

DEV_EXAMPLES = 10

settings.register_profile("ci", settings())
settings.register_profile("dev", max_examples=DEV_EXAMPLES)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "").strip() or "dev"
settings.load_profile(PROFILE)


def examples(wanted: int) -> int:
    """How many examples a test asking for `wanted` runs under the loaded profile."""
    return wanted if PROFILE == "ci" else min(wanted, settings.default.max_examples)
