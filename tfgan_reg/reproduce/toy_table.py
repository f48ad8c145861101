"""Claims on 2-D mixtures beyond the papers: Kodali et al.'s (DRAGAN) and Li et al.'s (0-GP)
mode-collapse statements, shown there on MNIST and CIFAR-10, tested here on ring8 and grid25;
and the runs of those tables, also used by `dragan_fig8`.

Each paper's rows run with its authors' toy code's settings: `configs/dragan_toy.py` (the
improved-WGAN toy code Kodali et al. cite) and `configs/zerogp_toy.py` (the 0-GP authors'
script). Runs shared by several claims are trained once, one sub-run per (setup, seed), under
`<out>/../toy_runs`.
"""
import os

import ml_collections
import numpy as np
from scipy import stats

from tfgan_reg import config_lib
from tfgan_reg import data as data_lib
from tfgan_reg import runs
from tfgan_reg import training
from tfgan_reg.data import toy
from tfgan_reg.eval import plots
from tfgan_reg.training import evaluation
from tfgan_reg.reproduce import registry
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, PARTLY, REPRODUCED, Revision

DATASETS = ("ring8", "grid25")
LABELS = {"none": "No-GP", "dragan": "DRAGAN", "wgan_gp": "1-GP (WGAN-GP)",
          "zero_gp_sample": "0-GP-sample", "zero_gp": "0-GP"}
MODES = {"ring8": 8, "grid25": 25}
# A run covers "all" modes when it misses at most 1 of 8 or 2 of 25 (lowdim.mode_stats: a mode
# is covered when it holds >= 10 % of its fair share of samples within 3 std of its centre).
FULL_COVERAGE = {"ring8": 7, "grid25": 23}
SEEDS = (0, 1, 2, 3, 4)
PANEL_SAMPLES = 1000
SURFACE_GRID = 80
ALPHA = 0.05  # one-sided Mann-Whitney tests between methods' W1 or modes over the seeds

# The setups: (config file, its argument for (data, method)).
DRAGAN_TABLE = ("configs/dragan_toy.py", "table-{data}-{method}")
ZEROGP_TABLE = ("configs/zerogp_toy.py", "{data}-{method}")
ZEROGP_METHODS = ("none", "wgan_gp", "zero_gp", "zero_gp_sample")


def setup_config(setup, data, method, quick=False):
    """The config of one run of `setup`, (config file, argument with {data} and {method})."""
    path, arg = setup
    return config_lib.from_file(f"{path}:{arg.format(data=data, method=method)}"
                                + ("-quick" if quick else ""))


def table_setup(setup, methods, datasets=DATASETS):
    """A claim's resolved setup: the config of every run of `setup`, by `<data>-<method>`."""
    return ml_collections.ConfigDict({f"{d}-{m}": setup_config(setup, d, m)
                                      for d in datasets for m in methods})


def _root(ctx):
    return os.path.join(os.path.dirname(os.path.abspath(ctx.out)),
                        "toy_runs" + ("_quick" if ctx.quick else ""))


def seeds_of(ctx, seeds):
    return tuple(seeds[:1]) if ctx.quick else tuple(seeds)


def _panel(workdir, limits):
    """Samples and the raw discriminator surface of a finished run, for the pictures."""
    config, model = runs.load_run(workdir)
    fake = runs.generate(model, PANEL_SAMPLES, config.eval.seed)
    _, _, points = plots.grid_points(limits, SURFACE_GRID)
    values = runs.in_batches(model.discriminator, points)[:, 0]
    return fake, values.reshape(SURFACE_GRID, SURFACE_GRID)


def limits(config):
    centres = toy.get(config.data.name, **data_lib.family_params(config.data)).centres
    r = 1.3 * float(np.abs(centres).max())
    return (-r, r)


def _train(config, workdir, panel):
    """One run's metrics: modes, hq_fraction, W1 at the end and W1 at the evaluation before
    (`w1_before`, None without one); a diverged run covers no mode with W1 = inf. With
    `panel`, its samples and surface are saved in panel.npz."""
    try:
        m = training.train_and_evaluate(config, workdir, verbose=False)
    except training.TrainingDiverged as e:
        return {"modes": 0, "hq_fraction": 0.0, "w1": float("inf"), "w1_before": None,
                "diverged": True, "error": str(e)}
    result = {k: float(m[k]) for k in ("modes", "hq_fraction", "w1")}
    rows = evaluation.read_eval_csv(workdir) \
        if os.path.exists(os.path.join(workdir, evaluation.EVAL_CSV)) else []
    before = [r["w1"] for r in rows if r["step"] < config.train.num_steps]
    result.update(w1_before=before[-1] if before else None, diverged=False)
    if panel:
        fake, values = _panel(workdir, limits(config))
        np.savez(os.path.join(workdir, "panel.npz"), fake=fake, values=values)
    return result


