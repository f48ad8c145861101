"""DRAGAN (Kodali et al. 2017) on offline images: the BogoNet stability score (section 5.2,
Table 1, supplement 3) and the robustness across f-divergences with the 4-layer 512-unit ReLU
MLP generator (section 5.3, figure 3, supplement 2.5).

Both run on scikit-learn's `digits` (1,797 real 8x8 digits) and are scored during training by
the project's digits classifier (the paper's "inception score with a dagger", supplement;
`eval.classifier="domain"`). `mnist5k` (28x28) was measured too slow for the budget: one
400-step run of the f-divergence setup took 305 s there against 29-46 s on digits (the shared
2-core machine, nice'd, other runs active).

A run whose losses become non-finite stops with `training.TrainingDiverged`; it counts as
failed, and its score curve is continued at IS 1.0 (a generator that gives no class
distribution at all scores the floor) from the first evaluation it did not reach.

DRAGAN everywhere: lam 10, C 0.5 (`perturbed = x + C * std(x) * U[0, 1)`, `x^ = x + a *
delta`), one D step per G step (the paper's section 3.2; the authors' notebook
kodalinaveen3/DRAGAN uses the same lam and C with Adam(1e-4, 0.5, 0.9)).
"""
import math
import os

import numpy as np

from tfgan_reg import config_lib
from tfgan_reg.training import evaluation
from tfgan_reg import training
from tfgan_reg.eval import plots
from tfgan_reg.experiments import bogonet as bogonet_lib
from tfgan_reg.nets import bogonet as bogonet_nets
from tfgan_reg.reproduce import registry
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, PARTLY, REPRODUCED

DATA = "digits"
METHODS = ("none", "dragan")
LABELS = {"none": "vanilla", "dragan": "DRAGAN"}
FLOOR_IS = 1.0  # the score a diverged run is given after it stopped

# ---- shared: one run with its score curve -------------------------------------------------------


def eval_steps(config):
    """The steps at which `config` evaluates: every `eval.every` up to `train.num_steps`."""
    every, total = config.eval.every, config.train.num_steps
    return list(range(every, total + 1, every))


def scored_run(config, workdir):
    """Trains one run (read back when it finished before) and returns its curve: {"steps",
    "is", "fid" (one per evaluation step of the config), "diverged", "message"}. A diverged
    run's missing evaluations are IS `FLOOR_IS` and FID inf; a non-finite IS counts as the
    floor too."""
    path = os.path.join(workdir, "curve.json")
    result = registry.read_json(path)
    if result is not None:
        return result
    message = ""
    try:
        training.train_and_evaluate(config, workdir, verbose=False)
        diverged = False
    except training.TrainingDiverged as e:
        diverged, message = True, str(e).split(";")[0]
    rows = {}
    if os.path.exists(os.path.join(workdir, evaluation.EVAL_CSV)):
        rows = {r["step"]: r for r in evaluation.read_eval_csv(workdir)}
    steps = eval_steps(config)
    scores, fids = [], []
    for s in steps:
        r = rows.get(s)
        value = r["is"] if r is not None else FLOOR_IS
        scores.append(float(value) if math.isfinite(value) else FLOOR_IS)
        fids.append(float(r["fid"]) if r is not None else float("inf"))
    result = {"steps": steps, "is": scores, "fid": fids, "diverged": diverged,
              "message": message}
    registry.write_json(path, result)
    return result


def _base_train(config, num_steps, every, num_samples):
    # One chunk of `fit` per evaluation; XLA would recompile each chunk and was measured
    # slower for these small networks on this CPU (200 steps with an evaluation every 50:
    # 58 s with jit_compile, 27 s without).
    config.train.update(num_steps=num_steps, checkpoint_every=num_steps, max_checkpoints=1,
                        log_every=min(50, num_steps), jit_compile=False)
    config.eval.update(every=every, num_samples=num_samples, classifier="domain")
    return config


# ---- dragan.bogonet (section 5.2, Table 1) ------------------------------------------------------

