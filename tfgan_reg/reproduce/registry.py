"""The registry of claims: `Claim`, `register`, `get`, and the verdicts.

A `Claim` names its paper (the short name its id starts with, `PAPERS`), where the claim
stands (section, table, figure), what the paper states and reports, the experiment that tests
it, and `verdict(result)`: a rule over the numbers the experiment returns, written before the
run and never adjusted after it. A claim that needs a GPU or an online data set (`gpu=True`)
is not run: the report lists its command and the paper's number.
"""
import contextlib
import dataclasses
import json
import math
import os
import time
import warnings
from typing import Callable

try:
    import fcntl
except ImportError:  # not POSIX: sub-runs are not locked (one worker at a time is safe)
    fcntl = None

import numpy as np

from tfgan_reg import checks

REPRODUCED, PARTLY, NOT_REPRODUCED = "reproduced", "partly", "not reproduced"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED)
# What a claim whose sanity gate failed is reported as: apart, never counted as a verdict.
INCONCLUSIVE = "inconclusive (not trained enough)"
OUTCOMES = VERDICTS + (INCONCLUSIVE,)
# What a record says of a claim that is listed, not run, and of one whose run raised.
NEEDS_A_GPU, ERROR = "needs a GPU", "error"

# The papers whose claims are registered, by the short name that starts a claim id
# (`icr.quadratic`), and how the report cites them; docs/PAPERS.md has the references.
PAPERS = {
    "dragan": "Kodali et al. 2017",
    "roth": "Roth et al. 2017",
    "mescheder": "Mescheder et al. 2018",
    "icr": "Schaefer et al. 2020",
    "zerogp": "Li et al. 2019",
}
# Old claim-id prefix -> new, for one release (until tfgan_reg 0.2): the ids named the papers
# by number before docs/PAPERS.md named them. The part after the dot is unchanged.
RENAMED = {"seed000": "dragan", "seed001": "roth", "seed002": "mescheder", "seed003": "icr",
           "seed004": "zerogp"}


@dataclasses.dataclass(frozen=True)
class Context:
    """What an experiment is given: a directory for its runs (`out`, not kept in git), one for
    the pictures the report shows (`pictures`), the seeds to run over, and whether to run at
    reduced size (`quick`, a smoke test whose verdict does not count). The runner keys `out`
    by the hash of the claim's setup (`out/runs/<setup hash>/<claim id>`), so a changed setup
    never reads the sub-runs of the old one; `shared(name)` is a directory for runs shared by
    the claims of one setup. `tag` starts every log line (the claim id, when claims run in
    parallel)."""
    out: str
    pictures: str
    seeds: tuple
    quick: bool = False
    verbose: bool = True
    tag: str = ""

    def picture(self, name):
        """The path of a picture of this claim (its directory is created)."""
        os.makedirs(self.pictures, exist_ok=True)
        return os.path.join(self.pictures, name)

    def shared(self, name):
        """The directory `name` next to this claim's runs, shared with the other claims whose
        setup hashes the same (so with the same setup)."""
        return os.path.join(os.path.dirname(os.path.abspath(self.out)), name)

    def log(self, message):
        if self.verbose:
            print(f"  {self.tag + ': ' if self.tag else ''}{message}", flush=True)


@dataclasses.dataclass(frozen=True)
class Revision:
    """A change to a claim after a full run of it: what changed (`changed`: the rule, the
    setup, or both), why, and the verdict before (`before`, with its figures and the commit of
    the record it came from). The report shows every revision under its claim."""
    changed: str
    why: str
    before: str
    old_rule: str = ""


@dataclasses.dataclass(frozen=True)
class Claim:
    """One claim of a paper. `experiment(ctx)` returns a JSON-able dict whose `"ours"` entry is
    a one-line summary of our numbers and `"pictures"` the paths it drew; `verdict(result)`
    returns (verdict, reason) from that dict alone. `rule` says the verdict rule in words;
    `diagnosis` says why a claim does not reproduce, once that is known. The id is
    `<paper>.<claim>`, `<paper>` a key of `PAPERS`."""
    id: str
    where: str
    statement: str
    paper: str
    setup: str
    rule: str
    experiment: Callable = None
    verdict: Callable = None
    gpu: bool = False
    command: str = ""
    diagnosis: str = ""
    # `config()` returns every setting the experiment uses (an ml_collections ConfigDict or a
    # dict, built from configs/), hashed into the record so a changed setup is never reused.
    config: Callable = None
    # `gate(result)` -> (passed, reason): a sanity check fixed before the run (e.g. every
    # model beats the noise baseline); a failed gate makes the claim INCONCLUSIVE.
    gate: Callable = None
    gate_rule: str = ""
    # A row that tests on data or settings the paper has no experiment for: reported apart.
    beyond_paper: bool = False
    # The seeds the rule was written for (its power); None: the runner's `--seeds`.
    seeds: tuple = None
    history: tuple = ()  # `Revision`s, oldest first
    # The measured (or, said so in `setup`, estimated) CPU-hours of the full run on one core:
    # the runner schedules the longest claims first over its `--jobs` workers.
    cpu_hours: float = 0.0

    @property
    def citation(self):
        """The paper's short citation (`PAPERS`), e.g. "Roth et al. 2017"."""
        return PAPERS[self.id.partition(".")[0]]


