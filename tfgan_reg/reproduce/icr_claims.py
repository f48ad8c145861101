"""The ICR paper (Schaefer et al. 2020, "Implicit competitive regularization in GANs") at MNIST
scale on this machine: the drift of an over-trained discriminator (section 4, figure 4,
appendix A.3 / A.3.1) and Adam against ACGD for the original GAN loss (section 6, figure 9,
Table 3's OGAN-NOREG rows).

Both use the paper's MNIST networks (its Tables 1-2) on `mnist5k`, the 4,000 real training
digits shipped offline. Every setting, with its source in the paper or the authors' code, is in
`configs/icr_mnist.py` (`:drift`, `:comparison` and the runs' setups), read here.
"""
import os

from tfgan_reg import config_lib
from tfgan_reg.training import evaluation
from tfgan_reg import runs
from tfgan_reg.eval import plots
from tfgan_reg.experiments import drift
from tfgan_reg.reproduce import digit_checks
from tfgan_reg.reproduce import registry
from tfgan_reg.reproduce import setups
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, PARTLY, REPRODUCED

CONFIG = "configs/icr_mnist.py"
METHODS = ("acgd", "adam", "adam_saturating")
LABELS = {"acgd": "OGAN-NOREG+ACGD (saturating, zero-sum)",
          "adam": "OGAN-NOREG+Adam (log-trick)", "adam_saturating": "Adam, saturating loss"}


def drift_config(*, quick=False):
    """The drift claim's checkpoint run (`configs/icr_mnist.py:simgd-mnist5k`)."""
    return config_lib.from_file(f"{CONFIG}:simgd-mnist5k" + ("-quick" if quick else ""))


def comparison_config(method, *, quick=False):
    """One run of the comparison (`configs/icr_mnist.py:<method>-mnist5k`)."""
    return config_lib.from_file(f"{CONFIG}:{method}-mnist5k" + ("-quick" if quick else ""))


def claim_config(name, quick=False):
    return config_lib.from_file(f"{CONFIG}:{name}" + ("-quick" if quick else ""))


def resolved(name):
    """Every setting of the claim's full run, for its record's hash (`Claim.config`)."""
    runs_ = ({"simgd": drift_config()} if name == "drift"
             else {m: comparison_config(m) for m in METHODS})
    return {"claim": claim_config(name).to_dict(),
            "runs": {k: c.to_dict() for k, c in runs_.items()}}


def _train(config, workdir):
    """Trains (or resumes) `config` in `workdir`; False when its losses became non-finite."""
    return setups.train(config, workdir)[0] is not None


def _gate_passes(scores, claim):
    return (scores["confidence"] >= claim.gate_confidence
            and scores["classes"] >= claim.gate_classes)


# ---- the drift of figure 4 (appendix A.3, A.3.1) ---------------------------------------------

def checkpoint(config, workdir, claim, ctx, seed):
    """Trains the checkpoint run up to each of `claim.gate_steps` in turn (each a cached
    sub-run) until its generator passes the gate; returns the stages' scores, the last one the
    checkpoint the drift starts from."""
    stages = []
    for target in claim.gate_steps:
        config.train.num_steps = target

        def compute(c=config.copy_and_resolve_references()):
            finished = _train(c, workdir)
            return dict(digit_checks.run_scores(workdir, claim.gate_samples, seed=seed),
                        diverged=not finished)

        stage = registry.subrun(f"checkpoint seed {seed} to step {target}",
                                os.path.join(workdir, f"gate_{target}.json"), compute)
        stages.append(dict(stage, passed=_gate_passes(stage, claim)))
        ctx.log(f"drift: seed {seed} at step {stage['step']}: confidence "
                f"{stage['confidence']:.2f}, {stage['classes']} classes")
        if stages[-1]["passed"] or stage["diverged"]:
            break
    return stages