BOGO_PAIRS = 10          # the paper: 100 pairs for the table (150 drawn, 50 judged by eye)
BOGO_STEPS = 250         # generator steps per run
BOGO_EVALS = 5           # evaluations per run (IS every BOGO_STEPS / BOGO_EVALS steps)
BOGO_SAMPLES = 500       # generated digits per evaluation
BOGO_QUICK = dict(pairs=1, steps=20, evals=2, samples=100)
# The paper's Table 1 (CIFAR-10, 100 architecture pairs).
PAPER_TABLE1 = {"none": {"final_mean": 2.91, "final_std": 1.44, "auc_mean": 277.72,
                         "auc_std": 126.09, "intercept_mean": 2.48, "slope_mean": 0.00654},
                "dragan": {"final_mean": 3.70, "final_std": 1.71, "auc_mean": 312.15,
                           "auc_std": 135.35, "intercept_mean": 2.33, "slope_mean": 0.01658}}


def bogonet_config(pair_seed, method, *, num_steps=BOGO_STEPS, evals=BOGO_EVALS,
                   num_samples=BOGO_SAMPLES):
    """One BogoNet run on digits: `configs/bogonet.py:digits` (non-saturating loss, Adam(2e-4,
    0.5, 0.999), batch 64, widths x 0.25, IS by the digits classifier) with the pair drawn from
    `pair_seed` (also the run's seed) and `method` `none` or `dragan`, `num_steps` generator
    steps and `evals` evaluations."""
    config = config_lib.base_config()
    config.data.name = DATA
    pair = bogonet_nets.sample_pair(pair_seed, 0.25)
    config.model.update(arch="bogonet", bogonet_seed=pair_seed, bogonet_scale=0.25,
                        latent_dim=pair["latent_dim"])
    config.loss = "non_saturating"
    config.penalty = config_lib.penalty_config(method)
    config.seed = pair_seed
    config.train.update(batch_size=64, d_learning_rate=2e-4, g_learning_rate=2e-4,
                        beta1=0.5, beta2=0.999)
    return _base_train(config, num_steps, max(num_steps // evals, 1), num_samples)


def _bogonet(ctx):
    size = BOGO_QUICK if ctx.quick else dict(pairs=BOGO_PAIRS, steps=BOGO_STEPS,
                                             evals=BOGO_EVALS, samples=BOGO_SAMPLES)
    pairs, stats = [], {m: [] for m in METHODS}
    for pair_seed in range(size["pairs"]):
        pair = bogonet_nets.sample_pair(pair_seed, 0.25)
        entry = {"pair": pair_seed, "latent_dim": pair["latent_dim"],
                 "generator": bogonet_nets.describe(pair["generator"]),
                 "discriminator": bogonet_nets.describe(pair["discriminator"]), "curves": {}}
        for method in METHODS:
            config = bogonet_config(pair_seed, method, num_steps=size["steps"],
                                    evals=size["evals"], num_samples=size["samples"])
            workdir = os.path.join(ctx.out, f"pair{pair_seed:03d}", method)
            ctx.log(f"bogonet pair {pair_seed} {method}: G {entry['generator']}, "
                    f"D {entry['discriminator']}")
            curve = scored_run(config, workdir)
            s = bogonet_lib.curve_stats(curve["steps"], curve["is"])
            stats[method].append(s)
            entry["curves"][method] = {**curve, **s}
        pairs.append(entry)
    table = bogonet_lib.table(stats)
    picture = _bogonet_picture(ctx, pairs)
    v, d = table["none"], table["dragan"]
    better = sum(p["curves"]["dragan"]["final"] > p["curves"]["none"]["final"] for p in pairs)
    diverged = {m: sum(p["curves"][m]["diverged"] for p in pairs) for m in METHODS}
    ours = (f"{len(pairs)} pairs, {size['steps']} steps: final IS vanilla "
            f"{v['final_mean']:.2f} +- {v['final_std']:.2f} vs DRAGAN {d['final_mean']:.2f} +- "
            f"{d['final_std']:.2f}; AUC {v['auc_mean']:.2f} vs {d['auc_mean']:.2f}; mean slope "
            f"{v['slope_mean']:.2e} vs {d['slope_mean']:.2e} per step; DRAGAN's final IS higher "
            f"in {better}/{len(pairs)} pairs; diverged vanilla {diverged['none']}, DRAGAN "
            f"{diverged['dragan']}; per pair final IS (vanilla/DRAGAN): "
            + ", ".join(f"{p['pair']}: {p['curves']['none']['final']:.2f}/"
                        f"{p['curves']['dragan']['final']:.2f}" for p in pairs))
    return {"ours": ours, "table": table, "pairs": pairs, "steps": size["steps"],
            "pictures": [picture]}


def _bogonet_picture(ctx, pairs):
    panels = {f"pair {p['pair']}": {LABELS[m]: (p["curves"][m]["steps"], p["curves"][m]["is"])
                                    for m in METHODS} for p in pairs}
    return _curve_panels_png(ctx.picture("bogonet_is_curves.png"), panels,
                             title="Kodali et al. BogoNet on digits: IS (digits classifier) over "
                                   "training, per random pair")


def _curve_panels_png(path, panels, *, title, columns=5):
    """One small axes per panel ({label: (steps, values)} each; a label ending in ` seed k`
    with k > 0 is dashed)."""
    import matplotlib.pyplot as plt  # plots chose the Agg backend on import
    names = list(panels)
    rows = max(1, math.ceil(len(names) / columns))
    cols = min(columns, len(names))
    fig, axes = plt.subplots(rows, cols, figsize=(2.4 * cols, 1.9 * rows), squeeze=False,
                             sharey=True)
    colours = {"vanilla": "tab:red", "DRAGAN": "tab:blue"}
    for ax, name in zip(axes.flat, names):
        for label, (steps, values) in panels[name].items():
            method, _, seed = label.partition(" seed ")
            ax.plot(steps, values, color=colours.get(method), lw=1.2,
                    ls="--" if seed not in ("", "0") else "-", label=label)
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6)
    axes.flat[0].set_ylabel("IS", fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return plots._save(fig, path)


def bogonet_verdict(result):
    """Kodali et al.'s Table 1: DRAGAN's mean final IS and mean slope above vanilla's, and its final
    IS higher in a majority of the pairs."""
    table, pairs = result["table"], result["pairs"]
    n = len(pairs)
    v, d = table["none"], table["dragan"]
    better = sum(p["curves"]["dragan"]["final"] > p["curves"]["none"]["final"] for p in pairs)
    held = {"mean final IS": d["final_mean"] > v["final_mean"],
            "mean slope": d["slope_mean"] > v["slope_mean"],
            "majority of pairs": better >= registry.majority(n)}
    holds = ", ".join(k for k, ok in held.items() if ok) or "none of the three"
    text = (f"mean final IS DRAGAN {d['final_mean']:.2f} vs vanilla {v['final_mean']:.2f}, "
            f"mean slope {d['slope_mean']:.2e} vs {v['slope_mean']:.2e}, DRAGAN higher in "
            f"{better}/{n} pairs (a majority is {registry.majority(n)}); holds: {holds}")
    count = sum(held.values())
    if count == len(held):
        return REPRODUCED, text
    if count:
        return PARTLY, text
    return NOT_REPRODUCED, text


registry.register(registry.Claim(
    id="dragan.bogonet", where="section 5.2, Table 1, supplement 3",
    statement="Across random generator / discriminator architecture pairs (BogoNet), DRAGAN "
              "trains more stably than the vanilla GAN: a higher final inception score and a "
              "2.5 times larger mean slope of the linear fit to the score curve.",
    paper="CIFAR-10, 100 pairs: final IS vanilla 2.91 +- 1.44 vs DRAGAN 3.70 +- 1.71; AUC "
          "277.72 +- 126.09 vs 312.15 +- 135.35; mean intercept 2.48 vs 2.33; mean slope "
          "0.00654 vs 0.01658 (2.5x); blind qualitative bounty 92.5 vs 157.5 of 250.",
    setup=f"{BOGO_PAIRS} BogoNet pairs (seeds 0-{BOGO_PAIRS - 1}: the pair's seed draws both "
          f"architectures, DCGAN 0.6 / ResNet 0.2 / MLP 0.2, and is the run's seed; ctx.seeds "
          f"are not used), each trained vanilla (non-saturating, no penalty) and with DRAGAN "
          f"(lam 10, C 0.5) on digits 8x8 with `configs/bogonet.py:digits` (widths x 0.25, "
          f"Adam(2e-4, 0.5, 0.999), batch 64; `dragan_claims.bogonet_config`) for "
          f"{BOGO_STEPS} generator steps, IS of {BOGO_SAMPLES} samples by the digits "
          f"classifier every {BOGO_STEPS // BOGO_EVALS} steps; Table 1's statistics by "
          f"`experiments.bogonet.curve_stats` / `table` (AUC: trapezoid, one unit per "
          f"evaluation). The paper: 100 pairs on CIFAR-10 with TF-GAN's Inception, full-size "
          f"networks and many more steps (not stated). Digits, {BOGO_STEPS} steps and "
          f"{BOGO_PAIRS} pairs are what fits the budget (this claim and dragan.fdiv_robustness "
          f"together ~25 min on the shared 2-core CPU): only the start of training is tested.",
    rule="three conditions: DRAGAN's mean final IS above vanilla's; DRAGAN's mean slope of "
         "the linear fit above vanilla's; DRAGAN's final IS above vanilla's in a majority of "
         "the pairs (6 of 10). Reproduced when all three hold, partly when one or two hold, "
         "otherwise not reproduced. A diverged run (non-finite loss) scores IS 1.0 from its "
         "first missed evaluation on.",
    diagnosis="Not reproduced (full run, 10 pairs, 250 steps): vanilla is ahead, not DRAGAN. "
              "Final IS vanilla 3.27 +- 0.84 vs DRAGAN 2.82 +- 1.06 (real digits 9.85), AUC "
              "12.48 vs 11.49, mean slope 1.93e-03 vs 2.6e-05 per step; DRAGAN higher in 2/10 "
              "pairs (2: 4.13 vs 4.07, 4: 4.56 vs 4.08), within 0.13 in 4 (3, 6, 8, 9), lower by "
              "0.5-0.9 in 3 (0, 1, 5), and in pair 7 (ResNet G against a spectrally normalised "
              "ResNet D) DRAGAN rose to 4.90 at step 100 and collapsed to 1.32 while vanilla "
              "peaked at 4.92 and ended at 3.78. No run diverged. 250 steps (~9 epochs of "
              "digits) are the start of training, where DRAGAN's penalty slows learning (as on "
              "the toy mixtures, dragan's toy claims) and vanilla has not yet collapsed, which is "
              "the failure the paper's slope statistic rewards DRAGAN for avoiding. A 1,250-step "
              "check after the run (pair 0) keeps the order: vanilla 2.63 -> 6.31, rising "
              "throughout, DRAGAN 2.43 -> 4.46 (flat near 2.1-2.9 until step 1,000, then "
              "rising); on pair 7 vanilla stays at 3.7-5.5 without collapse over 1,250 steps "
              "while DRAGAN falls from 4.37 (step 125) to 1.32 (250) and 1.00 (1,250). "
              "Within the budget the claim is not supported on digits; whether DRAGAN overtakes "
              "over a CIFAR-10-length run is not tested.",
    experiment=_bogonet, verdict=bogonet_verdict))


# ---- dragan.fdiv_robustness (section 5.3, figure 3, supplement 2.5) ----------------------------

DIVERGENCES = ("kl", "reverse_kl", "pearson", "squared_hellinger", "total_variation")
DIVERGENCE_LABELS = {"kl": "forward KL", "reverse_kl": "reverse KL", "pearson": "Pearson chi^2",
                     "squared_hellinger": "squared Hellinger",
                     "total_variation": "total variation"}
FDIV_STEPS = 400
FDIV_EVALS = 4
FDIV_SAMPLES = 500
FDIV_SEEDS = 2  # a prefix of ctx.seeds
FDIV_QUICK = dict(divergences=("reverse_kl",), steps=10, evals=2, samples=100, seeds=1)
# A run is stable when it did not diverge, its final IS is at least STABLE_IS (1 is one class
# only; 2 is the score of samples spread evenly and confidently over two classes) and at least
# COLLAPSE_FRACTION of its best IS so far (no collapse at the end).
STABLE_IS = 2.0
COLLAPSE_FRACTION = 0.5


def fdiv_config(divergence, method, *, num_steps=FDIV_STEPS, evals=FDIV_EVALS,
                num_samples=FDIV_SAMPLES):
    """Kodali et al. 2017, section 5.3, on digits
    (`configs/fdiv_mlp_g.py:<divergence>-<method>-digits`): the "4-layer 512-dim ReLU MLP generator"
    (`dcgan_mlp_g`, tanh output) against the DCGAN discriminator with layer normalisation (width
    64), f-GAN loss `divergence` with Nowozin et al.'s generator loss (`alternative`), `method` none
    or dragan (lam 10, C 0.5), Adam(1e-4, 0.5, 0.9) (the authors' code), batch 64, latent 128; IS by
    the digits classifier."""
    config = config_lib.base_config()
    config.data.name = DATA
    config.model.update(arch="dcgan_mlp_g", latent_dim=128, d_width=64,
                        d_normalization="layer")
    config.loss = divergence
    config.generator_loss = "alternative"
    config.penalty = config_lib.penalty_config(method)
    config.train.update(batch_size=64, d_learning_rate=1e-4, g_learning_rate=1e-4,
                        beta1=0.5, beta2=0.9)
    config_lib.validate(_base_train(config, num_steps, max(num_steps // evals, 1),
                                    num_samples))
    return config


def run_stable(curve):
    """(stable, why) of one f-divergence run by the rule fixed before the full run."""
    if curve["diverged"]:
        return False, "diverged"
    final, peak = curve["is"][-1], max(curve["is"])
    if final < STABLE_IS:
        return False, f"final IS {final:.2f} < {STABLE_IS}"
    if final < COLLAPSE_FRACTION * peak:
        return False, f"final IS {final:.2f} < {COLLAPSE_FRACTION} x peak {peak:.2f}"
    return True, f"final IS {final:.2f}"


def _cell(curves):
    """A (divergence, method) cell over its seeds: stable, failed or mixed (majority rule)."""
    stable = sum(run_stable(c)[0] for c in curves)
    n = len(curves)
    if stable >= registry.majority(n):
        return "stable"
    if n - stable >= registry.majority(n):
        return "failed"
    return "mixed"


def _fdiv(ctx):
    size = FDIV_QUICK if ctx.quick else dict(divergences=DIVERGENCES, steps=FDIV_STEPS,
                                             evals=FDIV_EVALS, samples=FDIV_SAMPLES,
                                             seeds=FDIV_SEEDS)
    seeds = tuple(ctx.seeds[:size["seeds"]])
    table = {}
    for divergence in size["divergences"]:
        table[divergence] = {}
        for method in METHODS:
            curves = []
            for seed in seeds:
                config = fdiv_config(divergence, method, num_steps=size["steps"],
                                     evals=size["evals"], num_samples=size["samples"])
                config.seed = seed
                ctx.log(f"fdiv {divergence} {method} seed {seed}")
                curve = scored_run(config, os.path.join(ctx.out, divergence, method,
                                                        f"seed{seed}"))
                curve["stable"], curve["why"] = run_stable(curve)
                curve["seed"] = seed
                curves.append(curve)
            table[divergence][method] = {"runs": curves, "cell": _cell(curves)}
    picture = _curve_panels_png(
        ctx.picture("fdiv_is_curves.png"),
        {DIVERGENCE_LABELS[d]: {f"{LABELS[m]} seed {c['seed']}": (c["steps"], c["is"])
                                for m in METHODS for c in table[d][m]["runs"]}
         for d in table},
        title="Kodali et al. section 5.3 on digits: MLP generator, IS (digits classifier) over "
              "training", columns=5)
    ours = f"{size['steps']} steps, seeds {list(seeds)}: " + "; ".join(
        f"{DIVERGENCE_LABELS[d]}: " + ", ".join(
            f"{LABELS[m]} {table[d][m]['cell']} (final IS "
            + "/".join(f"{c['is'][-1]:.2f}" + ("*" if c["diverged"] else "")
                       for c in table[d][m]["runs"]) + ")" for m in METHODS)
        for d in table) + " (* diverged)"
    return {"ours": ours, "table": table, "steps": size["steps"], "seeds": list(seeds),
            "pictures": [picture]}


def fdiv_verdict(result):
    """Kodali et al. 2017, section 5.3: DRAGAN stable for every divergence but total variation,
    vanilla failed for every divergence."""
    table = result["table"]
    non_tv = [d for d in table if d != "total_variation"]
    dragan_stable = [d for d in non_tv if table[d]["dragan"]["cell"] == "stable"]
    vanilla_failed = [d for d in table if table[d]["none"]["cell"] == "failed"]
    both = [d for d in dragan_stable if d in vanilla_failed]
    text = (f"DRAGAN stable for {len(dragan_stable)}/{len(non_tv)} non-TV divergences "
            f"({', '.join(dragan_stable) or 'none'}); vanilla failed for "
            f"{len(vanilla_failed)}/{len(table)} ({', '.join(vanilla_failed) or 'none'}); "
            f"DRAGAN stable where vanilla failed: {len(both)}")
    if len(dragan_stable) == len(non_tv) and len(vanilla_failed) == len(table):
        return REPRODUCED, text
    if len(both) >= max(1, math.ceil(len(non_tv) / 2)):
        return PARTLY, text
    return NOT_REPRODUCED, text


registry.register(registry.Claim(
    id="dragan.fdiv_robustness",
    where="section 5.3, figure 3, supplement 2.5 (figure 10)",
    statement="With the hard '4-layer 512-dim ReLU MLP generator' architecture, DRAGAN trains "
              "stably with the f-GAN divergences forward KL, reverse KL, Pearson chi^2 and "
              "squared Hellinger (not with total variation), while the vanilla algorithm fails "
              "with all five.",
    paper="Inception-score curves only (CIFAR-10): DRAGAN stable in all cases except total "
          "variation, vanilla failed in all cases.",
    setup=f"Per divergence (kl, reverse_kl, pearson, squared_hellinger, total_variation) and "
          f"method (vanilla, DRAGAN lam 10 C 0.5), seeds {list(range(FDIV_SEEDS))} (a prefix "
          f"of ctx.seeds, for the budget): `configs/fdiv_mlp_g.py:<divergence>-<method>-digits` "
          f"(`dragan_claims.fdiv_config`): the 4x512 ReLU MLP generator (tanh output) against "
          f"the DCGAN discriminator with layer norm, f-GAN generator loss 'alternative', "
          f"Adam(1e-4, 0.5, 0.9) (the authors' code), batch 64, latent 128, on digits 8x8 for "
          f"{FDIV_STEPS} generator steps, IS of {FDIV_SAMPLES} samples by the digits "
          f"classifier every {FDIV_STEPS // FDIV_EVALS} steps. The paper: CIFAR-10, TF-GAN's "
          f"Inception, training length not stated. mnist5k (28x28) measured ~7x slower per "
          f"run, so digits; {FDIV_STEPS} steps and {FDIV_SEEDS} seeds are what fits the budget "
          f"shared with dragan.bogonet (~25 min).",
    rule=f"a run is stable when it did not diverge (no TrainingDiverged), its final IS is >= "
         f"{STABLE_IS} and >= {COLLAPSE_FRACTION} x its peak IS; otherwise it failed. A "
         f"(divergence, method) cell is stable when a majority of its seeds is stable (2 of 2), "
         f"failed when a majority failed, mixed otherwise. Reproduced when DRAGAN is stable "
         f"for all four non-TV divergences and vanilla failed for all five; partly when DRAGAN "
         f"is stable and vanilla failed for at least two of the four non-TV divergences; "
         f"otherwise not reproduced.",
    diagnosis="Not reproduced (full run, 400 steps, seeds 0-1): every run of every cell, "
              "vanilla and DRAGAN, ends at IS 1.00-1.08 (peaks <= 1.09; real digits 9.85) and "
              "none diverged: the MLP generator collapses to a single image at once for every "
              "divergence, with or without DRAGAN, so the table has no stable cell (DRAGAN "
              "stable 0/4, vanilla failed 5/5). The collapse is not the budget alone: a "
              "1,800-step check (reverse KL, Adam(1e-4, 0.5, 0.9)) stayed at IS 1.00-1.09 at "
              "every 300 steps for both methods, DRAGAN's final samples identical (mean "
              "per-pixel std over 16 samples 0.004, 85 % of pixels saturated at +-1); with the paper's text's Adam defaults (1e-3, 0.9, 0.999) DRAGAN with "
              "reverse KL is at IS 1.00 over 1,200 steps, 256 samples identical and every "
              "pixel saturated, and vanilla's losses become NaN at step 138. The same "
              "generator collapses with the non-saturating GAN loss too (IS <= 1.02 at 400 "
              "steps), while the DCGAN generator against the same layer-norm D learns (IS "
              "1.2-1.6): on 8x8 digits the 4x512 MLP generator saturates its tanh output and "
              "DRAGAN's penalty around the real data does not pull it back within these "
              "runs. The paper's CIFAR-10 curves (full-size runs, length not stated) are not "
              "matched; the part 'vanilla fails with all five' holds here, but trivially.",
    experiment=_fdiv, verdict=fdiv_verdict))
