"""Kodali et al. 2017 (DRAGAN), supplement 2.3, figure 8: WGAN-GP and DRAGAN on 8 Gaussians, with
the improved-WGAN toy code the paper cites (`configs/dragan_toy.py:fig8-<method>`); the runs go
through `toy_table.run_setup`, one sub-run per (method, seed).
"""
import numpy as np

from tfgan_reg.data import toy
from tfgan_reg.eval import plots
from tfgan_reg.reproduce import registry
from tfgan_reg.reproduce import toy_table
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, PARTLY, REPRODUCED, Revision

FIG8 = ("configs/dragan_toy.py", "fig8-{method}")
FIG8_SEEDS = (0, 1, 2)
# A run has settled when W1 at its last evaluation differs from the one before (at 80 % of
# the steps) by at most SETTLED_ATOL: two independent 1,000-point draws of ring8 itself are
# 0.05-0.14 apart in W1 (the review of issue 26), so a relative tolerance of a small W1 would
# call converged runs unsettled.
SETTLED_ATOL = 0.1
# The gate: a majority of all runs cover at least GATE_MODES mode (an untrained or noise
# generator covers none: N(0, I) noise puts ~0.3 of 1,000 samples near a mode, 12.5 needed).
GATE_MODES = 1
CONVERGED_MODES = 7  # of 8: "approximately converges" (toy_table.FULL_COVERAGE)


def settled(w1, w1_before):
    """Whether a run's W1 has settled (`SETTLED_ATOL`)."""
    if w1_before is None or not np.isfinite(w1):
        return False
    return abs(w1 - w1_before) <= SETTLED_ATOL


def converged(modes, w1, w1_before):
    """Whether a run converged approximately: >= `CONVERGED_MODES` modes and settled W1."""
    return modes >= CONVERGED_MODES and settled(w1, w1_before)


def _fig8(ctx):
    table = toy_table.run_setup(ctx, FIG8, ("ring8",), ("wgan_gp", "dragan"), FIG8_SEEDS)
    config = toy_table.setup_config(FIG8, "ring8", "dragan", ctx.quick)
    limits = toy_table.limits(config)
    real = np.asarray(toy.sample("ring8", 500, 1))
    panels = []
    for m in ("wgan_gp", "dragan"):
        fake, values = toy_table.panels(ctx, FIG8, "ring8", m, FIG8_SEEDS)
        # The critic is drawn raw; DRAGAN's D as the probability of "real", as in figure 8.
        panels.append((toy_table.LABELS[m],
                       values if m == "wgan_gp" else 1 / (1 + np.exp(-values)), fake[:500]))
    picture = plots.value_surfaces_png(
        ctx.picture("fig8_ring8_surfaces.png"), panels, real, limits=limits,
        title=f"ring8, seed {toy_table.seeds_of(ctx, FIG8_SEEDS)[0]}, {config.train.num_steps} "
              f"steps: D, data (green), samples (black)")
    return {"ours": toy_table.table_text(table), "table": table, "pictures": [picture]}


def fig8_gate(result):
    """Training happened: a majority of all runs (both methods) cover >= `GATE_MODES` mode.
    Whether they settled is judged by the verdict, not here."""
    modes = [v for t in result["table"]["ring8"].values() for v in t["modes"]]
    n = sum(v >= GATE_MODES for v in modes)
    return n >= registry.majority(len(modes)), \
        f"{n}/{len(modes)} runs cover >= {GATE_MODES} mode (needs a majority)"


def fig8_verdict(result):
    table = result["table"]
    n = len(table["ring8"]["dragan"]["modes"])
    full = {m: sum(converged(*r) for r in zip(*(table["ring8"][m][k] for k in
                                                 ("modes", "w1", "w1_before"))))
            for m in ("wgan_gp", "dragan")}
    unsettled = {m: sum(v >= CONVERGED_MODES and not settled(a, b) for v, a, b in zip(
        *(table["ring8"][m][k] for k in ("modes", "w1", "w1_before")))) for m in full}
    text = f"WGAN-GP covers >= {CONVERGED_MODES} of 8 modes with settled W1 in " \
           f"{full['wgan_gp']}/{n} seeds, DRAGAN in {full['dragan']}/{n} (covering but " \
           f"unsettled: WGAN-GP {unsettled['wgan_gp']}, DRAGAN {unsettled['dragan']})"
    ok = [m for m, v in full.items() if v >= registry.most(n)]
    if len(ok) == 2:
        return REPRODUCED, text
    if ok:
        return PARTLY, text + f" (only {toy_table.LABELS[ok[0]]} in >= {registry.most(n)})"
    return NOT_REPRODUCED, text