def judged_step(rows, near_zero):
    """The step the drift is judged at: the first row where D alone's loss is below
    `near_zero` (the paper's "near-zero loss"), else D alone's last row (the cap)."""
    alone = [r for r in rows if r["mode"] == "discriminator"]
    return next((r["step"] for r in alone if r["d_loss"] < near_zero), alone[-1]["step"])


def drift_summary(rows, near_zero):
    """Per mode, the drift on both sets and D loss at `judged_step` (the joint run's at the same
    step), and the lowest D loss seen up to it."""
    step = judged_step(rows, near_zero)
    out = {}
    for mode in drift.MODES:
        rs = [r for r in rows if r["mode"] == mode and r["step"] <= step]
        out[mode] = {"drift_real": rs[-1]["drift_real"], "drift_fake": rs[-1]["drift_fake"],
                     "d_loss": rs[-1]["d_loss"], "min_d_loss": min(r["d_loss"] for r in rs),
                     "step": rs[-1]["step"]}
    return out


def _drift(ctx):
    claim = claim_config("drift", ctx.quick)
    seeds, pictures = [], []
    for seed in setups.run_seeds(ctx):
        config = drift_config(quick=ctx.quick)
        config.seed = seed
        workdir = os.path.join(ctx.out, f"seed{seed}")
        stages = checkpoint(config, workdir, claim, ctx, seed)
        if stages[-1]["diverged"]:
            seeds.append({"seed": seed, "diverged": True, "gate": stages})
            continue
        # D alone up to the first near-zero measurement (else the cap), then both players to
        # the same step: each its own sub-run, so an interrupted run keeps the finished one.
        measure = lambda mode, steps, stop, w=workdir, s=seed: drift.measure(
            w, modes=(mode,), steps=steps, every=claim.every, num_samples=claim.num_samples,
            seed=s, stop_below=stop, verbose=0)
        alone = registry.subrun(f"drift seed {seed}, D alone",
                                os.path.join(workdir, "drift_alone.json"),
                                lambda: measure("discriminator", claim.steps, claim.near_zero))
        joint = registry.subrun(f"drift seed {seed}, both players",
                                os.path.join(workdir, "drift_joint.json"),
                                lambda: measure("joint", alone[-1]["step"], None))
        rows = alone + joint
        seeds.append({"seed": seed, "diverged": False, "gate": stages,
                      "checkpoint_step": stages[-1]["step"],
                      **drift_summary(rows, claim.near_zero)})
        if not pictures:
            pictures.append(plots.drift_png(ctx.picture(f"drift_seed{seed}.png"), rows))
            _, model = runs.load_run(workdir)
            pictures.append(plots.labelled_image_grids_png(
                ctx.picture(f"checkpoint_samples_seed{seed}.png"),
                [(f"checkpoint generator, step {model.step}",
                  runs.generate(model, 32, config.eval.seed))], columns=8))
    text = "; ".join(
        f"seed {s['seed']}: diverged" if s["diverged"] else
        f"seed {s['seed']} (checkpoint step {s['checkpoint_step']}, confidence "
        f"{s['gate'][-1]['confidence']:.2f}, {s['gate'][-1]['classes']} classes), judged at "
        f"step {s['discriminator']['step']}: drift real "
        f"alone {s['discriminator']['drift_real']:.2f} / joint {s['joint']['drift_real']:.2f}, "
        f"fake {s['discriminator']['drift_fake']:.2f} / {s['joint']['drift_fake']:.2f}, D loss "
        f"{s['discriminator']['d_loss']:.3f} / {s['joint']['d_loss']:.3f}" for s in seeds)
    return {"ours": f"up to {claim.steps:,} steps of D alone / both players from a gated SimGD "
                    f"checkpoint, judged where D alone's loss first falls below "
                    f"{claim.near_zero:g}, {claim.num_samples} real and {claim.num_samples} "
                    f"fake images: " + text,
            "seeds": seeds, "steps": claim.steps, "factor": claim.factor,
            "near_zero": claim.near_zero,
            "pictures": pictures}


