"""`reproduce.runner`, `audit`, `jobs` and `report` on planted claims (`planted_claims`): the
audit trail of a record, the refusal of a stale one, gates, `--jobs` and the report."""
import dataclasses
import importlib.util
import json
import os
import pickle
import signal
import subprocess
from unittest import mock
import sys
import textwrap
import time

import ml_collections
import pytest

import planted_claims as planted
import tfgan_reg.reproduce.registry as registry
import tfgan_reg.reproduce.runner as runner
from tfgan_reg.reproduce import audit, jobs, report
from tfgan_reg.reproduce.registry import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED

# Record fields that differ between two runs of the same claim (times, dates, processes).
VOLATILE = ("wall_seconds", "compute_seconds", "subrun_seconds", "subruns", "date")


@pytest.fixture(name="claims")
def _claims(monkeypatch):
    """An empty registry of the planted paper `p`; returns a function registering claims."""
    monkeypatch.setattr(registry, "_REGISTRY", {})
    monkeypatch.setattr(registry, "PAPERS", dict(planted.PAPER))

    def add(*claims):
        for c in claims:
            registry.register(c)
    return add


def _replace(claim_id, **changes):
    registry._REGISTRY[claim_id] = dataclasses.replace(registry._REGISTRY[claim_id], **changes)


def _config(steps):
    def config():
        c = ml_collections.ConfigDict()
        c.train = ml_collections.ConfigDict({"steps": steps, "lr": 1e-4})
        c.data = "ring8"
        return c
    return config


def _stable(record):
    return {k: v for k, v in record.items() if k not in VOLATILE}


def test_a_record_carries_its_audit_trail(claims, tmp_path):
    claims(planted.claim("a", config=_config(100), seeds=(3, 4)))
    record, = runner.run(out=str(tmp_path), verbose=False)
    assert record["commit"] == audit.commit()
    assert len(record["setup_hash"]) == len(record["verdict_hash"]) == 64
    assert record["seeds"] == [3, 4]  # the claim's own seeds: none were given
    assert [s["name"] for s in record["subruns"]] == ["seed3", "seed4"]
    assert not any(s["reused"] for s in record["subruns"])
    assert record["subrun_seconds"] == pytest.approx(sum(s["seconds"] for s in record["subruns"]),
                                                     abs=0.1)
    assert record["wall_seconds"] >= planted.PAUSE and not record["quick"]
    for field in ("date", "cpu", "tensorflow"):
        assert record[field] and record[field] != "unknown"
    with open(tmp_path / "claims" / "p.a.json") as f:
        assert json.load(f) == json.loads(json.dumps(record))
    # The runs live under the setup's hash; given seeds replace the claim's.
    runs = tmp_path / "runs" / record["setup_hash"][:12] / "p.a"
    assert (runs / "seed3.json").exists()
    again, = runner.run(out=str(tmp_path), seeds=(5,), verbose=False)
    assert again["seeds"] == [5]


