"""The papers' results, not only their formulas: `python -m tfgan_reg.reproduce`.

Every claim of the seed papers that this machine can test is registered with a verdict rule
fixed in code before its run (`registry`); `runner.run` executes them, resuming, and writes
`REPORT.md` and `report.json`. The claims live in one module per family of experiments;
importing this package registers them all.
"""
from tfgan_reg.reproduce import registry
from tfgan_reg.reproduce import runner
from tfgan_reg.reproduce import dynamics_claims  # noqa: F401  (registers its claims)
from tfgan_reg.reproduce import roth_claims  # noqa: F401  (registers its claims)
from tfgan_reg.reproduce import toy_claims  # noqa: F401  (registers its claims)
from tfgan_reg.reproduce import icr_claims  # noqa: F401  (registers its claims)
from tfgan_reg.reproduce import dragan_claims  # noqa: F401  (registers its claims)
from tfgan_reg.reproduce import gpu_claims  # noqa: F401  (listed, not run: they need a GPU)

run = runner.run
get = registry.get