def drift_verdict(result):
    """The paper's figure 4: alone, D reaches near-zero loss (below the joint run's) and moves
    further on both sets."""
    seeds, factor, near_zero = result["seeds"], result["factor"], result["near_zero"]
    n = len(seeds)
    ok = [s for s in seeds if not s["diverged"]]
    farther = sum(s["discriminator"]["drift_real"] >= factor * s["joint"]["drift_real"]
                  and s["discriminator"]["drift_fake"] >= factor * s["joint"]["drift_fake"]
                  for s in ok)
    lower = sum(s["discriminator"]["d_loss"] < min(near_zero, s["joint"]["d_loss"])
                for s in ok)
    text = (f"D alone drifts >= {factor:g}x further than jointly on both sets in "
            f"{farther}/{n} seeds and reaches a D loss below {near_zero:g} and the joint "
            f"run's in {lower}/{n}"
            + (f"; {n - len(ok)} checkpoint runs diverged" if len(ok) < n else ""))
    if farther == n and lower == n:
        return REPRODUCED, text
    if farther == n or lower == n:
        return PARTLY, text
    return NOT_REPRODUCED, text


def drift_gate(result):
    """Trained enough: every seed's checkpoint generator passed the digit gate."""
    failed = [f"seed {s['seed']}" + (" diverged" if s["diverged"] else
                                      f" at step {s['gate'][-1]['step']}: confidence "
                                      f"{s['gate'][-1]['confidence']:.2f}, "
                                      f"{s['gate'][-1]['classes']} classes")
              for s in result["seeds"] if s["diverged"] or not s["gate"][-1]["passed"]]
    if failed:
        return False, "no checkpoint makes recognisable digits: " + "; ".join(failed)
    return True, "every seed's checkpoint generator draws recognisable digits: " + ", ".join(
        f"seed {s['seed']} at step {s['checkpoint_step']}" for s in result["seeds"])