def run_setup(ctx, setup, datasets, methods, seeds):
    """{data: {method: {"modes", "hq_fraction", "w1", "w1_before", "diverged": [per seed]}}}
    of `setup`, one cached sub-run per (data, method, seed)."""
    table = {}
    for data in datasets:
        table[data] = {}
        for method in methods:
            rows = []
            for k, seed in enumerate(seeds_of(ctx, seeds)):
                config = setup_config(setup, data, method, ctx.quick)
                config.seed = seed
                name = f"{setup[0]}:{setup[1].format(data=data, method=method)} seed {seed}"
                workdir = os.path.join(_root(ctx), os.path.basename(setup[0])[:-3], data,
                                       method, f"seed{seed}")
                rows.append(registry.subrun(
                    name, os.path.join(workdir, "toy_result.json"),
                    lambda c=config, w=workdir, p=k == 0: _train(c, w, p)))
            table[data][method] = {key: [r[key] for r in rows] for key in
                                   ("modes", "hq_fraction", "w1", "w1_before", "diverged")}
    return table


def panels(ctx, setup, data, method, seeds):
    seed = seeds_of(ctx, seeds)[0]
    path = os.path.join(_root(ctx), os.path.basename(setup[0])[:-3], data, method,
                        f"seed{seed}", "panel.npz")
    if not os.path.exists(path):  # a diverged run
        return np.zeros([0, 2]), np.zeros([SURFACE_GRID, SURFACE_GRID])
    saved = np.load(path)
    return saved["fake"], saved["values"]


def _sample_grid(ctx, name, setup, methods, seeds):
    cells = []
    for data in DATASETS:
        config = setup_config(setup, data, methods[0], ctx.quick)
        source = toy.get(config.data.name, **data_lib.family_params(config.data))
        real = np.asarray(source.sample(PANEL_SAMPLES, 1))
        for m in methods:
            fake, _ = panels(ctx, setup, data, m, seeds)
            cells.append((f"{data}, {LABELS[m]}", fake, real, source.centres))
    steps = setup_config(setup, DATASETS[0], methods[0], ctx.quick).train.num_steps
    return plots.scatter_grid_png(ctx.picture(name), cells, columns=len(methods),
                                  title=f"samples after {steps} generator steps, seed "
                                        f"{seeds_of(ctx, seeds)[0]}")


def _mean(values):
    return float(np.mean(values))


def full(table, data, method):
    """Seeds in which `method` covers all modes of `data` (`FULL_COVERAGE`)."""
    return sum(m >= FULL_COVERAGE[data] for m in table[data][method]["modes"])


def _collapses(table, data, method):
    return len(table[data][method]["modes"]) - full(table, data, method)


def table_text(table):
    parts = []
    for data, rows in table.items():
        cells = []
        for m, t in rows.items():
            modes = "/".join(f"{v:.0f}" for v in t["modes"])
            w1 = "/".join(f"{v:.3f}" for v in t["w1"])
            cells.append(f"{LABELS[m]}: modes {modes} of {MODES[data]} (all in "
                         f"{full(table, data, m)}/{len(t['modes'])}), W1 {w1}"
                         + (f", {sum(t['diverged'])} diverged" if any(t["diverged"]) else ""))
        parts.append(f"{data}: " + "; ".join(cells))
    return " || ".join(parts)


def coverage_gate(result):
    """The table gate: on each data set the best method covers on average at least half the
    modes (an untrained or noise generator covers none). No other method is asked to learn:
    a collapsed No-GP is the effect the claims test."""
    table, why = result["table"], []
    for data, rows in table.items():
        best = max(_mean(t["modes"]) for t in rows.values())
        if best < MODES[data] / 2:
            why.append(f"{data}: best mean modes {best:.1f} (needs >= {MODES[data] / 2:g})")
    return (not why), "; ".join(why) or "every data set learnt (best method >= half the modes)"


