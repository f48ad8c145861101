"""Planted claims for the runner's tests (`test_reproduce_runner.py`): module-level functions,
so `--jobs` workers can unpickle them, that load no TensorFlow. Each experiment caches one
sub-run per seed (`registry.subrun`) and writes when it ran into `interval.json` of its runs."""
import json
import os
import time

import tfgan_reg.reproduce.registry as registry
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, REPRODUCED

PAPER = {"p": "Planted et al. 2099"}
PAUSE = 1.0  # seconds an experiment sleeps: long enough for two workers to overlap


def experiment(ctx):
    """Value 7 + the seeds' sub-run values; sleeps `PAUSE`, records its interval."""
    started = time.time()
    values = [registry.subrun(f"seed{s}", os.path.join(ctx.out, f"seed{s}.json"),
                              lambda s=s: s * 10) for s in ctx.seeds]
    time.sleep(PAUSE)
    with open(os.path.join(ctx.out, "interval.json"), "w") as f:
        json.dump([started, time.time(), os.getpid(), os.environ.get("TF_NUM_INTRAOP_THREADS")],
                  f)
    path = ctx.picture("samples.png")
    with open(path, "wb") as f:
        f.write(b"\x89PNG")
    return {"ours": f"value 7, sub-runs {values}", "value": 7, "subruns": values,
            "trained": not ctx.quick, "pictures": [path]}


def crash(ctx):
    del ctx
    raise RuntimeError("planted crash")


def dies(ctx):
    del ctx
    os._exit(3)  # pylint: disable=protected-access  (a worker killed mid-claim)


def forever(ctx):
    """Writes its process id to `pid` in its runs, then sleeps until stopped."""
    with open(os.path.join(ctx.out, "pid"), "w") as f:
        f.write(str(os.getpid()))
    time.sleep(600)


def verdict(result):
    if result["value"] == 7:
        return REPRODUCED, "value is 7"
    return NOT_REPRODUCED, f"value is {result['value']}"


def gate(result):
    """Passes when the planted run says it trained."""
    return bool(result["trained"]), "trained" if result["trained"] else "not trained"


def claim(name, **kwargs):
    """A planted claim `p.<name>` with the experiment, verdict and words above."""
    fields = dict(id=f"p.{name}", where="Table 9", statement=f"claim {name}", paper="7",
                  setup="planted", rule="reproduced when value is 7", experiment=experiment,
                  verdict=verdict)
    fields.update(kwargs)
    return registry.Claim(**fields)
