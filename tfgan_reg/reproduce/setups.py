"""A claim's setup read from its configs/ file: `<file>:claim[-quick]` gives the claim's own
constants (seeds, lengths, thresholds), `<file>:<run>[-quick]` one of its training runs; the
two together are what the runner hashes into the claim's record."""
import os

from tfgan_reg import config_lib
from tfgan_reg import training
from tfgan_reg.reproduce import registry


def claim_config(config_file, quick=False):
    """The claim's constants."""
    return config_lib.from_file(f"{config_file}:claim" + ("-quick" if quick else ""))


def run_config(config_file, run, seed, quick=False):
    """The config of the training run `run` (a method or setting name) with seed `seed`."""
    config = config_lib.from_file(f"{config_file}:{run}" + ("-quick" if quick else ""))
    config.seed = int(seed)
    return config


def setup_config(config_file, runs="methods"):
    """Every setting of the claim: its constants and each run named in its `runs` list."""
    claim = claim_config(config_file)
    return {"claim": claim.to_dict(),
            "runs": {r: run_config(config_file, r, 0).to_dict() for r in claim[runs]}}


def train(config, workdir):
    """Trains (or resumes) `config` in `workdir`: (its final metrics, "") or, when its losses
    became non-finite (`training.TrainingDiverged`), (None, the reason's first clause)."""
    try:
        return training.train_and_evaluate(config, workdir, verbose=False), ""
    except training.TrainingDiverged as e:
        return None, str(e).split(";")[0]


def scored_run(name, config, workdir, score):
    """One training sub-run, cached (`registry.subrun`, in `workdir`/result.json): `config`
    trained in `workdir`, then `score(workdir)` with "diverged" added."""
    def compute():
        diverged = train(config, workdir)[0] is None
        return dict(score(workdir), diverged=diverged)
    return registry.subrun(name, os.path.join(workdir, "result.json"), compute)


def run_seeds(ctx):
    """The seeds an experiment runs: the runner's (`ctx.seeds`: the claim's own unless
    `--seeds`), only the first in quick mode (a smoke test)."""
    return tuple(ctx.seeds)[:1] if ctx.quick else tuple(ctx.seeds)