COVERAGE_GATE = ("on each data set the best method covers on average >= half the modes (4 of "
                 "8, 12.5 of 25; an untrained generator covers none); otherwise inconclusive "
                 "(not trained enough). No other method must learn (a total collapse of No-GP "
                 "is the claimed effect).")


# ---- the rows beyond the papers ---------------------------------------------------------------

def _dragan_table(ctx):
    table = run_setup(ctx, DRAGAN_TABLE, DATASETS, ("none", "dragan"), SEEDS)
    return {"ours": table_text(table), "table": table, "pictures": [
        _sample_grid(ctx, "none_vs_dragan.png", DRAGAN_TABLE, ("none", "dragan"), SEEDS)]}


def collapse_rarer_verdict(result):
    table = result["table"]
    n = len(table["ring8"]["none"]["modes"])
    strong, ordered, parts = {}, {}, []
    for data in DATASETS:
        c_d, c_v = _collapses(table, data, "dragan"), _collapses(table, data, "none")
        strong[data] = c_d <= registry.few(n) and c_v >= registry.majority(n)
        ordered[data] = above(table[data]["dragan"]["modes"], table[data]["none"]["modes"])
        parts.append(f"{data}: DRAGAN misses modes in {c_d}/{n} seeds, vanilla in {c_v}/{n}; "
                     f"mean modes {_mean(table[data]['dragan']['modes']):.1f} vs "
                     f"{_mean(table[data]['none']['modes']):.1f} ("
                     f"{'' if ordered[data] else 'not '}significantly more)")
    text = "; ".join(parts)
    if all(strong.values()):
        return REPRODUCED, text
    if any(strong.values()) or all(ordered.values()):
        return PARTLY, text
    return NOT_REPRODUCED, text


_DT = setup_config(DRAGAN_TABLE, "ring8", "dragan")
_TABLE_REVISION = ("setup: this paper's rows on its authors' toy settings ({}) in place of "
                   "one shared setup (Adam 1e-3 (0.5, 0.9), batch 256, 1,500 steps); marked "
                   "beyond the paper; a gate")
_PARTLY_REVISION = ("; the partly rule tests the covered modes (Mann-Whitney) in place of "
                    "comparing their means; the gate no longer asks No-GP to learn")
_PARTLY_WHY = ("the review of issue 26: a comparison of means had no margin, and a gate "
               "asking No-GP to cover 2 modes made its total collapse, the claimed effect, "
               "inconclusive")
_TABLE_WHY = ("issue 26: at 1,500 steps the runs had not converged (the authors' toy codes "
              "run 20,000-100,000), and each paper's rows now follow its own authors' code")