def test_commit_is_unknown_outside_git_and_dirty_with_changed_tracked_files(tmp_path):
    assert audit.commit(str(tmp_path)) == "unknown"
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    (tmp_path / "__init__.py").write_text("x = 1\n")
    subprocess.run(git + ["add", "__init__.py"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "c"], check=True)
    head = subprocess.run(git[:3] + ["rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    (tmp_path / "untracked.txt").write_text("not tracked: not dirty")
    assert audit.commit(str(tmp_path)) == head
    (tmp_path / "__init__.py").write_text("x = 2\n")
    assert audit.commit(str(tmp_path)) == head + "-dirty"


def test_a_report_written_into_the_checkout_does_not_make_it_dirty(tmp_path):
    package, docs = tmp_path / "tfgan_reg", tmp_path / "docs"
    package.mkdir(), docs.mkdir()
    (package / "__init__.py").write_text("x = 1\n")
    (docs / "REPORT.md").write_text("old\n")
    git = lambda *a: subprocess.run(["git", "-C", str(tmp_path), *a], check=True,
                                    capture_output=True)
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    head = audit.commit(str(package))
    assert len(head) == 40
    (docs / "REPORT.md").write_text("new\n")  # the report being written
    assert audit.commit(str(package)) == head
    (package / "__init__.py").write_text("x = 2\n")
    assert audit.commit(str(package)) == head + "-dirty"


def test_setup_hash_follows_every_number_of_the_config_and_only_them():
    base = planted.claim("a", config=_config(100))
    h = audit.setup_hash(base)
    assert audit.setup_hash(dataclasses.replace(base, config=_config(100))) == h
    assert audit.setup_hash(dataclasses.replace(base, config=_config(101))) != h
    # Key order does not matter; the setup text does not count when there is a config.
    swapped = lambda: {"data": "ring8", "train": {"lr": 1e-4, "steps": 100}}
    assert audit.setup_hash(dataclasses.replace(base, config=swapped, setup="other")) == h
    # Without a config, the setup text is hashed.
    bare = planted.claim("a")
    assert audit.setup_hash(bare) != audit.setup_hash(dataclasses.replace(bare, setup="x"))
    with pytest.raises(ValueError, match="no stable text to hash"):
        audit.setup_hash(dataclasses.replace(base, config=lambda: {"f": object()}))


# A verdict module of the planted paper: a verdict calling a helper that reads a constant and
# `registry.most`, as the claim modules' verdicts do.
VERDICT_MODULE = '''
import tfgan_reg.reproduce.registry as registry

LIMIT = {limit}


def _helper(values):
    """Seeds at or above LIMIT."""  # {comment}
    return sum(v {op} LIMIT for v in values)


def verdict(result):
    wins = _helper(result["values"])
    if wins >= registry.most(len(result["values"])):
        return "reproduced", f"{{wins}} seeds"
    return "not reproduced", f"{{wins}} seeds"
'''


def _verdict_from(tmp_path, name, limit=7, op=">=", comment="a"):
    path = tmp_path / f"{name}.py"
    path.write_text(VERDICT_MODULE.format(limit=limit, op=op, comment=comment))
    # One module name for every version, as one module edited between two runs.
    spec = importlib.util.spec_from_file_location("planted_verdicts", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.verdict


def test_verdict_hash_follows_the_helpers_a_verdict_calls(tmp_path):
    def h(verdict, **changes):
        return audit.verdict_hash(planted.claim("a", verdict=verdict, **changes))
    base = h(_verdict_from(tmp_path, "v0"))
    # A comment or docstring changes nothing; the code does.
    assert h(_verdict_from(tmp_path, "v1", comment="another comment")) == base
    assert h(_verdict_from(tmp_path, "v2", op=">")) != base  # the helper edited
    assert h(_verdict_from(tmp_path, "v3", limit=8)) != base  # a constant it reads
    v0 = _verdict_from(tmp_path, "v4")
    assert h(v0, rule="another rule") != base and h(v0, gate_rule="a gate") != base
    assert h(v0, gate=planted.gate) != base
    text = audit.verdict_text(planted.claim("a", verdict=v0))
    assert "def tfgan_reg.reproduce.registry.most" in text  # followed into the registry
    assert "planted_verdicts.LIMIT = 7" in text
    assert "def tfgan_reg.reproduce.registry.get" not in text  # only what it calls


def test_a_record_whose_setup_or_verdict_changed_is_refused(claims, tmp_path):
    claims(planted.claim("a", config=_config(100)))
    out = str(tmp_path)
    first, = runner.run(out=out, verbose=False)
    _replace("p.a", config=_config(200))
    with pytest.raises(ValueError, match=r"The setup hash of claim 'p.a' differs from its record "
                                         r".*p.a.json \(run at commit [0-9a-f]{40}.*\): its setup "
                                         r"\(its config\) changed since. Delete that record"):
        runner.run(out=out, verbose=False)
    _replace("p.a", config=_config(100), verdict=lambda r: (REPRODUCED, "anything"))
    with pytest.raises(ValueError, match="The verdict hash of claim 'p.a' differs.*Revision"):
        runner.run(out=out, verbose=False)
    _replace("p.a", verdict=planted.verdict, gate_rule="every model trained")
    with pytest.raises(ValueError, match="verdict hash"):
        runner.run(out=out, verbose=False)
    _replace("p.a", gate_rule="", config=_config(300), rule="another rule")
    with pytest.raises(ValueError, match="The setup and verdict hash of claim 'p.a'"):
        runner.run(out=out, verbose=False)
    # Back to the recorded claim: read back, not rerun.
    _replace("p.a", config=_config(100), rule=first["rule"])
    again, = runner.run(out=out, verbose=False)
    assert again == json.loads(json.dumps(first))


def test_a_changed_setup_never_reads_the_old_setups_subruns(claims, tmp_path):
    claims(planted.claim("a", config=_config(100), seeds=(0,)))
    out = str(tmp_path)
    first, = runner.run(out=out, verbose=False)
    os.remove(tmp_path / "claims" / "p.a.json")
    again, = runner.run(out=out, verbose=False)  # same setup: its sub-run is read back
    assert [s["reused"] for s in again["subruns"]] == [True]
    assert again["compute_seconds"] >= again["wall_seconds"]
    _replace("p.a", config=_config(200))
    os.remove(tmp_path / "claims" / "p.a.json")
    changed, = runner.run(out=out, verbose=False)
    assert [s["reused"] for s in changed["subruns"]] == [False]
    assert changed["setup_hash"] != first["setup_hash"]


def test_a_record_without_hashes_is_rerun_with_one_warning(claims, tmp_path):
    claims(planted.claim("a"), planted.claim("b"))
    out = str(tmp_path)
    runner.run(out=out, seeds=(0,), verbose=False)
    for name in ("p.a", "p.b"):
        path = tmp_path / "claims" / f"{name}.json"
        old = json.loads(path.read_text())
        del old["setup_hash"], old["verdict_hash"]
        old["verdict"] = NOT_REPRODUCED
        path.write_text(json.dumps(old))
    with pytest.warns(UserWarning, match=r"Not reused, rerun \(a record without setup and "
                                         r"verdict hashes.*\): p.a, p.b\.") as caught:
        records = runner.run(out=out, seeds=(0,), verbose=False)
    assert len(caught) == 1
    assert [r["verdict"] for r in records] == [REPRODUCED, REPRODUCED]


def test_a_failed_gate_is_inconclusive_and_not_counted(claims, tmp_path):
    claims(planted.claim("a", gate=planted.gate, gate_rule="the run trained."),
           planted.claim("b"), planted.claim("c", beyond_paper=True))
    records = runner.run(out=str(tmp_path), seeds=(0,), quick=True, verbose=False)
    a, b, c = records
    assert a["verdict"] == INCONCLUSIVE and a["reason"] == "the gate failed: not trained"
    assert a["gate"] == {"passed": False, "reason": "not trained"}
    assert a["verdict_had_it_counted"] == {"verdict": REPRODUCED, "reason": "value is 7"}
    assert report.counts(records) == {REPRODUCED: 1, "partly": 0, NOT_REPRODUCED: 0,
                                      "inconclusive": 1, "beyond the paper": 1,
                                      "needs a GPU": 0, "error": 0}
    text = (tmp_path / "REPORT.md").read_text()
    assert ("1 claims of the papers judged: 1 reproduced, 0 partly, 0 not reproduced; 1 "
            "inconclusive (not trained enough, not counted); 1 beyond the paper (1 reproduced), "
            "reported apart; 0 need a GPU.") in text
    inconclusive = text.split("## Inconclusive (not trained enough)")[1].split("## ")[0]
    assert "`p.a`" in inconclusive and "`p.b`" not in inconclusive
    assert "`p.c`" in text.split("## Beyond the papers")[1].split("## ")[0]
    assert ("- Verdict had it counted (not counted: the gate failed): reproduced, because "
            "value is 7.") in text
    assert "- Gate (fixed before the run): the run trained. Result: failed: not trained." in text
    # A passing gate: the verdict counts.
    passed = runner.run(out=str(tmp_path / "full"), seeds=(0,), verbose=False)[0]
    assert passed["verdict"] == REPRODUCED and passed["gate"]["passed"]
    assert "verdict_had_it_counted" not in passed


def test_report_shows_revisions_provenance_and_the_per_paper_summary(claims, tmp_path):
    revision = registry.Revision(
        changed="the rule", why="the old rule asked more than the paper",  # no full stop
        before="not reproduced (1/5 seeds; record of commit 0123abc).",
        old_rule="reproduced when every seed converges.")
    claims(planted.claim("a", history=(revision,), diagnosis="the run is short"),
           registry.Claim(id="p.g", where="Table 10", statement="big claim", paper="9.9",
                          setup="GPU", rule="not judged here", gpu=True,
                          command="python train.py --big"))
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\n## Reproducing\n\n<!-- reproduction-summary -->\nold text\n"
                      "<!-- /reproduction-summary -->\n\n## Next\n")
    out = tmp_path / "out"
    records = runner.run(out=str(out), seeds=(0,), report=str(tmp_path / "docs" / "R.md"),
                         readme=str(readme), verbose=False)
    text = (tmp_path / "docs" / "R.md").read_text()
    assert ("- Revision 1: changed the rule, because the old rule asked more than the paper. "
            "Verdict before: not reproduced (1/5 seeds; record of commit 0123abc). Old rule: "
            "reproduced when every seed converges.") in text
    commit = records[0]["commit"]
    short = commit[:12] + ("-dirty" if commit.endswith("-dirty") else "")
    assert f"Records from commit {short}; CPU {records[0]['cpu']}" in text
    assert f"- Run at commit `{short}`, " in text
    assert f"- Setup (hash `{records[0]['setup_hash'][:12]}`): planted" in text
    assert "- Diagnosis (as written at the run): the run is short" in text
    assert "| Planted et al. 2099 (`p`) | 2 | `p.a` reproduced; `p.g` needs a GPU |" in text
    assert "](../out/pictures/p.a/samples.png)" in text
    summary = (out / "summary.md").read_text()
    assert "| Planted et al. 2099 (`p`) | 2 |" in summary and "(../docs/R.md)" in summary
    new = readme.read_text()
    assert "old text" not in new and new.startswith("# Title\n\n## Reproducing\n\n")
    assert new.endswith("<!-- /reproduction-summary -->\n\n## Next\n")
    assert "[R.md](docs/R.md) is the report of the run" in new  # linked from the README
    assert "| Planted et al. 2099 (`p`) | 2 |" in new
    # A diagnosis written after the run is not the run's: the report keeps the stored one.
    _replace("p.a", diagnosis="written later")
    record, = runner.run(["p.a"], out=str(out), seeds=(0,), verbose=False)
    assert record["diagnosis"] == "the run is short"
    readme.write_text("no markers")
    with pytest.raises(ValueError, match="has no <!-- reproduction-summary --> ... "
                                         "<!-- /reproduction-summary --> markers"):
        runner.run(out=str(out), seeds=(0,), readme=str(readme), verbose=False)


def test_threads_per_worker():
    assert jobs.threads(2, cores=2) == (1, 1)
    assert jobs.threads(4, cores=2) == (1, 1)
    assert jobs.threads(2, cores=8) == (4, 2)
    assert jobs.threads(1, cores=2) == (2, 2)


def _interval(out, record):
    path = os.path.join(out, "runs", record["setup_hash"][:12], record["id"], "interval.json")
    with open(path) as f:
        return json.load(f)


def test_two_jobs_run_in_parallel_and_write_the_records_one_job_does(claims, tmp_path):
    claims(planted.claim("a", cpu_hours=0.1), planted.claim("b", cpu_hours=0.3),
           planted.claim("c", cpu_hours=0.2, config=_config(5)))
    one = runner.run(out=str(tmp_path / "one"), seeds=(0, 1), verbose=False)
    two = runner.run(out=str(tmp_path / "two"), seeds=(0, 1), jobs=2, verbose=False)
    assert [_stable(r) for r in two] == [_stable(r) for r in one]
    assert [r["id"] for r in two] == ["p.a", "p.b", "p.c"]  # registry order, not run order
    spans = {r["id"]: _interval(str(tmp_path / "two"), r) for r in two}
    assert spans["p.b"][2] != spans["p.c"][2] and os.getpid() not in {s[2] for s in
                                                                       spans.values()}
    # Each worker's TensorFlow gets its share of the cores, set before it loads.
    assert {s[3] for s in spans.values()} == {str(jobs.threads(2)[0])}
    # Longest first: b and c started together, a after one of them finished; b and c overlap.
    assert spans["p.a"][0] >= min(spans["p.b"][1], spans["p.c"][1])
    assert max(spans["p.b"][0], spans["p.c"][0]) < min(spans["p.b"][1], spans["p.c"][1])
    for name in ("p.a", "p.b", "p.c"):
        assert (tmp_path / "two" / "claims" / f"{name}.json").exists()
    # A finished run is read back with jobs too.
    assert runner.run(out=str(tmp_path / "two"), seeds=(0, 1), jobs=2, verbose=False) == \
        json.loads(json.dumps(two))


def test_a_crash_in_one_claim_keeps_the_others(claims, tmp_path):
    claims(planted.claim("a"), planted.claim("crash", experiment=planted.crash),
           planted.claim("dies", experiment=planted.dies, cpu_hours=1.0))
    records = runner.run(out=str(tmp_path), seeds=(0,), jobs=2, verbose=False)
    a, crash, dies = records
    assert a["verdict"] == REPRODUCED
    assert crash["verdict"] == "error" and crash["reason"] == "RuntimeError: planted crash"
    assert "Traceback" in crash["error"]
    assert dies["verdict"] == "error" and "exited with code 3" in dies["reason"]
    assert sorted(os.listdir(tmp_path / "claims")) == ["p.a.json"]  # errors rerun next time
    text = (tmp_path / "REPORT.md").read_text()
    assert "2 failed with an error" in text and "RuntimeError: planted crash" in text


def test_a_claim_that_does_not_pickle_is_sent_by_id():
    # The worker then takes it from its own registry (the claim modules register it there).
    assert jobs._payload(planted.claim("a", verdict=lambda r: (REPRODUCED, ""))) is None
    sent = jobs._payload(planted.claim("a", config=lambda: {"x": 1}))  # the config stays home
    assert sent is not None
    assert pickle.loads(sent) == planted.claim("a")


SIGTERM_SCRIPT = '''
import sys
sys.path.insert(0, {tests!r})
import planted_claims as planted
import tfgan_reg.reproduce.registry as registry
import tfgan_reg.reproduce.runner as runner
registry.PAPERS.update(planted.PAPER)
registry.register(planted.claim("a"))
registry.register(planted.claim("forever", experiment=planted.forever, cpu_hours=1.0))
runner.run(out={out!r}, seeds=(0,), jobs=2, verbose=False)
'''


def test_sigterm_stops_the_workers_and_keeps_finished_records(tmp_path):
    out = str(tmp_path / "out")
    script = SIGTERM_SCRIPT.format(tests=os.path.dirname(__file__), out=out)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], env=env)
    record = os.path.join(out, "claims", "p.a.json")
    pid_files = []
    deadline = time.time() + 120
    while time.time() < deadline and not (os.path.exists(record) and pid_files):
        time.sleep(0.2)
        runs = os.path.join(out, "runs")
        pid_files = [os.path.join(r, f) for r, _, files in os.walk(runs) for f in files
                     if f == "pid"] if os.path.isdir(runs) else []
    assert os.path.exists(record) and pid_files, "the planted run did not start in time"
    with open(pid_files[0]) as f:
        worker = int(f.read())
    parent.send_signal(signal.SIGTERM)
    assert parent.wait(60) != 0
    with pytest.raises(ProcessLookupError):  # the worker of `p.forever` was stopped
        for _ in range(50):
            os.kill(worker, 0)
            time.sleep(0.1)
    assert json.load(open(record))["verdict"] == REPRODUCED
    assert "`p.a`" in open(os.path.join(out, "REPORT.md")).read()
    assert not os.path.exists(os.path.join(out, "claims", "p.forever.json"))


