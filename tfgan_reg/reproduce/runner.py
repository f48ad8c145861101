"""Runs claims (resuming: a finished claim whose setup and verdict code are unchanged is read
back, not rerun), in this process or over `jobs` worker processes, and writes the report.

Each record (`out/claims/<id>.json`) keeps the audit trail of its run: the commit, the hashes
of the claim's setup and verdict code (`audit`), the gate's result, the diagnosis as it stood,
every sub-run with its compute time (`registry.subrun`), the wall time, the seeds, the date, the
CPU and TensorFlow's version.
"""
import json
import os
import time
import warnings


from tfgan_reg import checks
from tfgan_reg import workdirs
from tfgan_reg.reproduce import audit
from tfgan_reg.reproduce import report as report_lib
# Imported by their full names: `from tfgan_reg.reproduce import registry` would register every
# family (the package's `__getattr__`), loading TensorFlow in a worker before its threads are set.
import tfgan_reg.reproduce.registry as registry
from tfgan_reg.reproduce.registry import ERROR, INCONCLUSIVE, NEEDS_A_GPU, VERDICTS, Context

# The seeds of a claim that names none (`Claim.seeds`) when the user gives no `--seeds`.
DEFAULT_SEEDS = (0, 1, 2, 3, 4)
write_report = report_lib.write_report


def _record_path(out, claim_id):
    return os.path.join(out, "claims", f"{claim_id}.json")


def _write_record(path, record):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(record, f, indent=2, default=registry.json_default)
    os.replace(tmp, path)  # a claim interrupted mid-run leaves no record: it reruns


def _text(claim):
    """The claim's words in a record, as they stand when it runs."""
    return dict(id=claim.id, citation=claim.citation, where=claim.where,
                statement=claim.statement, paper=claim.paper, setup=claim.setup,
                rule=claim.rule, gate_rule=claim.gate_rule, gpu=claim.gpu,
                command=claim.command, diagnosis=claim.diagnosis,
                beyond_paper=claim.beyond_paper, cpu_hours=claim.cpu_hours,
                history=[dict(changed=r.changed, why=r.why, before=r.before,
                              old_rule=r.old_rule) for r in claim.history])


def _rename_old(out, claim_id):
    """Renames what `out` holds of a claim under its old id (`registry.RENAMED`): its pictures
    and runs directories and its record (id, picture paths), with a `FutureWarning`. Returns
    what was renamed."""
    old = registry.old_id(claim_id)
    if old is None:
        return []
    renamed = []
    for kind in ("pictures", "runs"):
        src, dst = os.path.join(out, kind, old), os.path.join(out, kind, claim_id)
        if os.path.isdir(src) and not os.path.exists(dst):
            os.rename(src, dst)
            renamed.append(kind)
    src, dst = _record_path(out, old), _record_path(out, claim_id)
    if os.path.exists(src) and not os.path.exists(dst):
        with open(src) as f:
            record = json.load(f)
        record["id"] = claim_id
        record.pop("seed", None)  # the paper's old name; `_text` adds its citation
        result = record.get("result") or {}
        if "pictures" in renamed and result.get("pictures"):
            before = os.path.join("pictures", old, "")
            after = os.path.join("pictures", claim_id, "")
            result["pictures"] = [after + p[len(before):] if p.startswith(before) else p
                                  for p in result["pictures"]]
        _write_record(dst, record)
        os.remove(src)
        renamed.append("record")
    if renamed:
        warnings.warn(f"Claim id {old!r} is now {claim_id!r} (docs/PAPERS.md); renamed in "
                      f"{out}: {', '.join(renamed)}.", FutureWarning, stacklevel=2)
    return renamed


def claim_seeds(claim, seeds):
    """The seeds `claim` runs: `seeds` when the user gave them, else the claim's own
    (`Claim.seeds`), else `DEFAULT_SEEDS`."""
    return tuple(seeds if seeds is not None else claim.seeds or DEFAULT_SEEDS)


def runs_dir(out, setup_hash, claim_id, quick):
    """The directory of a claim's runs: keyed by its setup hash, so a changed setup never reads
    the sub-runs of the old one, and shared (`Context.shared`) by claims of the same setup."""
    return os.path.join(out, "runs", ("quick-" if quick else "") + setup_hash[:12], claim_id)


