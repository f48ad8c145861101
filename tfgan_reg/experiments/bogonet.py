"""Kodali et al.'s BogoNet score (2017, section 5.2, supplement 3): stability of training methods
across random architecture pairs (`tfgan_reg.nets.bogonet`). Each pair is trained with each method
(a penalty name; `none` is the vanilla GAN) and scored every `eval.every` steps; per method the
table reports the final score's mean and std, the area under the score curve (one unit per
evaluation) mean and std, and the mean intercept and slope (per step) of a linear fit to each curve.
A larger slope means steadier improvement (the paper's reading of its Table 1).

  python -m tfgan_reg.eval bogonet --config=configs/bogonet.py --methods=none,dragan
      --pairs=10 --workdir=DIR

Every run lives in DIR/pairNNN/METHOD and resumes if interrupted; the result is
DIR/bogonet.json and one picture of the curves per pair in DIR/curves/.
"""
import copy
import json
import os

import numpy as np

from tfgan_reg import checks
from tfgan_reg import config_lib
from tfgan_reg.training import evaluation
from tfgan_reg import penalties as penalties_lib
from tfgan_reg import training
from tfgan_reg.eval import plots
from tfgan_reg.nets import bogonet


def curve_stats(steps, scores):
    """Final score, area under the curve (trapezoid, one unit per evaluation), and the
    intercept and slope (per step) of the least-squares line through (steps, scores)."""
    steps, scores = np.asarray(steps, np.float64), np.asarray(scores, np.float64)
    if len(steps) < 2 or len(steps) != len(scores):
        raise ValueError(f"A score curve needs at least two (step, score) points of equal "
                         f"count. Received: {len(steps)} steps, {len(scores)} scores")
    slope, intercept = np.polyfit(steps, scores, 1)
    auc = float(np.sum((scores[1:] + scores[:-1]) / 2))
    return {"final": float(scores[-1]), "auc": auc, "intercept": float(intercept),
            "slope": float(slope)}


def table(stats_by_method):
    """{method: [curve_stats, ...]} -> {method: summary row} (the paper's Table 1)."""
    out = {}
    for method, stats in stats_by_method.items():
        col = lambda k: np.array([s[k] for s in stats], np.float64)
        out[method] = {"pairs": len(stats),
                       "final_mean": float(col("final").mean()),
                       "final_std": float(col("final").std()),
                       "auc_mean": float(col("auc").mean()), "auc_std": float(col("auc").std()),
                       "intercept_mean": float(col("intercept").mean()),
                       "slope_mean": float(col("slope").mean())}
    return out


def format_table(rows, score):
    head = (f"{'method':<14}{'pairs':>6}{'final ' + score + ' mean':>16}{'std':>8}"
            f"{'AUC mean':>11}{'std':>9}{'intercept':>11}{'slope':>11}")
    lines = [head]
    for method, r in rows.items():
        lines.append(f"{method:<14}{r['pairs']:>6}{r['final_mean']:>16.3f}{r['final_std']:>8.3f}"
                     f"{r['auc_mean']:>11.2f}{r['auc_std']:>9.2f}{r['intercept_mean']:>11.3f}"
                     f"{r['slope_mean']:>11.2e}")
    return "\n".join(lines)


def read_curve(workdir, score):
    """(steps, scores) of one run's `eval.csv` column `score`."""
    rows = evaluation.read_eval_csv(workdir)
    if not rows or score not in rows[0]:
        raise ValueError(f"{workdir}/eval.csv has no {score!r} column (columns: "
                         f"{list(rows[0]) if rows else []}).")
    return [r["step"] for r in rows], [r[score] for r in rows]


def run(base, methods, *, pairs, workdir, first_seed=0, score="is", verbose=True):
    """Trains every (pair, method) run under `workdir`; returns the result dict (also written
    to workdir/bogonet.json)."""
    methods = checks.choices("methods", methods, ["none"] + penalties_lib.names())
    if not base.eval.every:
        raise ValueError("BogoNet needs score curves: set eval.every > 0.")
    result = {"methods": list(methods), "score": score, "pairs": []}
    stats = {m: [] for m in methods}
    for seed in range(first_seed, first_seed + pairs):
        pair = bogonet.sample_pair(seed, base.model.bogonet_scale)
        entry = {"seed": seed, "latent_dim": pair["latent_dim"],
                 "generator": bogonet.describe(pair["generator"]),
                 "discriminator": bogonet.describe(pair["discriminator"]), "curves": {}}
        if verbose:
            print(f"pair {seed}: G {entry['generator']}, D {entry['discriminator']}, "
                  f"latent {pair['latent_dim']}", flush=True)
        for method in methods:
            config = copy.deepcopy(base)
            config.model.update(arch="bogonet", bogonet_seed=seed,
                                latent_dim=pair["latent_dim"])
            config.penalty = config_lib.penalty_config(method)
            run_dir = os.path.join(workdir, f"pair{seed:03d}", method)
            training.train_and_evaluate(config, run_dir, verbose=False)
            steps, scores = read_curve(run_dir, score)
            s = curve_stats(steps, scores)
            stats[method].append(s)
            entry["curves"][method] = {"steps": steps, "scores": scores, **s}
            if verbose:
                print(f"  {method}: final {score} {s['final']:.3f}, AUC {s['auc']:.2f}, "
                      f"slope {s['slope']:.2e}", flush=True)
        plots.curves_png(os.path.join(workdir, "curves", f"pair{seed:03d}.png"),
                         {m: (c["steps"], c["scores"]) for m, c in entry["curves"].items()},
                         ylabel=score.upper(), title=f"pair {seed}")
        result["pairs"].append(entry)
    result["table"] = table(stats)
    with open(os.path.join(workdir, "bogonet.json"), "w") as f:
        json.dump(result, f, indent=2)
    return result