def test_list_shows_cost_and_beyond_the_paper(claims):
    claims(planted.claim("a", cpu_hours=1.25, beyond_paper=True), planted.claim("b"),
           planted.claim("g", gpu=True, experiment=None, verdict=None))
    assert report.listing(registry.get(())) == [
        "p.a                          Planted et al. 2099, Table 9 (1.25 CPU-h, beyond the "
        "paper)",
        "p.b                          Planted et al. 2099, Table 9 (CPU-h not measured)",
        "p.g                          Planted et al. 2099, Table 9 (needs a GPU)"]


def test_a_partial_report_says_which_claims_are_still_to_run(claims, tmp_path):
    claims(planted.claim("a"), planted.claim("b"))
    out = tmp_path / "out"
    seen = []
    real_write = report.write_report

    def spy(records, out_dir, path=None, pending=()):
        seen.append((len(records), list(pending), open(real_write(
            records, out_dir, path, pending=pending)).read()))
        return path

    with mock.patch.object(report, "write_report", spy):
        runner.run(out=str(out), seeds=(0,), verbose=False)
    first, last = seen[0], seen[-1]
    assert first[:2] == (1, ["p.b"])
    assert "**Run in progress**: 1 claims not judged yet (`p.b`)" in first[2]
    assert last[:2] == (2, []) and "Run in progress" not in last[2]
    assert "Run in progress" not in (out / "summary.md").read_text()


