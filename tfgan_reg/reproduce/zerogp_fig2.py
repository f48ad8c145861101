"""Li et al. 2019, section IV-B, figure 2: value surfaces of discriminators trained alone on two
fixed Gaussian samples (`configs/zerogp_fig2.py` holds the setup and its sources).

D ends in a sigmoid and the penalties act on that probability, as in the authors'
OptimalDiscriminator.py: the library's penalties are applied to `sigmoid(D)`. Smoothness is
measured on the same probability surface. The three claims share one set of runs, one sub-run
per (method, seed), trained once per output directory (`<out>/../zerogp_fig2`).
"""
import os

import keras
import numpy as np
import tensorflow as tf
from scipy import stats

from tfgan_reg import config_lib
from tfgan_reg import losses
from tfgan_reg import penalties
from tfgan_reg import rng
from tfgan_reg import runs
from tfgan_reg.eval import plots
from tfgan_reg.nets import mlp
from tfgan_reg.reproduce import registry
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, PARTLY, REPRODUCED, Revision

LABELS = {"none": "No-GP", "wgan_gp": "1-GP", "zero_gp_sample": "0-GP-sample", "zero_gp": "0-GP"}
SURFACE_GRID = 80


def setup(quick=False):
    """The resolved setup (`configs/zerogp_fig2.py[:quick]`)."""
    return config_lib.from_file("configs/zerogp_fig2.py" + (":quick" if quick else ""))


def fig2_data(seed, config=None, n=None):
    """(real, fake) float32 [n, 2] samples of figure 2's two Gaussians."""
    c = config or setup()
    g = np.random.default_rng(seed)
    n = n or c.samples
    real = g.multivariate_normal(c.real_mean, c.real_cov, size=n)
    fake = g.multivariate_normal(c.fake_mean, c.fake_cov, size=n)
    return real.astype(np.float32), fake.astype(np.float32)


def optimal_discriminator(x, config=None):
    """Li et al. eq. 3: `D*(x) = p_r(x) / (p_r(x) + p_g(x))` of figure 2's two Gaussians."""
    c = config or setup()
    p_r = stats.multivariate_normal(c.real_mean, c.real_cov).pdf(x)
    p_g = stats.multivariate_normal(c.fake_mean, c.fake_cov).pdf(x)
    return p_r / (p_r + p_g)


def neighbourhood(real, fake, *, seed, radius, draws):
    """Fixed points around the data: `draws` points `v + radius * N(0, I)` around every real
    and fake point `v`, as a float32 [draws * (n_real + n_fake), d] array."""
    centres = np.concatenate([real, fake], 0).astype(np.float64)
    offsets = np.random.default_rng(seed).normal(size=(draws,) + centres.shape)
    return (centres[None] + radius * offsets).reshape(-1, centres.shape[1]).astype(np.float32)


def probability(discriminator):
    """`sigmoid(D)` as a discriminator callable: what the authors' D outputs, and what their
    penalties and figure 2's surfaces are taken of."""
    return lambda x, training=True: tf.sigmoid(discriminator(x, training=training))


def smoothness(discriminator, points):
    """Section IV-B's "smoother value surface" as numbers over `points`: the empirical Lipschitz
    constant (max ||grad_x D||, a lower bound of D's Lipschitz constant there) and the mean and
    spread (std) of ||grad_x D||."""
    _, grad_sq = penalties.logits_and_grad_sq(discriminator, tf.constant(points),
                                              training=False)
    norms = np.sqrt(np.asarray(grad_sq, np.float64))
    return {"lipschitz": float(norms.max()), "grad_mean": float(norms.mean()),
            "grad_std": float(norms.std())}


def train_fixed_discriminator(method, real, fake, *, seed, config):
    """D alone trained on the fixed samples (OptimalDiscriminator.py): epochs of shuffled
    batches of `config.batch` real and fake points, BCE plus `config.lam` times the library
    penalty `method` taken of sigmoid(D) (`none`: no penalty). Returns the Keras logit model."""
    d = mlp.mlp_discriminator(input_shape=(real.shape[1],), depth=config.depth,
                              width=config.width, activation=config.activation, seed=seed)
    optimizer = keras.optimizers.Adam(config.learning_rate, beta_1=config.beta1,
                                      beta_2=config.beta2, epsilon=config.epsilon)
    optimizer.build(d.trainable_variables)
    loss = losses.get(config.loss).discriminator
    penalty = None if method == "none" else penalties.get(method)
    prob = probability(d)
    real, fake = tf.constant(real), tf.constant(fake)
    n, batch = real.shape[0], config.batch
    per_epoch = n // batch
    base = rng.as_seed(seed)

    @tf.function
    def train(steps):
        for step in tf.range(steps):
            epoch, b = step // per_epoch, step % per_epoch
            order_r = tf.argsort(tf.random.stateless_uniform([n], rng.fold(base, 1, epoch)))
            order_f = tf.argsort(tf.random.stateless_uniform([n], rng.fold(base, 2, epoch)))
            x = tf.gather(real, order_r[b * batch:(b + 1) * batch])
            y = tf.gather(fake, order_f[b * batch:(b + 1) * batch])
            with tf.GradientTape() as tape:
                value = loss(d(x, training=True), d(y, training=True))
                if penalty is not None:
                    value += penalty(prob, x, y, lam=config.lam, seed=rng.fold(base, 3, step))
            optimizer.apply(tape.gradient(value, d.trainable_variables), d.trainable_variables)

    train(tf.constant(config.steps))
    return d


