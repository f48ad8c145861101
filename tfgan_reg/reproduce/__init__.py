"""The papers' results, not only their formulas: `python -m tfgan_reg.reproduce`.

Every claim of the five papers (docs/PAPERS.md) that this machine can test is registered with a
verdict rule fixed in code before its run (`registry`); `runner.run` executes them, resuming,
and writes `REPORT.md` and `report.json`. The claims live in one module per family of experiments
(`FAMILIES`); taking any name from this package (`reproduce.run`, `reproduce.get`,
`from tfgan_reg.reproduce import registry`) registers them all. Imported before TensorFlow, the
package loads nothing more (the families load TensorFlow), so that `python -m
tfgan_reg.reproduce` starts it quietly first; with TensorFlow loaded it registers them at once.
"""
import importlib
import sys

# The modules that register claims, one per family of experiments, in report order
# (gpu_claims are listed, not run: they need a GPU).
FAMILIES = ("dynamics_claims", "mescheder_claims", "roth_claims", "roth_cross_claims",
            "dragan_fig8", "toy_table", "zerogp_fig2", "icr_claims", "icr_appendix",
            "dragan_claims", "dragan_swissroll", "dragan_mnist", "zerogp_mnist", "gpu_claims")


def _register_all():
    """Imports `registry`, `runner` and every family (which registers its claims), in that
    order: a family takes `registry` from this package as it loads."""
    registry = importlib.import_module(f"{__name__}.registry")
    runner = importlib.import_module(f"{__name__}.runner")
    globals().update(run=runner.run, get=registry.get)
    for family in FAMILIES:
        importlib.import_module(f"{__name__}.{family}")


def __getattr__(name):
    """`name` (`run`, `get`, or a module of the package) once every family is registered
    (PEP 562: called only for names not yet set)."""
    if name not in ("run", "get", "registry", "runner") + FAMILIES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    _register_all()
    return globals()[name] if name in ("run", "get") else \
        importlib.import_module(f"{__name__}.{name}")


if "tensorflow" in sys.modules:  # nothing to wait for
    _register_all()
