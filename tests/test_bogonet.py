"""The BogoNet protocol (Kodali et al. 2017, section 5.2): curve statistics against closed forms,
and the tool end to end on tiny random pairs scored by the digits domain classifier."""
import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tfgan_reg.experiments import bogonet

from helpers import picture

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_curve_stats_of_a_planted_line():
    steps = np.arange(0, 1001, 100)
    scores = 1.5 + 0.002 * steps  # intercept 1.5, slope 0.002, final 3.5
    s = bogonet.curve_stats(steps, scores)
    assert s["intercept"] == pytest.approx(1.5) and s["slope"] == pytest.approx(0.002)
    assert s["final"] == pytest.approx(3.5)
    # Trapezoid over 10 unit intervals of a line: 10 * mean of the end points.
    assert s["auc"] == pytest.approx(10 * (1.5 + 3.5) / 2)
    collapse = bogonet.curve_stats(steps, np.where(steps < 500, 1.0 + 0.004 * steps, 1.0))
    assert collapse["final"] == 1.0 and collapse["slope"] < s["slope"]
    with pytest.raises(ValueError, match="at least two"):
        bogonet.curve_stats([0], [1.0])


def test_table_means_and_stds():
    stats = {"a": [dict(final=1.0, auc=10.0, intercept=0.5, slope=0.1),
                   dict(final=3.0, auc=30.0, intercept=1.5, slope=0.3)]}
    row = bogonet.table(stats)["a"]
    assert row == {"pairs": 2, "final_mean": 2.0, "final_std": 1.0, "auc_mean": 20.0,
                   "auc_std": 10.0, "intercept_mean": 1.0, "slope_mean": pytest.approx(0.2)}
    assert "slope" in bogonet.format_table({"a": row}, "is").splitlines()[0]


@pytest.mark.slow
def test_bogonet_tool_on_tiny_pairs(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="",
               TFGAN_REG_CACHE_DIR=str(tmp_path / "cache"))
    args = [sys.executable, "-m", "tfgan_reg.eval", "bogonet",
            f"--config={ROOT}/configs/bogonet.py:digits", "--config.train.num_steps=6",
            "--config.eval.every=3", "--config.train.checkpoint_every=6",
            "--config.eval.num_samples=100", "--config.model.bogonet_scale=0.1",
            "--methods=none,dragan", "--pairs=2", f"--workdir={tmp_path / 'bogo'}"]
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    with open(tmp_path / "bogo" / "bogonet.json") as f:
        result = json.load(f)
    assert [p["seed"] for p in result["pairs"]] == [0, 1]
    finals, scores = {"none": [], "dragan": []}, []
    for p in result["pairs"]:
        assert set(p["curves"]) == {"none", "dragan"}
        for method, c in p["curves"].items():
            # Each curve is its own run's IS column (the IS itself: test_scores*), its
            # statistics those of the curve.
            with open(tmp_path / "bogo" / f"pair{p['seed']:03d}" / method / "eval.csv") as f:
                rows = list(csv.DictReader(f))
            assert c["steps"] == [int(r["step"]) for r in rows] == [3, 6]
            assert c["scores"] == [float(r["is"]) for r in rows]
            assert c["final"] == c["scores"][-1]
            finals[method].append(c["final"])
            scores += c["scores"]
        assert picture(tmp_path / "bogo" / "curves" / f"pair{p['seed']:03d}.png").std() > 0.05
    assert len(set(scores)) > 1  # four runs' eight evaluations, not one value
    for method, row in result["table"].items():
        assert row["pairs"] == 2 and row["final_mean"] == pytest.approx(np.mean(finals[method]))
    assert set(result["table"]) == {"none", "dragan"}
    assert bogonet.format_table(result["table"], "is") in out.stdout
    bad = subprocess.run(args[:-3] + ["--methods=none,sgd", f"--workdir={tmp_path / 'b2'}"],
                         capture_output=True, text=True, env=env, timeout=600, cwd=ROOT)
    assert bad.returncode != 0
    assert "`methods` must be a non-empty list of names from ['none', " in bad.stderr
