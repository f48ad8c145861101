"""The report of a run of claims: `report.json` (every record), the Markdown report, the short
summary (`summary.md`) and the README's reproduction section taken from it.

At the top: the outcomes per paper, the headline counts (claims of the papers by verdict, the
inconclusive ones, those beyond the papers, those that need a GPU), the commits and CPU the
records come from. Then one section per claim: its gate and rule, the verdict (and, when the
gate failed, the verdict it would have had, not counted), the compute and wall times, the
diagnosis stored with the run, and every revision of the claim with the verdict before it.
"""
import collections
import json
import os


# Imported by their full names: `from tfgan_reg.reproduce import registry` would register every
# family (the package's `__getattr__`), loading TensorFlow in a worker before its threads are set.
import tfgan_reg.reproduce.registry as registry
from tfgan_reg.reproduce.registry import ERROR, INCONCLUSIVE, NEEDS_A_GPU, VERDICTS

README_START, README_END = "<!-- reproduction-summary -->", "<!-- /reproduction-summary -->"


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def kind(record):
    """Where a record is reported: "gpu", "error", "beyond" (beyond the paper), "inconclusive"
    or "paper" (a verdict on a claim of the paper)."""
    if record.get("gpu"):
        return "gpu"
    if ERROR in record:
        return "error"
    if record.get("beyond_paper"):
        return "beyond"
    return "inconclusive" if record["verdict"] == INCONCLUSIVE else "paper"


def counts(records):
    """The headline counts: each verdict over the papers' claims, inconclusive, beyond the
    paper, needs a GPU, errors."""
    kinds = collections.Counter(kind(r) for r in records)
    found = {v: sum(kind(r) == "paper" and r["verdict"] == v for r in records)
             for v in VERDICTS}
    found.update({"inconclusive": kinds["inconclusive"], "beyond the paper": kinds["beyond"],
                  NEEDS_A_GPU: kinds["gpu"], ERROR: kinds["error"]})
    return found


def headline(records):
    """One line of counts, e.g. "12 claims of the papers judged: 3 reproduced, ...; ..."."""
    c = counts(records)
    judged = sum(c[v] for v in VERDICTS)
    beyond = collections.Counter(r["verdict"] for r in records if kind(r) == "beyond")
    beyond = f" ({', '.join(f'{n} {v}' for v, n in beyond.items())})" if beyond else ""
    line = (f"{judged} claims of the papers judged: "
            + ", ".join(f"{c[v]} {v}" for v in VERDICTS)
            + f"; {c['inconclusive']} inconclusive (not trained enough, not counted); "
            f"{c['beyond the paper']} beyond the paper{beyond}, reported apart; "
            f"{c[NEEDS_A_GPU]} need{'s' if c[NEEDS_A_GPU] == 1 else ''} a GPU")
    if c[ERROR]:
        line += f"; {c[ERROR]} failed with an error"
    return line + "."


def _outcome(record):
    text = record["verdict"]
    if kind(record) == "beyond":
        text += " (beyond the paper)"
    return text


def paper_table(records):
    """The per-paper summary: each paper, its claims and their outcomes."""
    lines = ["| paper | claims | outcomes |", "|---|---|---|"]
    by_paper = collections.defaultdict(list)
    for r in records:
        by_paper[r["id"].partition(".")[0]].append(r)
    for paper in list(registry.PAPERS) + sorted(set(by_paper) - set(registry.PAPERS)):
        rows = by_paper.get(paper)
        if not rows:
            continue
        outcomes = "; ".join(f"`{r['id']}` {_outcome(r)}" for r in rows)
        lines.append(f"| {registry.PAPERS.get(paper, paper)} (`{paper}`) | {len(rows)} | "
                     f"{_cell(outcomes)} |")
    return lines


def _short(commit):
    """A commit as the report shows it: 12 hex digits, and "-dirty" when it was."""
    head, dirty, _ = commit.partition("-dirty")
    return head[:12] + dirty


def provenance(records):
    """Where the records come from: their commits (with how many records each), CPUs,
    TensorFlow versions and dates."""
    def listed(field):
        found = collections.Counter(_short(str(r.get(field, "unknown"))) if field == "commit"
                                    else str(r.get(field, "unknown")) for r in records)
        return ", ".join(f"{k} ({n})" if len(found) > 1 else k for k, n in found.items())
    dates = sorted(str(r["date"]) for r in records if r.get("date"))
    span = f"{dates[0]} to {dates[-1]}" if dates else "unknown"
    return (f"Records from commit {listed('commit')}; CPU {listed('cpu')}; TensorFlow "
            f"{listed('tensorflow')}; run {span}.")