registry.register(registry.Claim(
    id="icr.icr_drift",
    where="section 4, figure 4, appendix A.3 / A.3.1",
    statement="From a checkpoint of a GAN trained on MNIST, a discriminator trained alone "
              "against the fixed generator reaches near-zero loss and moves significantly "
              "faster and further (eq. (5) on 500 real and 500 checkpoint-generator images) "
              "than when trained jointly with the generator, whose loss stays stable.",
    paper="Curves only (figure 4): D alone, its loss falls towards zero and its drift on both "
          "sets grows far beyond the joint run's.",
    setup="`configs/icr_mnist.py:drift` and `:simgd-mnist5k` (each number with its source in the "
          "paper's A.3 or devzhk/Implicit-Competitive-Regularization, 074b155 and 905453f): per "
          "seed (0, 1, 2, fixed before the run), a GAN on mnist5k's 4,000 training digits with "
          "the paper's MNIST networks (Tables 1-2, latent 96), stochastic SimGD (both players at "
          "once, SGD 0.01), batch 128, log-trick G loss, no regulariser, trained to the first of "
          "3,000, 4,000, ..., 9,000 steps (the paper: 9,000) whose generator passes the gate; "
          "then `experiments.drift.measure`: (a) D alone against the fixed generator, SGD 0.01 "
          "(the paper's 'same learning rate', and the authors' `train_d` of the figure's time: "
          "train_seq.py@074b155, lr_d 0.01, SGD), until the first measurement where its loss "
          "is below 0.1 (the paper's 'near-zero loss'), at most 14,000 steps (the authors' "
          "figure-4 call `train_d(epoch_num=30)`: 30 MNIST epochs at batch 128; figure 8 loads "
          "its `FixG-0.010_14000.pth`); (b) both players for as many steps; drift of eq. (5) "
          "every 50 steps on 500 training digits and 500 checkpoint samples; D loss the mean "
          "of the last 50 steps' batches. Both runs are judged at that step, so the drift ratio "
          "does not rest on a length picked by us; that D alone gets near zero is part of the "
          "rule, not a gate (the paper claims it). Deviations: mnist5k for MNIST (offline; "
          "9,000 steps are 288 epochs of it, the 14,000-step cap 448). Cost: the checkpoint "
          "runs 1.1 CPU-h (measured in the first full run, 3,891 CPU-s; reused), the "
          "continuations 3 seeds x 2 x s steps x 0.205 s (measured there: 820 CPU-s for 2 x "
          "2,000 steps a seed), s the step where D alone first nears zero: 1.7 CPU-h at s = "
          "5,000, 4.8 at the cap. A check of the D-alone learning rate (2026-12-07, seed 0, "
          "this checkpoint run at 3,000 steps, whose samples scored confidence 0.89 over 10 "
          "classes, FID 28 against noise's 329: the gate would go on to 4,000): after 500 "
          "steps, D alone at 0.01 drifted 23.8 (real) / 13.9 (fake), at 905453f's 0.001 6.3 / "
          "11.4, jointly 10.6 / 20.5, mean D loss over the 500 steps 0.75, 0.70 and 0.86.",
    rule="per seed, both continuations are judged at the same step: the first measurement "
         "(every 50 steps, up to 14,000) where D alone's loss is below 0.1, else the 14,000th; "
         "there D alone drifts further when its drift is >= 1.5 times the joint run's on the "
         "real set and on the fake set, and reaches near-zero loss when its D loss is below "
         "0.1 and below the joint run's; reproduced when both hold in every seed (3 of 3); "
         "partly when one of them holds in every seed; otherwise not reproduced (a diverged "
         "checkpoint run counts against).",
    gate_rule="'a GAN that makes good images': each seed's checkpoint generator draws 500 "
              "samples that the mnist5k domain classifier reads with mean top-1 probability "
              ">= 0.9, covering >= 8 of the 10 classes (>= 10 % of a class's fair share), at "
              "some checkpoint of 3,000-9,000 steps; otherwise the claim is inconclusive.",
    experiment=_drift, verdict=drift_verdict, gate=drift_gate,
    config=lambda: resolved("drift"), seeds=tuple(claim_config("drift").seeds),
    cpu_hours=3.0,
    history=(registry.Revision(
        changed="setup: the checkpoint from 100 steps -> the first of 3,000-9,000 steps that "
                "passes a digit gate; continuations 50 -> up to 2,000 steps, measured every "
                "50, judged where D alone's loss first falls below 0.1 (else at 2,000); rule: "
                "'most seeds' -> every seed, partly when one part holds in every seed, and "
                "D alone's loss must be below 0.1 (the paper's 'near-zero'), not only below "
                "the joint run's",
        why="issue 26: a 100-step generator draws noise where the paper needs 'a GAN that makes "
            "good images' (its checkpoint has 9,000 steps)",
        before="not reproduced: D alone drifts >= 1.5x further than jointly on both sets in "
               "1/3 seeds and ends at a lower D loss in 3/3 (docs/reproduction/report.json at "
               "88dcf4b)",
        old_rule="reproduced when both hold in >= 80 % of the seeds (3 of 3); partly when both "
                 "hold in a majority; otherwise not reproduced."),
        registry.Revision(
        changed="setup: the continuations' cap 2,000 -> 14,000 steps (D alone stops at its "
                "first measurement below 0.1, both players run to the same step); the setup "
                "no longer names Adam as the paper's likely D-alone optimiser",
        why="the authors' code of the figure's time (train_seq.py@074b155) over-trains D alone "
            "by SGD 0.01 for 30 MNIST epochs, and figure 8 loads that run's step-14,000 "
            "checkpoint: the first full run stopped at a seventh of the authors' length, where "
            "no seed's D alone had reached 0.1 (issue 26: the papers' own lengths); found after "
            "that run, when its 'not reproduced' was being diagnosed, so the verdict before "
            "stands here",
        before="not reproduced: D alone drifts >= 1.5x further than jointly on both sets in "
               "1/3 seeds and reaches a D loss below 0.1 and the joint run's in 0/3 (D alone "
               "0.277 / 0.190 / 0.159 at 2,000 steps, joint 0.758 / 0.873 / 0.848; "
               "docs/reproduction/claims/icr.icr_drift.json at dd3283c)",
        old_rule="the first measurement (every 50 steps, up to 2,000) where D alone's loss is "
                 "below 0.1, else the 2,000th; reproduced when both hold in every seed (3 of "
                 "3); partly when one of them holds in every seed; otherwise not reproduced."),
    )))