_REGISTRY = {}


def register(claim):
    """Adds `claim` to the registry (ids are unique); returns it."""
    paper, dot, _ = claim.id.partition(".")
    if paper not in PAPERS or not dot:
        raise ValueError(f"Claim id {claim.id!r} must start with a paper of "
                         f"{sorted(PAPERS)} and a dot.")
    if claim.id in _REGISTRY:
        raise ValueError(f"Claim id {claim.id!r} is registered twice.")
    if not claim.gpu and (claim.experiment is None or claim.verdict is None):
        raise ValueError(f"Claim {claim.id!r} runs on this machine: it needs an experiment "
                         f"and a verdict rule.")
    _REGISTRY[claim.id] = claim
    return claim


def claims():
    """Every registered claim, in registration order."""
    return dict(_REGISTRY)


def current_id(claim_id):
    """`claim_id`, or the registered new id of an old one (`RENAMED`) with a `FutureWarning`."""
    paper, dot, rest = claim_id.partition(".")
    new = RENAMED.get(paper, paper) + dot + rest
    if new == claim_id or new not in _REGISTRY:
        return claim_id
    # stacklevel=1: one location, so Python's default filter prints each id once per process.
    warnings.warn(f"Claim id {claim_id!r} is now {new!r} (docs/PAPERS.md); the old id works "
                  f"until tfgan_reg 0.2.", FutureWarning, stacklevel=1)
    return new


def old_id(claim_id):
    """The id `claim_id` had before the papers were named (`RENAMED`), or None."""
    paper, dot, rest = claim_id.partition(".")
    old = {new: old for old, new in RENAMED.items()}.get(paper)
    return old and old + dot + rest


def get(ids):
    """The claims named in `ids` (all when empty), checked against the registry; an old id
    (`RENAMED`) warns and names its claim."""
    every = claims()
    ids = [checks.choice("claims", current_id(i), list(every)) for i in ids or ()]
    return [every[i] for i in ids] if ids else list(every.values())


def mean_sd(values):
    """`mean +- sd (v1, v2, ...)` of per-seed values, for the report."""
    v = np.asarray(values, np.float64)
    per = ", ".join(f"{x:.3g}" for x in v)
    return f"{v.mean():.3g} +- {v.std():.2g} ({per})"


def most(n):
    """The seeds a "most seeds" rule needs: 4 of 5 (80 %, rounded up)."""
    return math.ceil(0.8 * n)


def few(n):
    """The seeds a "few seeds" rule allows: 1 of 5 (20 %, rounded down)."""
    return n // 5


def majority(n):
    """More than half of `n` seeds."""
    return n // 2 + 1


# The sub-runs of the claim being run in this process, in order: dicts of name, seconds (wall
# time when it ran), cpu_seconds and reused. The runner clears it before an experiment and
# stores it in the record.
SUBRUNS = []


def subrun(name, path, compute):
    """The JSON-able result of `compute()`, cached at `path` with its compute time, so a
    resumed experiment reads it back instead of rerunning it; either way the sub-run and its
    compute time (measured when it ran) are added to `SUBRUNS`. While it computes, `path` is
    locked: a claim in another worker that needs the same sub-run waits and reads it back."""
    with _locked(path + ".lock"):
        cached = read_json(path)
        if cached is not None and "seconds" in cached and "value" in cached:
            SUBRUNS.append(dict(name=name, seconds=cached["seconds"],
                                cpu_seconds=cached.get("cpu_seconds"), reused=True))
            return cached["value"]
        started = time.process_time(), time.time()
        value = compute()
        seconds = round(time.time() - started[1], 2)
        cpu_seconds = round(time.process_time() - started[0], 2)
        write_json(path, {"value": value, "seconds": seconds, "cpu_seconds": cpu_seconds})
    SUBRUNS.append(dict(name=name, seconds=seconds, cpu_seconds=cpu_seconds, reused=False))
    return value


@contextlib.contextmanager
def _locked(path):
    """Holds an exclusive lock on the file `path` while entered (waiting for it)."""
    if fcntl is None:
        yield
        return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def json_default(value):
    """A numpy number or array as JSON (for `json.dump(..., default=json_default)`)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON-able: {type(value).__name__}")


def read_json(path):
    """The JSON value in `path`, or None when there is none (a run not finished yet)."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def write_json(path, value):
    """Writes `value` to `path` whole or not at all (numpy numbers as floats), so an
    interrupted experiment never leaves half a result to resume from."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f, default=float)
    os.replace(tmp, path)