def plan(claim, out, *, seeds=None, quick=False):
    """The record under which `claim` runs (its words, seeds, quick flag and hashes) and the
    finished record in `out` to reuse instead, if any: (new, reused, note). `note` says why an
    existing record is not reused (None when there is none or it is reused). Raises
    `ValueError` (naming the claim, the hash that differs, the record's commit and what to do)
    when a finished record of the same seeds and mode has another setup or verdict hash."""
    _rename_old(out, claim.id)
    seeds = claim_seeds(claim, seeds)
    new = dict(_text(claim), quick=quick, seeds=list(seeds),
               setup_hash=audit.setup_hash(claim), verdict_hash=audit.verdict_hash(claim))
    path = _record_path(out, claim.id)
    if not os.path.exists(path):
        return new, None, None
    with open(path) as f:
        old = json.load(f)
    if claim.gpu:
        # Listed, not run: kept (with its commit and date) while its words and hashes stand,
        # so a run does not rewrite it for nothing.
        same = old.get("verdict") == NEEDS_A_GPU and all(old.get(k) == v for k, v in new.items())
        return new, (old if same else None), None
    if old.get("quick") != quick or old.get("seeds") != list(seeds):
        return new, None, "other seeds or mode"
    if "setup_hash" not in old or "verdict_hash" not in old:
        return new, None, "a record without setup and verdict hashes (made before them)"
    differs = [what for what in ("setup", "verdict")
               if old[f"{what}_hash"] != new[f"{what}_hash"]]
    if differs:
        what = " and ".join({"setup": "setup (its config)",
                             "verdict": "verdict code (rule, gate or their functions)"}[w]
                            for w in differs)
        raise ValueError(
            f"The {' and '.join(differs)} hash of claim {claim.id!r} differs from its record "
            f"{path} (run at commit {old.get('commit', 'unknown')}): its {what} changed "
            f"since. Delete that record to judge the claim afresh; if the change alters what "
            f"the claim tests, first add a `Revision` to the claim's `history` (what changed, "
            f"why, the verdict before). Sub-runs of an unchanged setup are reused.")
    old.update(history=new["history"], citation=new["citation"])
    return new, old, None


def execute(claim, out, runs, *, seeds, quick=False, verbose=True, tag=""):
    """Runs `claim`'s experiment in `runs` (pictures under `out/pictures/<id>`), then its gate
    and its verdict: the outcome part of a record (result, gate, verdict and reason, the
    verdict a failed gate set aside, the sub-runs and the times)."""
    registry.SUBRUNS.clear()
    os.makedirs(runs, exist_ok=True)
    date = audit.now()  # when this claim started, not when the whole run did
    started = time.time()
    result = claim.experiment(Context(runs, os.path.join(out, "pictures", claim.id),
                                      tuple(seeds), quick, verbose, tag))
    # Pictures are kept relative to `out`, so a report can be moved with them.
    result["pictures"] = [os.path.relpath(p, out) for p in result.get("pictures", [])]
    wall = round(time.time() - started, 1)
    subruns = [dict(s) for s in registry.SUBRUNS]
    registry.SUBRUNS.clear()
    gate = None
    if claim.gate is not None:
        passed, gate_reason = claim.gate(result)
        gate = dict(passed=bool(passed), reason=str(gate_reason))
    verdict, reason = claim.verdict(result)
    checks.choice("verdict", verdict, VERDICTS)
    outcome = dict(result=result, gate=gate, verdict=verdict, reason=reason, date=date)
    if gate is not None and not gate["passed"]:
        outcome.update(verdict=INCONCLUSIVE, reason=f"the gate failed: {gate['reason']}",
                       verdict_had_it_counted=dict(verdict=verdict, reason=reason))
    subrun_seconds = round(sum(s["seconds"] for s in subruns), 1)
    reused = sum(s["seconds"] for s in subruns if s["reused"])
    outcome.update(subruns=subruns, subrun_seconds=subrun_seconds, wall_seconds=wall,
                   # What the claim costs from scratch: this run's wall time and the time the
                   # sub-runs it read back took when they ran.
                   compute_seconds=round(wall + reused, 1))
    return outcome


def gpu_record(new):
    """The record of a claim that needs a GPU: listed, not run."""
    return dict(new, verdict=NEEDS_A_GPU, reason="not run here", result={}, gate=None,
                subruns=[], subrun_seconds=0.0, wall_seconds=0.0, compute_seconds=0.0)


def run_claim(claim, out, *, seeds=None, quick=False, verbose=True, stamp=None):
    """Runs one claim in this process (or returns its finished record from `out`, see `plan`)
    and writes its record; returns it. `stamp`: the commit and machine fields of the record
    (default: read now)."""
    new, reused, note = plan(claim, out, seeds=seeds, quick=quick)
    if reused is not None:
        if verbose:
            print(f"{claim.id}: finished before ({reused['verdict']}), not rerun", flush=True)
        return reused
    if note and verbose:
        print(f"{claim.id}: {note}: rerun", flush=True)
    stamp = stamp or dict(commit=audit.commit(), **audit.machine())
    if claim.gpu:
        record = gpu_record(dict(new, **stamp))
    else:
        if verbose:
            print(f"{claim.id} ({claim.citation}, {claim.where}): running", flush=True)
        record = dict(new, **stamp)
        record.update(execute(claim, out, runs_dir(out, new["setup_hash"], claim.id, quick),
                              seeds=new["seeds"], quick=quick, verbose=verbose))
        if verbose:
            print(f"{claim.id}: {record['verdict']} ({record['reason']}) in "
                  f"{record['wall_seconds']} s", flush=True)
    _write_record(_record_path(out, claim.id), record)
    return record