def _sub_run(method, seed, config, surface):
    real, fake = fig2_data(seed, config)
    points = neighbourhood(real, fake, seed=seed + 1, radius=config.radius, draws=config.draws)
    d = train_fixed_discriminator(method, real, fake, seed=seed, config=config)
    prob = probability(d)
    out = smoothness(prob, points)
    p = np.asarray(prob(tf.constant(points), training=False), np.float64)[:, 0]
    out["d_star_error"] = float(np.mean(np.abs(p - optimal_discriminator(points, config))))
    if surface:
        _, _, grid = plots.grid_points(config.limits, SURFACE_GRID)
        out["surface"] = np.asarray(runs.in_batches(prob, grid)[:, 0], np.float64).tolist()
    return out


def _root(ctx):
    return os.path.join(os.path.dirname(os.path.abspath(ctx.out)),
                        "zerogp_fig2" + ("_quick" if ctx.quick else ""))


def run_fig2(ctx):
    """{method: {"lipschitz": [...], "grad_mean", "grad_std", "d_star_error": [...] over the
    seeds}, "surfaces": {method: the first seed's sigmoid(D) on the picture's grid}}."""
    config = setup(ctx.quick)
    per_method, surfaces = {}, {}
    for method in config.methods:
        rows = []
        for k, seed in enumerate(config.seeds):
            name = f"figure 2 {method} seed {seed}"
            path = os.path.join(_root(ctx), method, f"seed{seed}.json")
            rows.append(registry.subrun(name, path, lambda m=method, s=seed, f=k == 0:
                                        _sub_run(m, s, config, f)))
        surfaces[method] = rows[0].pop("surface")
        per_method[method] = {key: [r[key] for r in rows] for key in rows[0]}
    return {"fig2": per_method, "surfaces": surfaces, "seeds": list(config.seeds)}


def _text(result):
    return "; ".join(
        f"{LABELS[m]}: Lipschitz {registry.mean_sd(v['lipschitz'])}, |D - D*| "
        f"{registry.mean_sd(v['d_star_error'])}" for m, v in result["fig2"].items())


def _fig2(ctx):
    result = run_fig2(ctx)
    config = setup(ctx.quick)
    seed = config.seeds[0]
    real, fake = fig2_data(seed, config)
    _, _, grid = plots.grid_points(config.limits, SURFACE_GRID)
    shape = (SURFACE_GRID, SURFACE_GRID)
    panels = [(f"({'acde'[i]}) {LABELS[m]}", np.reshape(result["surfaces"][m], shape), fake)
              for i, m in enumerate(config.methods)]
    panels.append(("(f) optimal D*", optimal_discriminator(grid, config).reshape(shape), fake))
    picture = plots.value_surfaces_png(
        ctx.picture("fig2_value_surfaces.png"), panels, real, limits=config.limits,
        title=f"Li et al. figure 2 again (seed {seed}): D(x), real green, fake black")
    return {"ours": _text(result), "fig2": result["fig2"], "seeds": result["seeds"],
            "pictures": [picture]}


def _fig2_numbers(ctx):
    """Figure 2's numbers without drawing it again (the first figure-2 claim draws it)."""
    result = run_fig2(ctx)
    return {"ours": _text(result), "fig2": result["fig2"], "seeds": result["seeds"],
            "pictures": []}


def paired_test(smaller, larger, alpha=0.05):
    """("holds" | "opposite" | "within spread", p) of the claim that `smaller` is below `larger`
    seed by seed: Wilcoxon's signed-rank test, one-sided at level `alpha` each way."""
    a, b = np.asarray(smaller, np.float64), np.asarray(larger, np.float64)
    if len(a) < 2 or np.all(a == b):
        return "within spread", 1.0
    p_less = float(stats.wilcoxon(a, b, alternative="less").pvalue)
    p_more = float(stats.wilcoxon(a, b, alternative="greater").pvalue)
    if p_less < alpha:
        return "holds", p_less
    if p_more < alpha:
        return "opposite", p_more
    return "within spread", p_less