registry.register(registry.Claim(
    id="dragan.collapse_rarer", where="section 4.2 (and abstract)",
    statement="Mode collapse is significantly rarer under DRAGAN than under vanilla GAN "
              "training (shown there on MNIST, CIFAR-10 and BogoNet; tested here on the "
              "mixtures).",
    paper="No mixture numbers: BogoNet qualitative score 157.5 vs 92.5 (Table 1) and "
          "MNIST/CIFAR pictures.",
    setup=f"Beyond the paper. `configs/dragan_toy.py:table-<ring8|grid25>-<none|dragan>`, a "
          f"hybrid of two sources, neither of which alone is run: the improved-WGAN toy "
          f"code's Adam betas (0.5, 0.9), batch 256 and data (tfgan_reg's ring8 and grid25) "
          f"with the learning rate 1e-3 of section 3.2's Adam default (whose betas, (0.9, "
          f"0.999), the paper gives for images; the toy code's 1e-4 was checked, seed 0, "
          f"20,000 steps: grid25 DRAGAN 2 of 25 modes, ring8 No-GP 2 of 8, not learnt at this "
          f"length; at 1e-3 grid25 No-GP 20, DRAGAN 8); 3 hidden ReLU layers of 64 (the toy "
          f"code has 512: ~8x the cost a step), DRAGAN lam 10, C 0.5, one D step, the "
          f"non-saturating loss; "
          f"{_DT.train.num_steps} generator steps (the toy code runs 100,000; this length fits "
          f"the budget), seeds {list(SEEDS)}. Mode coverage on 1,000 samples.",
    rule="a run collapses when it misses more than 1 of 8 / 2 of 25 modes; reproduced when, "
         "on both ring8 and grid25, DRAGAN collapses in <= 20 % of the seeds (1 of 5) and "
         "vanilla GAN in a majority (>= 3 of 5); partly when that holds on one data set, or "
         "when on both DRAGAN's covered modes lie above vanilla's by a one-sided "
         "Mann-Whitney test over the seeds at level 0.05; otherwise not reproduced.",
    gate=coverage_gate, gate_rule=COVERAGE_GATE, beyond_paper=True, seeds=SEEDS,
    diagnosis=(
        "Written after the run; undiagnosed. ring8 agrees with the paper (DRAGAN misses "
        "no mode in 5/5 seeds, vanilla more than one in 2/5); on grid25 DRAGAN covers "
        "fewer modes than vanilla (mean 11.4 against 19.4), seed 0's samples lying on "
        "lines between modes. Checked "
        "after the run and not the cause: DRAGAN's perturbation scale C 0.1 for 0.5 (seeds "
        "0-4, same length) gives grid25 modes 17/4/16/17/16, mean 14.0, still below "
        "vanilla's 19.4. The paper shows the claim on MNIST, CIFAR-10 and BogoNet, not on "
        "mixtures."),
    config=lambda: table_setup(DRAGAN_TABLE, ("none", "dragan")),
    cpu_hours=0.6, experiment=_dragan_table, verdict=collapse_rarer_verdict,
    history=(Revision(
        changed=_TABLE_REVISION.format(f"Adam 1e-3 (0.5, 0.9), {_DT.train.num_steps} steps")
        + _PARTLY_REVISION,
        why=_TABLE_WHY + "; the first full run had given DRAGAN the Adam defaults (beta1 0.9) "
                         "and was changed to (0.5, 0.9) after it; " + _PARTLY_WHY,
        old_rule="as now, but partly also when DRAGAN's mean number of covered modes is "
                 "higher than vanilla's on both data sets",
        before="not reproduced: ring8: DRAGAN misses modes in 5/5 seeds, vanilla in 4/5; mean "
               "modes 1.0 vs 5.2; grid25: DRAGAN 5/5, vanilla 5/5; mean modes 2.0 vs 3.6 "
               "(docs/reproduction/report.json)"),)))


def _zerogp_table(ctx, methods, picture):
    table = run_setup(ctx, ZEROGP_TABLE, DATASETS, ZEROGP_METHODS, SEEDS)
    shown = {d: {m: table[d][m] for m in methods} for d in table}
    pictures = [_sample_grid(ctx, "zerogp_table_samples.png", ZEROGP_TABLE,
                             ("none", "wgan_gp", "zero_gp_sample", "zero_gp"), SEEDS)] \
        if picture else []
    return {"ours": table_text(shown), "table": table, "pictures": pictures}


def zerogp_collapse_verdict(result):
    table = result["table"]
    n = len(table["ring8"]["none"]["modes"])
    good, bad = ("zero_gp", "zero_gp_sample"), ("none", "wgan_gp")
    strong, ordered, parts = {}, {}, []
    for data in DATASETS:
        c = {m: _collapses(table, data, m) for m in good + bad}
        strong[data] = all(c[m] <= registry.few(n) for m in good) and \
            all(c[m] >= registry.majority(n) for m in bad)
        means = {m: _mean(table[data][m]["modes"]) for m in good + bad}
        ordered[data] = all(above(table[data][g]["modes"], table[data][b]["modes"])
                            for g in good for b in bad)
        parts.append(f"{data}: seeds missing modes " + ", ".join(
            f"{LABELS[m]} {c[m]}/{n}" for m in good + bad) + "; mean modes " + ", ".join(
            f"{LABELS[m]} {means[m]:.1f}" for m in good + bad)
            + f" (zero-centred {'' if ordered[data] else 'not '}significantly more than "
              f"both others)")
    text = "; ".join(parts)
    if all(strong.values()):
        return REPRODUCED, text
    if any(strong.values()) or all(ordered.values()):
        return PARTLY, text
    return NOT_REPRODUCED, text


def above(larger, smaller, alpha=ALPHA):
    """Whether the values `larger` lie above `smaller` (one-sided Mann-Whitney U, level
    `alpha`; infinite W1 of diverged runs rank highest; all values equal: not above)."""
    a, b = np.asarray(larger, np.float64), np.asarray(smaller, np.float64)
    big = np.nanmax(np.where(np.isfinite(np.r_[a, b]), np.r_[a, b], np.nan)) + 1
    a, b = np.where(np.isfinite(a), a, big), np.where(np.isfinite(b), b, big)
    return bool(stats.mannwhitneyu(a, b, alternative="greater").pvalue < alpha)