def test_fits_compares_the_estimate_with_the_time_left():
    c = planted.claim("a", cpu_hours=0.5)
    assert runner.fits(c, None)
    assert runner.fits(c, deadline=1000.0 + 1800.0, now=1000.0)
    assert not runner.fits(c, deadline=1000.0 + 1799.0, now=1000.0)
    assert runner.fits(planted.claim("b"), deadline=1000.0, now=1000.0)  # not measured: 0


@pytest.mark.parametrize("jobs_", [1, 2])
def test_hours_starts_only_the_claims_that_fit_and_reports_the_rest(claims, tmp_path, jobs_):
    claims(planted.claim("a", cpu_hours=1.0), planted.claim("b", cpu_hours=0.3),
           planted.claim("c", cpu_hours=0.2))
    out, readme = tmp_path / "out", tmp_path / "README.md"
    readme.write_text("<!-- reproduction-summary -->\nold\n<!-- /reproduction-summary -->\n")
    records = runner.run(out=str(out), seeds=(0,), jobs=jobs_, hours=0.25, readme=str(readme),
                         verbose=False)
    assert [r["id"] for r in records] == ["p.c"]
    assert sorted(os.listdir(out / "claims")) == ["p.c.json"]
    line = "**Run in progress**: 2 claims not judged yet (`p.a`, `p.b`)"
    assert line in (out / "REPORT.md").read_text()
    assert line in readme.read_text() and "old" not in readme.read_text()
    # The next run, without a limit, judges the rest and reuses c.
    records = runner.run(out=str(out), seeds=(0,), jobs=jobs_, readme=str(readme),
                         verbose=False)
    assert [r["id"] for r in records] == ["p.a", "p.b", "p.c"]
    assert "Run in progress" not in readme.read_text()