# ---- Adam against ACGD on the original loss (section 6, figure 9, Table 3) --------------------

def _comparison_run(config, workdir, claim, seed):
    finished = _train(config, workdir)
    rows = (evaluation.read_eval_csv(workdir)
            if os.path.exists(os.path.join(workdir, evaluation.EVAL_CSV)) else [])
    out = {"steps": [r["step"] for r in rows], "fid": [r["fid"] for r in rows],
           "is": [r["is"] for r in rows], "diverged": not finished}
    if finished:
        out["digits"] = digit_checks.run_scores(workdir, claim.gate_samples, seed=seed)
    return out


def _final_fid(run):
    """The run's final FID against the real digits (`digit_checks`); a diverged run's is
    infinite."""
    return float("inf") if run["diverged"] else run["digits"]["fid"]


def _comparison(ctx):
    claim = claim_config("comparison", ctx.quick)
    seeds, grids = [], []
    for seed in setups.run_seeds(ctx):
        row = {"seed": seed}
        for method in METHODS:
            config = comparison_config(method, quick=ctx.quick)
            config.seed = seed
            workdir = os.path.join(ctx.out, method, f"seed{seed}")
            run = registry.subrun(f"{method} seed {seed}",
                                  os.path.join(workdir, "comparison_result.json"),
                                  lambda c=config, w=workdir, s=seed:
                                  _comparison_run(c, w, claim, s))
            row[method] = dict(run, final_fid=_final_fid(run))
            if not seeds and not run["diverged"]:
                _, model = runs.load_run(workdir)
                grids.append((method, runs.generate(model, 32, config.eval.seed)))
        seeds.append(row)
    first = seeds[0]
    pictures = [plots.curves_png(
        ctx.picture(f"fid_seed{first['seed']}.png"),
        {LABELS[m]: (first[m]["steps"], first[m]["fid"]) for m in METHODS},
        ylabel="FID (mnist5k domain classifier)",
        title=f"ICR paper figure 9 at MNIST scale, seed {first['seed']}")]
    if grids:
        pictures.append(plots.labelled_image_grids_png(
            ctx.picture(f"samples_seed{first['seed']}.png"), grids, columns=8,
            title=f"final samples, seed {first['seed']}"))
    text = "; ".join(
        f"seed {r['seed']}: " + ", ".join(
            f"{m} FID {r[m]['final_fid']:.3g}" + (" (diverged)" if r[m]["diverged"] else "")
            for m in METHODS)
        + "".join(f" (Gaussian noise {r[m]['digits']['noise_fid']:.3g})"
                  for m in ("adam",) if not r[m]["diverged"]) for r in seeds)
    steps = comparison_config("acgd", quick=ctx.quick).train.num_steps
    return {"ours": f"after {steps} steps, FID of the mnist5k domain classifier on "
                    f"{claim.gate_samples:,} samples against as many real digits: " + text,
            "seeds": seeds, "breakdown_factor": claim.breakdown_factor,
            "better_margin": claim.better_margin,
            "gate_noise_fraction": claim.gate_noise_fraction, "pictures": pictures}