def ranking_verdict(result):
    table = result["table"]
    worst, level, parts = {}, {}, []
    for data in DATASETS:
        w = {m: table[data][m]["w1"] for m in ("wgan_gp", "zero_gp_sample", "zero_gp")}
        worst[data] = above(w["wgan_gp"], w["zero_gp"]) and \
            above(w["wgan_gp"], w["zero_gp_sample"])
        level[data] = not above(w["zero_gp"], w["zero_gp_sample"])
        parts.append(f"{data}: mean W1 1-GP {_mean(w['wgan_gp']):.3f}, 0-GP-sample "
                     f"{_mean(w['zero_gp_sample']):.3f}, 0-GP {_mean(w['zero_gp']):.3f}; 1-GP "
                     f"{'significantly' if worst[data] else 'not significantly'} worst; 0-GP "
                     f"{'not ' if level[data] else ''}significantly worse than 0-GP-sample")
    text = "; ".join(parts)
    if all(worst.values()) and all(level.values()):
        return REPRODUCED, text
    if any(worst.values()):
        return PARTLY, text
    return NOT_REPRODUCED, text + " (1-GP not worst beyond the seed spread)"


_ZT = setup_config(ZEROGP_TABLE, "grid25", "zero_gp")
_ZEROGP_SETUP = (
    f"Beyond the paper. `configs/zerogp_toy.py:<ring8|grid25>-<method>`, the 0-GP authors' "
    f"toy script (GradientPenaltiesGAN.py@ed969b4): data x 10 (ring8 radius 7.07, grid25 "
    f"spacing 7.07), 3 hidden ReLU layers of 64, the script's Adam option (lr 3e-3, betas "
    f"0.5, 0.9: its default SGD at lr 3e-3 was checked, seed 0, and after 20,000 steps "
    f"neither No-GP nor 0-GP had learnt grid25, 1 mode each, W1 4.67 and 3.39 still falling, "
    f"nor 0-GP ring8, 1 mode; with Adam 0-GP covers 14-20 of 25 modes from step 4,000), "
    f"batch 128, one D step, "
    f"{_ZT.train.num_steps} generator steps (the script's length), the non-saturating loss, "
    f"1-GP as the script's `--loss wgan` critic (lam 10, one critic step); 0-GP and "
    f"0-GP-sample lam {_ZT.penalty.lam:g} on the logit, the script's lam 10 on sigmoid(D) at "
    f"D = 1/2 (the library's penalties act on the raw output; where D saturates the script's "
    f"penalty fades and ours does not); ring8's noise scaled with its centres (the script "
    f"scales only the centres); 0-GP-sample on real and fake points together (the script: "
    f"one side). Seeds {list(SEEDS)}; modes and exact W1 on 1,000 samples.")
_ZEROGP_BEFORE = ("ring8: seeds missing modes 0-GP 3/5, 0-GP-sample 2/5, No-GP 4/5, 1-GP 2/5; "
                  "grid25: all 5/5 (docs/reproduction/report.json)")