def _compare(result, key, better, other):
    f = result["fig2"]
    outcome, p = paired_test(f[better][key], f[other][key])
    wins = sum(x < y for x, y in zip(f[better][key], f[other][key]))
    return outcome, (f"{LABELS[better]} {np.mean(f[better][key]):.3g} vs {LABELS[other]} "
                     f"{np.mean(f[other][key]):.3g} (mean {key}), lower in {wins}/"
                     f"{len(f[better][key])} seeds, one-sided signed-rank p = {p:.3g}")


def _single_verdict(outcome, text):
    if outcome == "holds":
        return REPRODUCED, text
    return NOT_REPRODUCED, text + ("; the opposite order holds" if outcome == "opposite" else
                                   "; difference within seed spread")


def smoother_than_1gp_verdict(result):
    return _single_verdict(*_compare(result, "lipschitz", "zero_gp", "wgan_gp"))


def smoother_than_sample_verdict(result):
    return _single_verdict(*_compare(result, "lipschitz", "zero_gp", "zero_gp_sample"))


def closest_verdict(result):
    """0-GP closest to D*: below No-GP and 1-GP (reproduced when also below 0-GP-sample; partly
    when 0-GP-sample is as close within the seed spread, the report's own "trivial"
    difference)."""
    parts = {m: _compare(result, "d_star_error", "zero_gp", m)
             for m in ("none", "wgan_gp", "zero_gp_sample")}
    text = "; ".join(t for _, t in parts.values())
    if all(o == "holds" for o, _ in parts.values()):
        return REPRODUCED, text
    if all(parts[m][0] == "holds" for m in ("none", "wgan_gp")) and \
            parts["zero_gp_sample"][0] == "within spread":
        return PARTLY, text + "; 0-GP and 0-GP-sample within seed spread"
    return NOT_REPRODUCED, text


_C = setup()
_SETUP = (
    f"`configs/zerogp_fig2.py`, the authors' OptimalDiscriminator.py: {_C.samples} real points "
    f"from N({_C.real_mean}, {_C.real_cov}) and {_C.samples} fake from N({_C.fake_mean}, "
    f"{_C.fake_cov}), a fresh draw per seed (the script draws once); D alone, 2-64-64-1 tanh "
    f"ending in a sigmoid, BCE, the penalty taken of sigmoid(D) with lam {_C.lam} (0-GP: "
    f"interpolates, centre 0; 0-GP-sample: the real and fake points, the script takes one "
    f"side; 1-GP: interpolates, centre 1, the script's model with its other `center`), "
    f"Adam({_C.learning_rate}, {_C.beta1}, {_C.beta2}, eps {_C.epsilon}), batches of "
    f"{_C.batch} + {_C.batch}, {_C.steps} steps (10,001 epochs x 5 batches, the script's "
    f"length); Glorot init (the script: PyTorch's). Measured on sigmoid(D) over {_C.draws} "
    f"points v + {_C.radius} N(0, I) around every training point v: empirical Lipschitz "
    f"constant max ||grad_x D||, and mean |D - D*|. Seeds {list(_C.seeds)}: each claim is a "
    f"one-sided Wilcoxon signed-rank test over them, paired by seed (same data and init), at "
    f"level {_C.alpha}, fixed before the run. Cost (estimate from pilots, 2026-12-07, one "
    f"thread on the shared 2-core machine under load): 0.48 ms a step with a penalty, 0.25 "
    f"without, ~0.3 CPU-h for the 40 sub-runs. Check of the one deviation that could change "
    f"a verdict, 0-GP-sample's side (2026-12-07, 10,000 steps, seeds 0-3): real points only "
    f"(the script's --alpha 1; the library's r1 with gamma 2) gives Lipschitz 0.97 / 6.13 / "
    f"11.2 / 6.98, both sides 2.09 / 7.56 / 1.50 / 5.72, 0-GP 1.00 / 1.32 / 1.18 / 1.32: 0-GP "
    f"is lower in 3 of 4 and 4 of 4 seeds, the side does not reverse the comparison.")
_BEFORE_SETUP = ("setup before: D without the output sigmoid, penalties on the logit (0-GP and "
                 "0-GP-sample lam 0.0625, 1-GP a Wasserstein critic with lam 1), 10,000 steps, "
                 "5 seeds, smoothness of the raw output")
_WHY = ("issue 26: the authors' OptimalDiscriminator.py puts the penalty on sigmoid(D) with "
        "lam 1 and runs 50,005 steps; 5 seeds let the verdict flip with another draw (2/5 here, "
        ">= 4/5 on seeds 5-9), so 10 seeds and a paired test fixed before the run")