def comparison_verdict(result):
    """The paper's section 6: ACGD scores better than Adam on OGAN-NOREG, and Adam on the
    saturating loss breaks down."""
    seeds, factor = result["seeds"], result["breakdown_factor"]
    margin = result["better_margin"]
    n = len(seeds)
    better = sum(r["acgd"]["final_fid"] <= (1 - margin) * r["adam"]["final_fid"]
                 for r in seeds)
    broke = sum(r["adam_saturating"]["diverged"]
                or r["adam_saturating"]["final_fid"] >= factor * r["acgd"]["final_fid"]
                for r in seeds)
    text = (f"ACGD's FID >= {margin:.0%} below Adam's (log-trick) in {better}/{n} seeds; Adam "
            f"on the saturating loss broke down (FID >= {factor:g}x ACGD's, or diverged) in "
            f"{broke}/{n}")
    most, majority = registry.most(n), registry.majority(n)
    if better >= most and broke >= most:
        return REPRODUCED, text
    if better >= most or broke >= most or (better >= majority and broke >= majority):
        return PARTLY, text
    return NOT_REPRODUCED, text


def comparison_gate(result):
    """Trained enough: the reference, Adam with the log-trick, beats Gaussian noise's FID by
    the margin in every seed. ACGD is not gated: its success is what the paper claims."""
    frac = result["gate_noise_fraction"]
    short = [f"adam seed {r['seed']}: " + ("diverged" if r["adam"]["diverged"] else
                                           f"FID {r['adam']['final_fid']:.3g} vs noise "
                                           f"{r['adam']['digits']['noise_fid']:.3g}")
             for r in result["seeds"]
             if r["adam"]["diverged"]
             or r["adam"]["final_fid"] >= frac * r["adam"]["digits"]["noise_fid"]]
    if short:
        return False, (f"the reference (Adam, log-trick) does not beat {frac:g}x Gaussian "
                       f"noise's FID: " + "; ".join(short))
    return True, f"Adam (log-trick) beats {frac:g}x Gaussian noise's FID in every seed"


