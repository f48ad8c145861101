"""`reproduce`: the registry, the resuming runner and its report (the small-game claims' rules
are in test_reproduce_dynamics.py)."""
import dataclasses
import json
import os

import pytest

from tfgan_reg import reproduce
from tfgan_reg.reproduce import registry, runner
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, REPRODUCED


def _fake_claims(monkeypatch, calls, fail_second=False):
    """Two registered claims of a planted paper `p` whose experiments count their calls; the
    second can fail once (an interruption)."""
    monkeypatch.setattr(registry, "_REGISTRY", {})
    monkeypatch.setattr(registry, "PAPERS", {"p": "Planted et al. 2099"})

    def experiment(name):
        def run(ctx):
            calls.append(name)
            if name == "p.b" and fail_second and calls.count("p.b") == 1:
                raise KeyboardInterrupt("simulated interruption")
            path = ctx.picture(f"{name}.png")
            with open(path, "wb") as f:
                f.write(b"\x89PNG")
            return {"ours": f"value of {name}: {len(ctx.seeds)} seeds", "value": 7,
                    "pictures": [path]}
        return run

    for name in ("p.a", "p.b"):
        registry.register(registry.Claim(
            id=name, where="Table 9", statement=f"claim {name}",
            paper="7", setup="planted", rule="reproduced when value is 7",
            experiment=experiment(name),
            verdict=lambda r: (REPRODUCED, "7") if r["value"] == 7 else (NOT_REPRODUCED, "")))
    registry.register(registry.Claim(
        id="p.g", where="Table 10", statement="big claim", paper="9.9",
        setup="GPU", rule="not judged here", gpu=True, command="python train.py --big"))


def test_an_interrupted_run_resumes_without_rerunning_finished_claims(monkeypatch, tmp_path):
    calls = []
    _fake_claims(monkeypatch, calls, fail_second=True)
    with pytest.raises(KeyboardInterrupt):
        reproduce.run(out=str(tmp_path), seeds=(0, 1), verbose=False)
    assert calls == ["p.a", "p.b"]
    assert os.path.exists(tmp_path / "claims" / "p.a.json")
    assert not os.path.exists(tmp_path / "claims" / "p.b.json")  # interrupted: no record
    records = reproduce.run(out=str(tmp_path), seeds=(0, 1), verbose=False)
    assert calls == ["p.a", "p.b", "p.b"]  # p.a was read back, not rerun
    assert [r["verdict"] for r in records] == [REPRODUCED, REPRODUCED, "needs a GPU"]
    # Other seeds or quick mode make a different run: the claims run again.
    reproduce.run(["p.a"], out=str(tmp_path), seeds=(0,), verbose=False)
    assert calls == ["p.a", "p.b", "p.b", "p.a"]


def test_a_diagnosis_is_the_runs_and_a_new_rule_is_refused(monkeypatch, tmp_path):
    calls = []
    _fake_claims(monkeypatch, calls)
    reproduce.run(["p.a"], out=str(tmp_path), seeds=(0,), verbose=False)
    claim = registry._REGISTRY["p.a"]
    # A diagnosis written after the run is not stored with it: the record keeps its own.
    registry._REGISTRY["p.a"] = dataclasses.replace(claim, diagnosis="found after the run")
    record, = reproduce.run(["p.a"], out=str(tmp_path), seeds=(0,), verbose=False)
    assert calls == ["p.a"] and record["diagnosis"] == ""
    registry._REGISTRY["p.a"] = dataclasses.replace(claim, rule="reproduced when value is 8")
    with pytest.raises(ValueError, match="The verdict hash of claim 'p.a' differs"):
        reproduce.run(["p.a"], out=str(tmp_path), seeds=(0,), verbose=False)
    assert calls == ["p.a"]


def test_a_verdict_outside_the_three_is_refused_and_leaves_no_record(monkeypatch, tmp_path):
    calls = []
    _fake_claims(monkeypatch, calls)
    claim = registry._REGISTRY["p.a"]
    registry._REGISTRY["p.a"] = dataclasses.replace(claim, verdict=lambda r: ("maybe", "?"))
    with pytest.raises(ValueError, match=r"`verdict` must be one of \['reproduced', 'partly', "
                                         r"'not reproduced'\]. Received: verdict='maybe'"):
        reproduce.run(["p.a"], out=str(tmp_path), seeds=(0,), verbose=False)
    assert not os.path.exists(tmp_path / "claims" / "p.a.json")