def listing(claims):
    """One line per claim for `--list`: id, paper, where, and its measured CPU-hours (or that
    it needs a GPU), and whether it is beyond the paper."""
    lines = []
    for claim in claims:
        cost = NEEDS_A_GPU if claim.gpu else (
            f"{claim.cpu_hours:g} CPU-h" if claim.cpu_hours else "CPU-h not measured")
        apart = ", beyond the paper" if claim.beyond_paper else ""
        lines.append(f"{claim.id:<28} {claim.citation}, {claim.where} ({cost}{apart})")
    return lines


def _table(rows):
    lines = ["| claim | paper | ours | outcome | compute / wall |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r['id']}` ({r['citation']}, {_cell(r['where'])}): "
                     f"{_cell(r['statement'])} | {_cell(r['paper'])} | "
                     f"{_cell(r['result'].get('ours', ''))} | **{r['verdict']}** | "
                     f"{r.get('compute_seconds', 0):.0f} / {r.get('wall_seconds', 0):.0f} s |")
    return lines + [""]


def _times(r):
    subruns = r.get("subruns") or []
    reused = [s for s in subruns if s["reused"]]
    text = (f"- Compute: {r.get('compute_seconds', 0):.0f} s (the whole claim from scratch); "
            f"wall time of this run {r.get('wall_seconds', 0):.0f} s")
    if subruns:
        text += (f"; {len(subruns)} sub-runs, {r.get('subrun_seconds', 0):.0f} s in all, "
                 f"{len(reused)} of them reused ({sum(s['seconds'] for s in reused):.0f} s)")
    return text + "."


def _claim_section(r, out, report_dir):
    setup_hash = r.get("setup_hash", "")[:12] or "none (an old record)"
    lines = [f"## `{r['id']}`: {r['verdict']}", ""]
    if r.get("beyond_paper"):
        lines.append("- **Beyond the paper**: the paper has no experiment for this; reported "
                     "apart, not counted.")
    lines += [f"- Paper ({r['citation']}, {r['where']}): {r['statement']} {r['paper']}",
              f"- Setup (hash `{setup_hash}`): {r['setup']}"]
    if r.get("gate_rule") or r.get("gate"):
        gate = r.get("gate")
        result = "not run" if gate is None else \
            f"{'passed' if gate['passed'] else 'failed'}: {gate['reason']}"
        lines.append(f"- Gate (fixed before the run): {r.get('gate_rule', '')} Result: {result}.")
    lines += [f"- Verdict rule (fixed before the run): {r['rule']}",
              f"- Ours: {r['result'].get('ours', '')}",
              f"- Verdict: {r['verdict']}, because {r['reason']}."]
    if r.get("verdict_had_it_counted"):
        had = r["verdict_had_it_counted"]
        lines.append(f"- Verdict had it counted (not counted: the gate failed): "
                     f"{had['verdict']}, because {had['reason']}.")
    if ERROR in r:
        lines.append(f"- Error:\n\n```\n{r[ERROR].strip()}\n```\n")
    lines.append(_times(r))
    lines.append(f"- Run at commit `{_short(r.get('commit', 'unknown'))}`, "
                 f"{r.get('date', 'unknown')}, "
                 f"{r.get('cpu', 'unknown')}, TensorFlow {r.get('tensorflow', 'unknown')}, "
                 f"seeds {r['seeds']}.")
    if r.get("diagnosis"):
        lines.append(f"- Diagnosis (as written at the run): {r['diagnosis']}")
    for k, rev in enumerate(r.get("history") or [], 1):
        lines.append(f"- Revision {k}: changed {rev['changed']}, because "
                     f"{_sentence(rev['why'])} Verdict before: {_sentence(rev['before'])}"
                     + (f" Old rule: {rev['old_rule']}" if rev.get("old_rule") else ""))
    for picture in r["result"].get("pictures", []):
        rel = os.path.relpath(os.path.join(out, picture), report_dir)
        lines.append(f"\n![{r['id']}]({rel})")
    return lines + [""]


def _sentence(text):
    """`text` ending in a full stop (claims write their revisions' reasons either way)."""
    text = text.rstrip()
    return text if text.endswith(".") else text + "."