registry.register(registry.Claim(
    id="icr.adam_vs_acgd",
    where="section 6, figure 9, Table 3 (OGAN-NOREG+Adam vs OGAN-NOREG+ACGD)",
    statement="For the same model (the original GAN loss without regularisation), ACGD scores "
              "better than Adam; and when using Adam on the original saturating GAN loss "
              "(which ACGD uses), training breaks down completely.",
    paper="CIFAR-10 IS curves (figure 9): OGAN-NOREG with ACGD is erratic but above Adam with "
          "the log-trick; Adam on the saturating loss breaks down (no number given).",
    setup="`configs/icr_mnist.py:comparison` and `:<acgd|adam|adam_saturating>-mnist5k` (each "
          "number with its source in the paper or devzhk/Implicit-Competitive-Regularization@"
          "905453f): per seed (0, 1, 2, fixed before the run), three runs on mnist5k's 4,000 "
          "training digits with the paper's MNIST networks (Tables 1-2, latent 96) and Table 3's "
          "OGAN-NOREG settings: learning rate 1e-4, batch 64, simultaneous updates (the "
          "paper's 'trained simultaneously'; that Adam trainer alternates, a D step then a G "
          "step on fresh z, VisionData.py@905453f:259-292: a deviation from the code, "
          "following the text), no regulariser; ACGD (beta2 0.99, eps 1e-5, CG tolerance "
          "1e-6) on the shared zero-sum saturating loss; Adam (0.5, 0.999: the authors' "
          "log-trick trainer at 905453f, "
          "VisionData.py:247-250; their later train_seq.py has 0.99) with the log-trick; the "
          "same Adam on the saturating loss. 500 steps a run (a pilot on 2026-12-07, seed 0: "
          "Adam with the log-trick at 500 steps scored FID 100 against Gaussian noise's 326, "
          "inside the gate's 0.6x); FID of the project's mnist5k "
          "domain classifier on 1,000 final samples against 1,000 real training digits, and "
          "of 1,000 Gaussian-noise images against the same digits. Deviations: MNIST-scale "
          "networks and data for the paper's CIFAR-10 DCGAN (beyond this CPU); 500 steps where "
          "the authors ran 600 CIFAR-10 epochs at batch 64, about 469,000 iterations (the "
          "paper states no length; the code of its time: utils.py@3f32769:68, --epoch_num "
          "600, and the Adam run VisionData.py@3f32769:677, train_gd(epoch_num=600); at "
          "905453f scripts/cifar10-acgd-wn.sh): even 600 epochs of mnist5k (37,500 steps) "
          "would take 66 CPU-h of ACGD at 2.1 s a step, and the claim's budget share is about "
          "one CPU-hour, so the verdict speaks for the first 500 steps only: ACGD's erratic "
          "later phase (figure 9) and whether Adam on the saturating loss recovers later are "
          "not tested; CG tolerance 1e-6 for the code's 1e-12 (float32). "
          "Cost: 3 x (500 x 2.1 s of ACGD + 1,000 x 0.165 s of Adam + evaluation) = 1.1 CPU-h, "
          "up to 1.6 if ACGD's conjugate-gradient solves lengthen later in training (estimate: "
          "single-threaded pilots on 2026-12-07 with the machine loaded, ACGD steps 10-40 after "
          "10 warm-up steps, Adam steps 10-500; AUTHORS_SETTINGS' 4-6.5 s an ACGD step was not "
          "reproduced by this longer pilot).",
    rule="per seed, ACGD is better when its final FID is at least 10 % below Adam's with the "
         "log-trick, and Adam on the saturating loss breaks down when its final FID is >= 2 "
         "times ACGD's or its losses became non-finite; reproduced when both hold in >= 80 % of "
         "the seeds (3 of 3); partly when one of them does, or both hold in a majority (2 of "
         "3); otherwise not reproduced.",
    gate_rule="the reference, Adam with the log-trick, reaches a final FID below 0.6 times "
              "Gaussian noise's against the same real digits in every seed (a diverged one "
              "fails): otherwise the runs were too short to judge and the claim is "
              "inconclusive. ACGD is not gated: that it scores better is the claim, and an "
              "ACGD that stays bad counts against it in the verdict.",
    diagnosis=(
        "Written after the run. The verdict covers the first 500 of the authors' ~469,000 "
        "iterations (0.1 %): there ACGD's FID (199 / 253 / 229) is about twice Adam's with "
        "the log-trick (99 / 102 / 118), and Adam on the saturating loss has not broken "
        "down (115 / 117 / 125). Figure 9 compares whole runs; whether ACGD overtakes Adam "
        "later, or the saturating Adam breaks down later, is untested here (600 mnist5k "
        "epochs are ~66 CPU-h of ACGD)."),
    experiment=_comparison, verdict=comparison_verdict, gate=comparison_gate,
    config=lambda: resolved("comparison"),
    seeds=tuple(claim_config("comparison").seeds), cpu_hours=1.1,
    history=(registry.Revision(
        changed="setup: 50 -> 500 steps, Adam betas (0.5, 0.99) -> (0.5, 0.999) (the paper-time "
                "code), FID on final samples next to a Gaussian-noise baseline, a gate on the "
                "reference Adam (log-trick) only; rule: ACGD better only by a 10 % margin",
        why="issue 26: at 50 steps every FID was 503-515, worse than Gaussian noise (358): no "
            "signal",
        before="not reproduced: ACGD's FID below Adam's (log-trick) in 0/3 seeds; Adam on the "
               "saturating loss broke down (FID >= 2x ACGD's, or diverged) in 0/3 "
               "(docs/reproduction/report.json at 88dcf4b)",
        old_rule="per seed, ACGD is better when its final FID is below Adam's with the "
                 "log-trick; breakdown and thresholds as now."),)))
