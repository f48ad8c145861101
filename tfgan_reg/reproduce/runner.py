"""Runs claims (resuming: finished ones are read back, not rerun) and writes the report."""
import json
import os
import time
import warnings

import numpy as np

from tfgan_reg import checks
from tfgan_reg import workdirs
from tfgan_reg.reproduce import registry
from tfgan_reg.reproduce.registry import REPRODUCED, VERDICTS, Context


def _record_path(out, claim_id):
    return os.path.join(out, "claims", f"{claim_id}.json")


def _write_record(path, record):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(record, f, indent=2, default=_json_default)
    os.replace(tmp, path)  # a claim interrupted mid-run leaves no record: it reruns


def _text(claim):
    """The claim's words in a record (the result and verdict are the run's)."""
    return dict(id=claim.id, citation=claim.citation, where=claim.where,
                statement=claim.statement, paper=claim.paper, setup=claim.setup,
                rule=claim.rule, gpu=claim.gpu, command=claim.command,
                diagnosis=claim.diagnosis)


def _rename_old(out, claim_id):
    """Renames what `out` holds of a claim under its old id (`registry.RENAMED`): its pictures
    and runs directories and its record (id, picture paths), with a `FutureWarning`, so that a
    finished claim is read back, not rerun. Returns what was renamed."""
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


def run_claim(claim, out, *, seeds, quick=False, verbose=True):
    """Runs one claim (or returns its finished record from `out`): a dict with the claim's
    text, the result, the verdict and reason, and the wall time. A finished record keeps its
    result and verdict; its words (a diagnosis written after the run) are the registry's. What
    `out` holds under the claim's old id (`registry.RENAMED`) is renamed first (`_rename_old`)."""
    _rename_old(out, claim.id)
    path = _record_path(out, claim.id)
    if os.path.exists(path):
        with open(path) as f:
            record = json.load(f)
        if record.get("quick") == quick and record.get("seeds") == list(seeds):
            if record.get("rule") != claim.rule:
                raise ValueError(
                    f"The verdict rule of {claim.id!r} changed after its run in {path}: "
                    f"delete that record to judge the claim afresh.")
            if verbose:
                print(f"{claim.id}: finished before ({record['verdict']}), not rerun",
                      flush=True)
            record.update(_text(claim))
            return record
    record = dict(_text(claim), quick=quick, seeds=list(seeds))
    if claim.gpu:
        record.update(verdict="needs a GPU", reason="not run here", result={}, seconds=0.0)
    else:
        if verbose:
            print(f"{claim.id} ({claim.citation}, {claim.where}): running", flush=True)
        runs_dir = os.path.join(out, "runs", claim.id)
        os.makedirs(runs_dir, exist_ok=True)
        started = time.time()
        result = claim.experiment(Context(runs_dir, os.path.join(out, "pictures", claim.id),
                                          tuple(seeds), quick, verbose))
        # Pictures are kept relative to `out`, so a report can be moved with them.
        result["pictures"] = [os.path.relpath(p, out) for p in result.get("pictures", [])]
        verdict, reason = claim.verdict(result)
        checks.choice("verdict", verdict, VERDICTS)
        record.update(result=result, verdict=verdict, reason=reason,
                      seconds=round(time.time() - started, 1))
        if verbose:
            print(f"{claim.id}: {verdict} ({reason}) in {record['seconds']} s", flush=True)
    _write_record(path, record)
    return record


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON-able: {type(value).__name__}")


def run(ids=(), *, out, seeds=(0, 1, 2, 3, 4), quick=False, report=None, verbose=True):
    """Runs the claims `ids` (all when empty) into `out` and writes the report (`report`,
    default `out/REPORT.md`); returns the records. Holds `out`'s lock (`workdirs.lock`) while
    it runs: a second runner on the same `out` is refused."""
    selected = registry.get(ids)
    records = []
    with workdirs.lock(out, what="--out directory"):
        for k, claim in enumerate(selected):
            if verbose:
                print(f"[{k + 1}/{len(selected)}] ", end="", flush=True)
            records.append(run_claim(claim, out, seeds=seeds, quick=quick, verbose=verbose))
            write_report(records, out, report)  # the report so far, after every claim
    return records


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_report(records, out, report=None):
    """`out/report.json` (every record) and the Markdown report `report` (default
    `out/REPORT.md`: one row per claim, then each claim's rule, reason, diagnosis and
    pictures, linked relative to the report); returns the Markdown path."""
    path = os.path.abspath(report or os.path.join(out, "REPORT.md"))
    out = os.path.abspath(out)
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(records, f, indent=2, default=_json_default)
    run_rows = [r for r in records if not r["gpu"]]
    gpu_rows = [r for r in records if r["gpu"]]
    quick = any(r["quick"] for r in run_rows)
    lines = ["# Reproduction report", ""]
    if quick:
        lines += ["**Quick mode**: every claim at reduced size, a smoke test; these verdicts do "
                  "not count.", ""]
    counts = {v: sum(r["verdict"] == v for r in run_rows) for v in VERDICTS}
    lines += [f"{len(run_rows)} claims run: " + ", ".join(f"{n} {v}" for v, n in counts.items())
              + f"; {len(gpu_rows)} need a GPU. Seeds: {run_rows[0]['seeds'] if run_rows else []}."
              f" Total wall time {sum(r['seconds'] for r in run_rows):.0f} s.", ""]
    lines += ["| claim | paper | ours | verdict | wall time |", "|---|---|---|---|---|"]
    for r in run_rows:
        lines.append(f"| `{r['id']}` ({r['citation']}, {_cell(r['where'])}): "
                     f"{_cell(r['statement'])} | {_cell(r['paper'])} | "
                     f"{_cell(r['result'].get('ours', ''))} | **{r['verdict']}** | "
                     f"{r['seconds']:.0f} s |")
    lines.append("")
    for r in run_rows:
        lines += [f"## `{r['id']}`: {r['verdict']}", "",
                  f"- Paper ({r['citation']}, {r['where']}): {r['statement']} {r['paper']}",
                  f"- Setup: {r['setup']}",
                  f"- Verdict rule (fixed before the run): {r['rule']}",
                  f"- Ours: {r['result'].get('ours', '')}",
                  f"- Verdict: {r['verdict']}, because {r['reason']}."]
        if r["verdict"] != REPRODUCED and r["diagnosis"]:
            lines.append(f"- Diagnosis: {r['diagnosis']}")
        for picture in r["result"].get("pictures", []):
            rel = os.path.relpath(os.path.join(out, picture), os.path.dirname(path))
            lines.append(f"\n![{r['id']}]({rel})")
        lines.append("")
    if gpu_rows:
        lines += ["## Needs a GPU and the data set", "",
                  "| claim | paper's number | command |", "|---|---|---|"]
        for r in gpu_rows:
            lines.append(f"| `{r['id']}` ({r['citation']}, {_cell(r['where'])}): "
                         f"{_cell(r['statement'])} | {_cell(r['paper'])} | "
                         f"`{_cell(r['command'])}` |")
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path