def _pending(pending):
    """The line that says a run is not finished, naming the claims it has still to judge."""
    return (f"**Run in progress**: {len(pending)} claims not judged yet "
            f"({', '.join(f'`{i}`' for i in pending)}); the counts are of the finished ones.")


def write_report(records, out, report=None, pending=()):
    """`out/report.json` (every record), the Markdown report `report` (default
    `out/REPORT.md`, picture links relative to it) and `out/summary.md`; returns the Markdown
    path. `pending`: the ids of the claims the run has still to judge (a partial report says
    so at its top)."""
    path = os.path.abspath(report or os.path.join(out, "REPORT.md"))
    out = os.path.abspath(out)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(records, f, indent=2, default=registry.json_default)
    groups = collections.defaultdict(list)
    for r in records:
        groups[kind(r)].append(r)
    lines = ["# Reproduction report", ""]
    if any(r.get("quick") for r in records if not r["gpu"]):
        lines += ["**Quick mode**: every claim at reduced size, a smoke test; these verdicts do "
                  "not count.", ""]
    if pending:
        lines += [_pending(pending), ""]
    lines += [headline(records), ""] + paper_table(records) + [""]
    ran = [r for r in records if not r["gpu"]]
    lines += [provenance(ran) + f" Compute {sum(r.get('compute_seconds', 0) for r in ran):.0f}"
              f" s with each claim counted from scratch (sub-runs that claims share count in "
              f"each), wall time of the runs that made these records "
              f"{sum(r.get('wall_seconds', 0) for r in ran):.0f} s.", ""]
    titles = (("paper", "Claims of the papers", ""),
              ("inconclusive", "Inconclusive (not trained enough)",
               "The gate fixed before the run failed: not counted as any verdict."),
              ("beyond", "Beyond the papers",
               "Tests on data or settings the papers have no experiment for: judged, reported "
               "apart, not counted."),
              ("error", "Failed with an error", "Rerun on the next run (no record kept)."))
    for key, title, note in titles:
        if groups[key]:
            lines += [f"## {title}", ""] + ([note, ""] if note else []) + _table(groups[key])
    for r in ran:
        lines += _claim_section(r, out, os.path.dirname(path))
    if groups["gpu"]:
        lines += ["## Needs a GPU and the data set", "",
                  "| claim | paper's number | command |", "|---|---|---|"]
        for r in groups["gpu"]:
            lines.append(f"| `{r['id']}` ({r['citation']}, {_cell(r['where'])}): "
                         f"{_cell(r['statement'])} | {_cell(r['paper'])} | "
                         f"`{_cell(r['command'])}` |")
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(summary(records, path, out, pending))
    return path


def summary(records, report, base, pending=()):
    """The short summary (headline, per-paper table, provenance, a link to `report` relative
    to the directory `base`), as the README's reproduction section shows it; `pending` as in
    `write_report`."""
    link = os.path.relpath(os.path.abspath(report), os.path.abspath(base))
    quick = any(r.get("quick") for r in records if not r["gpu"])
    lines = [f"[{os.path.basename(link)}]({link}) is the report of the run"
             + (" (**quick mode**, a smoke test: these verdicts do not count)" if quick else "")
             + ", each claim judged by a rule and a gate fixed in code before its run: "
             f"**{headline(records)}**", ""]
    if pending:
        lines += [_pending(pending), ""]
    lines += paper_table(records) + ["", provenance([r for r in records if not r["gpu"]]), ""]
    return "\n".join(lines)


def replace_between_markers(text, block, where="README"):
    """`text` with what stands between `README_START` and `README_END` replaced by `block`."""
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"{where} has no {README_START} ... {README_END} markers around its "
                         f"reproduction summary: add them where the summary goes.")
    head = text[:start + len(README_START)]
    return head + "\n" + block.strip("\n") + "\n" + text[end:]


def check_readme(readme):
    """Raises the error of `replace_between_markers` now, before a run, if `readme` lacks the
    markers."""
    with open(readme) as f:
        replace_between_markers(f.read(), "", where=readme)


def update_readme(readme, records, report, pending=()):
    """Replaces the summary between the markers of `readme` (`replace_between_markers`) by
    `summary(records, report, pending=pending)`, its link relative to the README."""
    with open(readme) as f:
        text = f.read()
    text = replace_between_markers(text, summary(records, report, os.path.dirname(
        os.path.abspath(readme)), pending), where=readme)
    with open(readme, "w") as f:
        f.write(text)
    return readme
