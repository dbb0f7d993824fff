"""The settings of the API fuzzing run (tests/fuzz/test_api_fuzz.py), fixed once per pytest process.

No Django here: the root conftest prints them in the report header and the summary, so that a
failure of the random run can be replayed (docs/security.md, "API fuzzing").

* ``FUZZ_EXAMPLES``: random cases per operation in each run (default ``DEFAULT_EXAMPLES``);
* ``FUZZ_SEED``: the seed of the fixed run (default ``DEFAULT_SEED``): the same cases every time;
* ``FUZZ_RANDOM_SEED``: the seed of the second run, new for each run unless given.

The cases of an operation depend only on the seed and the operation (schemathesis derives one
seed per operation), so ``FUZZ_SEED=<the random run's seed>`` replays the random run's cases in
the fixed run (which also runs the coverage phase), and ``FUZZ_RANDOM_SEED=<it>`` in the random run.
"""

import os
import secrets

DEFAULT_EXAMPLES = 100
DEFAULT_SEED = 20260905

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or DEFAULT_EXAMPLES)
FIXED_SEED = int(os.environ.get("FUZZ_SEED") or DEFAULT_SEED)
RANDOM_SEED = int(os.environ.get("FUZZ_RANDOM_SEED") or secrets.randbelow(2**32))
# Drawn once per run: the pytest-xdist workers, started after the main process read this, inherit
# it through the environment, so that every worker fuzzes with the seed the report header prints.
os.environ["FUZZ_RANDOM_SEED"] = str(RANDOM_SEED)


def replay(seed: int) -> str:
    """The command that sends the same fuzzed cases again."""
    return f"FUZZ_SEED={seed} FUZZ_EXAMPLES={EXAMPLES} .venv/bin/pytest tests/fuzz -k fixed_seed"


def describe() -> list[str]:
    return [
        f"API fuzzing: {EXAMPLES} random cases per operation and run, each sent as every role; "
        f"fixed seed {FIXED_SEED}, random seed {RANDOM_SEED}",
        f"API fuzzing: replay the random run with: {replay(RANDOM_SEED)}",
    ]