def test_report_shows_what_the_runs_wrote(monkeypatch, tmp_path):
    calls = []
    _fake_claims(monkeypatch, calls)
    report = tmp_path / "docs" / "REPORT.md"
    report.parent.mkdir()
    reproduce.run(out=str(tmp_path / "out"), seeds=(0, 1, 2), report=str(report),
                  verbose=False)
    with open(tmp_path / "out" / "report.json") as f:
        records = json.load(f)
    text = report.read_text()
    for r in records[:2]:
        assert r["result"]["ours"] == f"value of {r['id']}: 3 seeds"
        assert f"| {r['result']['ours']} | **reproduced** |" in text
        # Pictures are linked relative to the report, wherever it is written.
        link = os.path.join("..", "out", "pictures", r["id"], f"{r['id']}.png")
        assert f"]({link})" in text
        assert (report.parent / link).exists()
    assert "## Needs a GPU and the data set" in text and "`python train.py --big`" in text
    assert "| `p.a` (Planted et al. 2099, Table 9): claim p.a |" in text


# Claims that run here and claims that need a GPU: a claim module dropped from `reproduce`, or
# a claim renamed or moved between the two, shows here.
RUN_HERE = {"mescheder.table1", "mescheder.critical", "icr.quadratic", "icr.icr_drift",
            "icr.adam_vs_acgd", "roth.fig6_submanifold", "roth.fig1_submanifold",
            "roth.cross_test", "dragan.fig8_ring8",
            "dragan.collapse_rarer", "dragan.bogonet", "dragan.fdiv_robustness",
            "zerogp.collapse", "zerogp.ranking", "zerogp.smoother_than_1gp",
            "zerogp.smoother_than_sample", "zerogp.closest_to_optimal"}
NEEDS_A_GPU = {"dragan.cifar10_is", "icr.cifar10_grid", "roth.celeba_lsun"}


def test_registry_checks():
    every = reproduce.registry.claims()
    assert RUN_HERE <= {i for i, c in every.items() if not c.gpu}
    assert NEEDS_A_GPU <= {i for i, c in every.items() if c.gpu}
    # Every claim states its rule and setup (the registry checks the experiment and verdict).
    assert all(c.rule and c.setup for c in every.values())
    with pytest.raises(ValueError, match="runs on this machine: it needs an experiment and a "
                                         "verdict rule"):
        registry.register(dataclasses.replace(every["mescheder.table1"], id="mescheder.new",
                                              verdict=None))
    with pytest.raises(ValueError, match=r"`claims` must be one of \[.*'mescheder.table1'.*\]. "
                                         r"Received: claims='mescheder.tabel1'"):
        reproduce.get(["mescheder.tabel1"])
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(every["mescheder.table1"])
    with pytest.raises(ValueError, match=r"'table1' must start with a paper of \['dragan', "):
        registry.register(dataclasses.replace(every["mescheder.table1"], id="table1"))
    with pytest.raises(ValueError, match="must start with a paper"):
        registry.register(dataclasses.replace(every["mescheder.table1"], id="mescheder"))
    assert every["icr.quadratic"].citation == "Schaefer et al. 2020"


def test_one_claim_end_to_end_in_quick_mode(tmp_path):
    # Mescheder et al.'s critical values, run for real at quick size: the record, report.json and
    # REPORT.md carry the numbers the experiment computed, and a second run reads them back.
    out = str(tmp_path)
    (record,) = reproduce.run(["mescheder.critical"], out=out, quick=True, verbose=False)
    result = record["result"]
    assert abs(result["sigma_c"] - 2 ** 0.5) < 2e-3 and abs(result["gamma_c"] - 1) < 2e-3
    assert record["verdict"] == REPRODUCED and record["quick"]
    with open(tmp_path / "report.json") as f:
        assert json.load(f)[0]["result"]["sigma_c"] == result["sigma_c"]
    text = (tmp_path / "REPORT.md").read_text()
    assert "**Quick mode**" in text and f"sigma_c {result['sigma_c']:.6f}" in text
    again = runner.run_claim(registry.get(["mescheder.critical"])[0], out, seeds=(0, 1, 2, 3, 4),
                             quick=True, verbose=False)
    assert again == json.loads(json.dumps(record))


@pytest.mark.slow
def test_a_real_claim_in_two_workers_gives_the_record_of_one_process(tmp_path, monkeypatch):
    # Mescheder et al.'s critical values at quick size, in a spawned worker that loads
    # TensorFlow itself; one of them sent by id (as a claim that does not pickle is), which the
    # worker finds in its own registry.
    ids = ["mescheder.critical", "icr.quadratic"]
    one = reproduce.run(ids, out=str(tmp_path / "one"), quick=True, verbose=False)
    from tfgan_reg.reproduce import jobs  # pylint: disable=import-outside-toplevel
    payload = jobs._payload
    monkeypatch.setattr(jobs, "_payload",
                        lambda claim: None if claim.id == ids[0] else payload(claim))
    two = reproduce.run(ids, out=str(tmp_path / "two"), quick=True, jobs=2, verbose=False)
    volatile = ("wall_seconds", "compute_seconds", "date")
    assert [{k: v for k, v in r.items() if k not in volatile} for r in two] == \
        [{k: v for k, v in r.items() if k not in volatile} for r in json.loads(json.dumps(one))]