def _say_once(selected, plans, records, verbose):
    """One line for each reason why finished records are not reused (a warning for records
    made before the hashes), and one for diagnoses written since their run."""
    notes = {}
    for i, (_, _, note) in plans.items():
        if note:
            notes.setdefault(note, []).append(i)
    for note, which in notes.items():
        message = f"Not reused, rerun ({note}): {', '.join(which)}."
        if "without" in note:
            warnings.warn(message, UserWarning, stacklevel=3)
        elif verbose:
            print(message, flush=True)
    changed = [c.id for c in selected if c.id in records and not c.gpu
               and c.diagnosis != records[c.id].get("diagnosis", "")]
    if changed and verbose:
        print(f"The diagnosis of {', '.join(changed)} changed since its run: the report shows "
              f"the one stored with the run (delete the record to rerun and store the new one).",
              flush=True)
    finished = [i for i, r in records.items() if r["verdict"] != NEEDS_A_GPU]
    if finished and verbose:
        print(f"Finished before, not rerun: {', '.join(finished)}.", flush=True)


def fits(claim, deadline, now=None):
    """Whether `claim`, started now, ends by `deadline` (a `time.time()`; None: no deadline)
    by its estimate (`cpu_hours`, one core's hours; 0, not measured, always fits)."""
    return deadline is None or (time.time() if now is None else now) \
        + 3600.0 * claim.cpu_hours <= deadline


def run(ids=(), *, out, seeds=None, quick=False, report=None, readme=None, jobs=1,
        hours=None, verbose=True, worker_setup=None):
    """Runs the claims `ids` (all when empty) into `out` and writes the report (`report`,
    default `out/REPORT.md`), `out/summary.md`, and the summary into `readme` when given;
    returns the records. `seeds`: every claim's seeds (default: each claim's own). `jobs`:
    worker processes (1: this process), each calling `worker_setup` first. `hours`: start
    only claims whose estimate (`fits`) ends within this many hours of the start (a session
    with a time limit); the others stay pending in the report, for the next run. Every
    finished record is checked first (`plan`), so a stale one stops the run before anything
    runs. Holds `out`'s lock (`workdirs.lock`): a second runner on the same `out` is refused."""
    selected = registry.get(ids)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"`jobs` must be a positive integer. Received: jobs={jobs!r}")
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, (int, float))
                              or not hours > 0):
        raise ValueError(f"`hours` must be a positive number of hours (None: no limit). "
                         f"Received: hours={hours!r}")
    deadline = None if hours is None else time.time() + 3600.0 * hours
    if readme:
        report_lib.check_readme(readme)
    with workdirs.lock(out, what="--out directory"):
        plans = {c.id: plan(c, out, seeds=seeds, quick=quick) for c in selected}
        stamp = dict(commit=audit.commit(), **audit.machine())
        records = {i: reused for i, (_, reused, _) in plans.items() if reused is not None}
        _say_once(selected, plans, records, verbose)

        def ordered():
            return [records[c.id] for c in selected if c.id in records]

        def landed(record):
            records[record["id"]] = record
            if ERROR not in record:
                _write_record(_record_path(out, record["id"]), record)
            report_lib.write_report(ordered(), out, report,  # the report so far
                                    pending=[c.id for c in selected if c.id not in records])

        for claim in selected:
            if claim.gpu and claim.id not in records:
                landed(gpu_record(dict(plans[claim.id][0], **stamp)))
        todo = [c for c in selected if not c.gpu and c.id not in records]
        if jobs == 1:
            for k, claim in enumerate(todo):
                if not fits(claim, deadline):
                    continue
                if verbose:
                    print(f"[{k + 1}/{len(todo)}] ", end="", flush=True)
                landed(run_claim(claim, out, seeds=seeds, quick=quick, verbose=verbose,
                                 stamp=stamp))
        else:
            from tfgan_reg.reproduce import jobs as jobs_lib  # it imports this module
            jobs_lib.run_parallel([(c, plans[c.id][0]) for c in todo], out, jobs=jobs,
                                  quick=quick, stamp=stamp, on_record=landed, verbose=verbose,
                                  setup=worker_setup, deadline=deadline)
        final = ordered()
        left = [c.id for c in selected if c.id not in records]
        if left and verbose and hours is not None:
            print(f"Not started, their estimates would end after --hours={hours:g}: "
                  f"{', '.join(left)}. Run the same command again to continue.", flush=True)
        report_lib.write_report(final, out, report, pending=left)
        if readme:
            report_lib.update_readme(readme, final, report or os.path.join(out, "REPORT.md"),
                                     pending=left)
    return final