_OLD_RULE = ("reproduced when 0-GP's empirical Lipschitz constant is below {}'s in >= 80 % of "
             "the seeds (4 of 5); partly in a majority (3 of 5); otherwise not reproduced.")
_CPU_HOURS = 0.3

registry.register(registry.Claim(
    id="zerogp.smoother_than_1gp", where="section IV-B, figure 2 (c) vs (e)",
    statement="The discriminator trained with 0-GP has a smoother value surface than the one "
              "trained with 1-GP (1-GP does not improve generalisation; 0-GP yields the "
              "smoothest surface).",
    paper="Value-surface pictures only; no numbers.",
    setup=_SETUP, config=setup, seeds=_C.seeds, cpu_hours=_CPU_HOURS,
    rule="reproduced when 0-GP's empirical Lipschitz constant is below 1-GP's by a one-sided "
         "Wilcoxon signed-rank test over the 10 seeds (p < 0.05); otherwise not reproduced "
         "(the opposite order significant, or the difference within the seed spread).",
    experiment=_fig2, verdict=smoother_than_1gp_verdict,
    history=(Revision(
        changed="setup and rule (" + _BEFORE_SETUP + ")", why=_WHY,
        before="not reproduced: 0-GP's empirical Lipschitz constant is below 1-GP's in 2/5 "
               "seeds (docs/reproduction/report.json); in the first full run, with the "
               "zero-centred weight 1 on the logit, 5/5",
        old_rule=_OLD_RULE.format("1-GP")),)))

registry.register(registry.Claim(
    id="zerogp.smoother_than_sample", where="section IV-B, figure 2 (d) vs (e)",
    statement="The value surface of 0-GP (figure 2e) is smoother than that of 0-GP-sample "
              "(figure 2d), indicating that its discriminator generalises better.",
    paper="Value-surface pictures only; no numbers.",
    setup=_SETUP, config=setup, seeds=_C.seeds, cpu_hours=0.0,
    rule="reproduced when 0-GP's empirical Lipschitz constant is below 0-GP-sample's by a "
         "one-sided Wilcoxon signed-rank test over the 10 seeds (p < 0.05); otherwise not "
         "reproduced.",
    experiment=_fig2_numbers, verdict=smoother_than_sample_verdict,
    history=(
        Revision(changed="setup: the zero-centred penalties' weight on the logit from 1 to "
                         "0.0625 (the authors' 1 on sigmoid(D), converted at D = 1/2)",
                 why="the first full run used 1 for every penalty, 16x the authors' "
                     "zero-centred weight; changed after that run",
                 before="not reproduced: below 0-GP-sample's in 1/5 seeds (Lipschitz 0.62 vs "
                        "0.44; first full run, before docs/reproduction/report.json)",
                 old_rule=_OLD_RULE.format("0-GP-sample")),
        Revision(changed="setup and rule (" + _BEFORE_SETUP + ")", why=_WHY,
                 before="reproduced: 0-GP's empirical Lipschitz constant is below "
                        "0-GP-sample's in 5/5 seeds (docs/reproduction/report.json)",
                 old_rule=_OLD_RULE.format("0-GP-sample")))))

registry.register(registry.Claim(
    id="zerogp.closest_to_optimal", where="section IV-B, figure 2 (e) vs (f)",
    statement="0-GP gives the value surface most similar to that of the theoretically optimal "
              "discriminator D* = p_r / (p_r + p_g).",
    paper="Value-surface pictures only; no numbers.",
    setup=_SETUP + " Every D is a probability here, so 1-GP is compared too.",
    config=setup, seeds=_C.seeds, cpu_hours=0.0,
    rule="each of No-GP, 1-GP and 0-GP-sample against 0-GP by a one-sided Wilcoxon "
         "signed-rank test of mean |D - D*| over the 10 seeds (p < 0.05); reproduced when "
         "0-GP is closer than all three; partly when closer than No-GP and 1-GP with "
         "0-GP-sample within the seed spread (the report's 'trivial' difference); otherwise "
         "not reproduced.",
    experiment=_fig2_numbers, verdict=closest_verdict,
    history=(Revision(
        changed="setup and rule (" + _BEFORE_SETUP + "; 1-GP was left out as no probability)",
        why=_WHY,
        before="not reproduced: 0-GP's mean |sigmoid(D) - D*| is the smallest of No-GP, "
               "0-GP-sample and 0-GP in 1/5 seeds (docs/reproduction/report.json)",
        old_rule="reproduced when 0-GP's mean |sigmoid(D) - D*| is below both No-GP's and "
                 "0-GP-sample's in >= 80 % of the seeds (4 of 5); partly in a majority (3 of "
                 "5); otherwise not reproduced."),)))