_F8 = toy_table.setup_config(FIG8, "ring8", "wgan_gp")
_FIG8_STEPS = _F8.train.num_steps
registry.register(registry.Claim(
    id="dragan.fig8_ring8", where="supplement 2.3, figure 8",
    statement="On the 8-Gaussians data set both improved WGAN (WGAN-GP) and DRAGAN "
              "approximately converge to the real density (WGAN-GP's discriminator being "
              "more constrained).",
    paper="Pictures only (samples and D contours over training); no numbers.",
    setup=f"`configs/dragan_toy.py:fig8-<wgan_gp|dragan>`, the improved-WGAN toy code the "
          f"paper's footnote 2 cites (gan_toy.py@fa66c57): ring8 (radius 1.414, std 0.0141), "
          f"G and D with 3 hidden ReLU layers of 512, Adam(1e-4, 0.5, 0.9), batch 256; WGAN-GP "
          f"with lam 0.1 and 5 critic steps (the toy code's), DRAGAN with lam 10, C 0.5 and one "
          f"D step (section 3.2). {_FIG8_STEPS} generator steps and seeds "
          f"{list(FIG8_SEEDS)}: the toy code's 100,000 steps would take ~20 CPU-h here for 3 "
          f"seeds (pilots, 2026-12-07, one thread on the shared 2-core machine under load: "
          f"0.19 CPU-s a step for WGAN-GP with its 5 critic steps, 0.05 for DRAGAN, at 512 "
          f"units); this length is the longest that fits the budget (cpu_hours), with the gate "
          f"below. W1 and modes on 1,000 samples (a mode is "
          f"covered when >= 10 % of its fair share lies within 3 std of its centre), evaluated "
          f"every {_FIG8_STEPS // 5} steps. Deviation: Glorot init (the toy code: He).",
    rule=f"a run converges approximately when it covers >= {CONVERGED_MODES} of the 8 modes "
         f"and its W1 has settled: W1 at the end within {SETTLED_ATOL} (absolute; the W1 "
         f"between two 1,000-point draws of the data is 0.05-0.14) of W1 at 80 % of the "
         f"steps, so an oscillating run counts against the claim; reproduced when WGAN-GP and "
         f"DRAGAN each converge in >= 80 % of the seeds (3 of 3); partly when one of them "
         f"does; otherwise not reproduced.",
    gate=fig8_gate,
    gate_rule=f"training happened: a majority of all runs of both methods (4 of 6) cover >= "
              f"{GATE_MODES} mode (an untrained or Gaussian-noise generator covers none); "
              f"otherwise inconclusive (not trained enough). Settling is judged by the rule.",
    config=lambda: toy_table.table_setup(FIG8, ("wgan_gp", "dragan"), ("ring8",)),
    seeds=FIG8_SEEDS, cpu_hours=1.95, experiment=_fig8, verdict=fig8_verdict,
    history=(Revision(
        changed="setup: the improved-WGAN toy code's networks and optimiser (512 units, Adam "
                "1e-4, WGAN-GP lam 0.1) in place of 64 units, Adam 1e-3 and lam 10; "
                f"{_FIG8_STEPS} steps in place of 1,500, 3 seeds in place of 5, and a gate; "
                f"the rule: a converged run's W1 must also have settled",
        why="issue 26: figure 8 cites that code; at 1,500 steps the runs had not converged",
        old_rule="a run converges approximately when it covers >= 7 of the 8 modes; "
                 "reproduced when WGAN-GP and DRAGAN each do so in >= 80 % of the seeds; "
                 "partly when one of them does; otherwise not reproduced",
        before="not reproduced: WGAN-GP covers >= 7 of 8 modes in 3/5 seeds, DRAGAN in 0/5 "
               "(docs/reproduction/report.json)"),)))