registry.register(registry.Claim(
    id="zerogp.collapse", where="section IV-C (figure 4), conclusion 1",
    statement="GANs trained with No-GP and with 1-GP exhibit mode collapse, while 0-GP-sample "
              "and 0-GP are stable and learn the different modes (shown there on MNIST after "
              "10 epochs; tested here on the mixtures).",
    paper="MNIST sample pictures only; no mixture experiment in the report.",
    setup=_ZEROGP_SETUP,
    rule="a run collapses when it misses more than 1 of 8 / 2 of 25 modes; reproduced when, "
         "on both data sets, 0-GP and 0-GP-sample each collapse in <= 20 % of the seeds "
         "(1 of 5) and No-GP and 1-GP each in a majority (>= 3 of 5); partly when that holds "
         "on one data set, or when on both the covered modes of each of 0-GP and 0-GP-sample "
         "lie above those of each of No-GP and 1-GP by one-sided Mann-Whitney tests over the "
         "seeds at level 0.05 (four tests per data set); otherwise not reproduced.",
    gate=coverage_gate, gate_rule=COVERAGE_GATE, beyond_paper=True, seeds=SEEDS,
    config=lambda: table_setup(ZEROGP_TABLE, ZEROGP_METHODS),
    diagnosis=(
        "Written after the run; undiagnosed. On ring8 0-GP and 0-GP-sample cover 5-8 and "
        "3-7 modes against 1-GP's 7-8 in 4 of 5 seeds; on grid25 they cover more on average"
        " than No-GP and 1-GP (11.2 and 12.8 against 4.8 and 1.8) but not significantly "
        "more than both in the rule's tests, 0-GP's seed 1 having collapsed to 1 mode (W1 "
        "24.2). 1-GP is the script's WGAN critic with one critic step at Adam 3e-3, which "
        "does not learn grid25 here (0-3 modes, W1 6.9-15.6). Not checked: the script's "
        "penalty on sigmoid(D), which fades where D saturates (ours acts on the logit)."),
    cpu_hours=0.6, experiment=lambda ctx: _zerogp_table(
        ctx, ("none", "wgan_gp", "zero_gp_sample", "zero_gp"), True),
    verdict=zerogp_collapse_verdict,
    history=(Revision(
        changed=_TABLE_REVISION.format(f"Adam 3e-3 (0.5, 0.9), batch 128, data x 10, "
                                       f"{_ZT.train.num_steps} steps, one 1-GP critic step")
        + _PARTLY_REVISION,
        why=_TABLE_WHY + "; " + _PARTLY_WHY, before="not reproduced: " + _ZEROGP_BEFORE,
        old_rule="as now, but partly also when on both data sets the lower of the two "
                 "zero-centred penalties' mean covered modes exceeds the higher of No-GP's "
                 "and 1-GP's"),)))

registry.register(registry.Claim(
    id="zerogp.ranking", where="conclusion 1-2",
    statement="Among the three gradient penalties 1-GP performs worst and 0-GP best; the "
              "difference between 0-GP and 0-GP-sample is small (\"trivial\", 0-GP slightly "
              "better).",
    paper="Judged there on MNIST and CIFAR-10 pictures and loss curves; no numbers.",
    setup=_ZEROGP_SETUP + " Performance = exact W1 (a diverged run ranks last).",
    rule=f"per data set, one-sided Mann-Whitney tests of W1 over the 5 seeds at level {ALPHA}: "
         f"reproduced when on both data sets 1-GP's W1 lies above 0-GP's and above "
         f"0-GP-sample's, and 0-GP's does not lie above 0-GP-sample's (the report calls their "
         f"difference trivial); partly when 1-GP lies above both on at least one data set; "
         f"otherwise not reproduced (1-GP not worst beyond the seed spread).",
    gate=coverage_gate, gate_rule=COVERAGE_GATE, beyond_paper=True, seeds=SEEDS,
    config=lambda: table_setup(ZEROGP_TABLE, ZEROGP_METHODS),
    diagnosis=(
        "Written after the run; undiagnosed. On grid25 1-GP has the highest mean W1 (10.7 "
        "against 0-GP-sample's 2.0 and 0-GP's 6.6), but 0-GP's seed 1 collapse (W1 24.2) "
        "puts 0-GP within 1-GP's spread; on ring8 the three are within the seed spread "
        "(mean W1 1.67 / 0.92 / 0.96, 1-GP's mean carried by seed 4's 4.73). 1-GP is the "
        "script's one-critic-step WGAN critic (see zerogp.collapse)."),
    cpu_hours=0.0, experiment=lambda ctx: _zerogp_table(
        ctx, ("wgan_gp", "zero_gp_sample", "zero_gp"), False),
    verdict=ranking_verdict,
    history=(Revision(
        changed=_TABLE_REVISION.format("as zerogp.collapse") + "; the rule compares W1 by a "
                "test over the seeds in place of the mean",
        why=_TABLE_WHY + "; a comparison of means had no margin for the seed spread",
        before="not reproduced: ring8: mean W1 1-GP 0.151, 0-GP-sample 0.163, 0-GP 0.189; "
               "grid25: 1-GP 1.055, 0-GP-sample 0.280, 0-GP 0.268 "
               "(docs/reproduction/report.json)",
        old_rule="reproduced when on both data sets 1-GP has the highest mean W1 of the three "
                 "and 0-GP the lowest; partly when on both 1-GP has the highest; otherwise "
                 "not reproduced."),)))