@pytest.mark.parametrize("hours", [0, -1.0, True, "2"])
def test_hours_must_be_a_positive_number(claims, tmp_path, hours):
    claims(planted.claim("a"))
    with pytest.raises(ValueError, match=f"hours={hours!r}"):
        runner.run(out=str(tmp_path), hours=hours, verbose=False)


def test_a_gpu_record_is_kept_until_its_words_change(claims, tmp_path):
    revision = registry.Revision(changed="the setup", why="a reason", before="needs a GPU")
    gpu = registry.Claim(id="p.g", where="Table 10", statement="big claim", paper="9.9",
                         setup="GPU", rule="not judged here", gpu=True, history=(revision,),
                         command="python train.py --big")
    claims(gpu)
    out = str(tmp_path)
    first, = runner.run(out=out, verbose=False)
    path = tmp_path / "claims" / "p.g.json"
    stored = json.loads(path.read_text())
    stored["commit"], stored["date"] = "0123abc", "2000-01-01"  # as if from an older run
    path.write_text(json.dumps(stored))
    again, = runner.run(out=out, verbose=False)
    assert (again["commit"], again["date"]) == ("0123abc", "2000-01-01")
    assert json.loads(path.read_text()) == stored  # not rewritten
    _replace("p.g", setup="GPU, 8 of them")  # its words changed: written anew
    changed, = runner.run(out=out, verbose=False)
    assert changed["commit"] == first["commit"] and changed["setup"] == "GPU, 8 of them"
    assert json.loads(path.read_text())["commit"] == first["commit"]
