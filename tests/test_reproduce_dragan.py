"""Kodali et al.'s (DRAGAN) claims on offline images (`reproduce.dragan_claims`): the verdict rules
of the BogoNet and f-divergence claims on planted results, the stability rule of one run, a diverged
run's curve, the configs, and the f-divergence claim end to end in quick mode."""
import csv
import json
import math
import os

import itertools

import numpy as np
import pytest

from helpers import config_module, picture
from tfgan_reg import config_lib
from tfgan_reg import training
from tfgan_reg.experiments import bogonet as bogonet_lib
from tfgan_reg.reproduce import dragan_claims
from tfgan_reg.reproduce import registry
from tfgan_reg.reproduce import runner
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, PARTLY, REPRODUCED

STEPS = [50, 100, 150, 200, 250, 300]


# ---- BogoNet verdict ----------------------------------------------------------------------------

NOISE = {"is": 4.57, "fid": 100.0}  # a planted noise baseline: runs learnt below FID 50
LEARNT_FID, NOISE_FID = [80.0, 60.0, 45.0, 40.0, 35.0, 30.0], [100.0] * 6


def _bogonet_result(curves, fids=None):
    """A planted result: per pair, {method: IS curve over STEPS} (and {method: FID curve} in
    `fids`, else every run learnt), run through the library's own statistics as the
    experiment does."""
    pairs, stats = [], {"none": [], "dragan": []}
    for k, by_method in enumerate(curves):
        entry = {"pair": k, "curves": {}}
        for method, scores in by_method.items():
            s = bogonet_lib.curve_stats(STEPS, scores)
            stats[method].append(s)
            fid = fids[k][method] if fids else LEARNT_FID
            entry["curves"][method] = {"steps": STEPS, "is": scores, "fid": fid,
                                       "diverged": False, **s}
        pairs.append(entry)
    return {"table": bogonet_lib.table(stats), "pairs": pairs, "noise": NOISE}


RISING = [1.5, 2.0, 2.6, 3.1, 3.5, 4.0]
FLAT = [1.5, 1.8, 1.9, 1.9, 2.0, 2.0]
COLLAPSING = [1.5, 2.5, 3.0, 2.0, 1.2, 1.0]


def test_bogonet_rule_reproduced_when_dragan_rises_in_most_pairs():
    # DRAGAN rises in 8 of 10 pairs where vanilla stays flat or collapses, and ties in 2
    # (dropped by the test): p = 1/256 for both the final IS and the slope.
    curves = [{"none": COLLAPSING if k % 2 else FLAT, "dragan": RISING} for k in range(8)]
    curves += [{"none": FLAT, "dragan": FLAT}] * 2
    verdict, reason = dragan_claims.bogonet_verdict(_bogonet_result(curves))
    assert verdict == REPRODUCED, reason
    assert "8/10" in reason and "0.0039" in reason


def _exact_wilcoxon_greater(d):
    """The exact one-sided signed-rank p by enumerating every sign pattern (no ties, no zeros):
    an independent reference for `wilcoxon_greater`."""
    d = np.asarray(d, np.float64)
    ranks = np.argsort(np.argsort(np.abs(d))) + 1
    observed = ranks[d > 0].sum()
    sums = [sum(r for r, s in zip(ranks, signs) if s)
            for signs in itertools.product((0, 1), repeat=len(d))]
    return np.mean(np.asarray(sums) >= observed)


@pytest.mark.parametrize("d", [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [-1, 2, 3, -4, 5, 6, 7, 8, 9, 10],
                               [-1, -2, -3, 4, 5, 6, 7, -8, 9, 10], [-10, 1, 2, 3, 4, 5, 6, 7]])
def test_wilcoxon_greater_is_the_exact_signed_rank_test(d):
    d = np.asarray(d, np.float64) * 0.1
    assert dragan_claims.wilcoxon_greater(d, np.zeros_like(d)) == \
        pytest.approx(_exact_wilcoxon_greater(d))
    # Equal pairs say nothing: dropped, and all equal is p = 1.
    assert dragan_claims.wilcoxon_greater(np.r_[d, 0.0, 0.0], np.zeros(len(d) + 2)) == \
        pytest.approx(_exact_wilcoxon_greater(d))
    assert dragan_claims.wilcoxon_greater([3.0] * 5, [3.0] * 5) == 1.0


def _shifted(gaps):
    """Pairs whose DRAGAN runs end `gap` x 0.1 above vanilla's with the same slope: only the
    final-IS test can be significant."""
    result = _bogonet_result([{"none": FLAT, "dragan": [v + 0.1 * g for v in FLAT]}
                              for g in gaps])
    for pair in result["pairs"]:
        pair["curves"]["dragan"]["slope"] = pair["curves"]["none"]["slope"]
    return result


def _signed_ranks(negative, n=10):
    return [-k if k in negative else k for k in range(1, n + 1)]


def test_bogonet_rule_boundary_of_the_final_is_test():
    # Ranks 1..10 with 1-4 negative: T+ = 45, exact p = 0.042 < 0.05: partly (equal slopes).
    at = _signed_ranks((1, 2, 3, 4))
    assert _exact_wilcoxon_greater(at) == pytest.approx(0.0420, abs=5e-4)
    verdict, reason = dragan_claims.bogonet_verdict(_shifted(at))
    assert verdict == PARTLY and "final IS test" in reason, reason
    # 1, 2, 3 and 5 negative: T+ = 44, p = 0.053 > 0.05: not reproduced, although DRAGAN's
    # final IS is higher in 6 of 10 pairs and on average.
    beyond = _signed_ranks((1, 2, 3, 5))
    assert _exact_wilcoxon_greater(beyond) == pytest.approx(0.0527, abs=5e-4)
    verdict, reason = dragan_claims.bogonet_verdict(_shifted(beyond))
    assert verdict == NOT_REPRODUCED and "spread" in reason and "6/10" in reason, reason


def test_bogonet_rule_partly_when_only_the_slope_is_higher():
    result = _shifted(_signed_ranks(range(1, 11)))  # DRAGAN ends lower in every pair
    for k, pair in enumerate(result["pairs"]):
        pair["curves"]["dragan"]["slope"] = pair["curves"]["none"]["slope"] + 1e-3 * (k + 1)
    verdict, reason = dragan_claims.bogonet_verdict(result)
    assert verdict == PARTLY and "slope test" in reason, reason


def test_bogonet_rule_not_reproduced_when_vanilla_is_better_everywhere():
    curves = [{"none": RISING, "dragan": FLAT}] * 10
    assert dragan_claims.bogonet_verdict(_bogonet_result(curves))[0] == NOT_REPRODUCED


def test_bogonet_rule_no_longer_follows_a_mean_pulled_by_few_pairs():
    # DRAGAN high and flat in 3 pairs (a mean final IS above vanilla's), lower in the other
    # 7, where its curves fall: the mean says DRAGAN, the paired test does not.
    curves = [{"none": FLAT, "dragan": [9.5] * 6}] * 3
    curves += [{"none": RISING, "dragan": COLLAPSING}] * 7
    result = _bogonet_result(curves)
    assert result["table"]["dragan"]["final_mean"] > result["table"]["none"]["final_mean"]
    assert dragan_claims.bogonet_verdict(result)[0] == NOT_REPRODUCED


# ---- the stability rule of one f-divergence run -------------------------------------------------

def _curve(scores, diverged=False, fid=None):
    return {"steps": STEPS[:len(scores)], "is": scores, "diverged": diverged,
            "fid": fid or LEARNT_FID[:len(scores)], "stable": None}


def test_a_run_is_stable_when_its_fid_beats_noise_and_it_ends_near_its_peak():
    noise = NOISE["fid"]
    assert dragan_claims.run_stable(_curve(RISING), noise)[0]
    # A noise generator (IS 4.57, FID that of noise) is not stable, whatever its IS.
    stable, why = dragan_claims.run_stable(_curve([4.57] * 6, fid=NOISE_FID), noise)
    assert not stable and "noise FID" in why
    # The boundary: FID below half the noise FID is learnt, at it is not.
    assert dragan_claims.run_stable(_curve(RISING, fid=[60.0] * 5 + [49.9]), noise)[0]
    assert not dragan_claims.run_stable(_curve(RISING, fid=[60.0] * 5 + [50.0]), noise)[0]
    # Reaches 6, ends at 2.5: collapsed at the end, although its FID beats noise.
    stable, why = dragan_claims.run_stable(_curve([2.0, 6.0, 5.0, 2.5]), noise)
    assert not stable and "peak" in why
    # A run that stopped on a non-finite loss failed, whatever its score before.
    assert not dragan_claims.run_stable(_curve(RISING, diverged=True), noise)[0]


def test_a_diverged_run_is_scored_at_the_floor_after_it_stopped(tmp_path, monkeypatch):
    config = dragan_claims.fdiv_config("reverse_kl", "none")
    config.train.num_steps, config.eval.every = 40, 10
    workdir = str(tmp_path / "run")

    def diverging(config, workdir, **kwargs):  # one evaluation, then a NaN loss
        os.makedirs(workdir, exist_ok=True)
        with open(os.path.join(workdir, "eval.csv"), "w") as f:
            f.write("step,fid,is,kid\n10,300.0,2.5,10.0\n")
        raise training.TrainingDiverged("Losses became non-finite at generator step 13")

    monkeypatch.setattr(training, "train_and_evaluate", diverging)
    curve = dragan_claims.scored_run(config, workdir)
    assert curve["steps"] == [10, 20, 30, 40]
    assert curve["is"] == [2.5, dragan_claims.FLOOR_IS, dragan_claims.FLOOR_IS,
                           dragan_claims.FLOOR_IS]
    assert curve["fid"] == [300.0] + [float("inf")] * 3
    assert curve["diverged"] and not dragan_claims.run_stable(curve, 100.0)[0]
    # Read back, not retrained.
    monkeypatch.setattr(training, "train_and_evaluate", None)
    assert dragan_claims.scored_run(config, workdir) == json.loads(json.dumps(curve))


# ---- f-divergence verdict -----------------------------------------------------------------------

def _judged(curve):
    return {**curve, "stable": dragan_claims.run_stable(curve, NOISE["fid"])[0]}


GOOD = _judged(_curve(RISING))
BAD = _judged(_curve(COLLAPSING))
NAN = _judged(_curve([1.5, 1.0, 1.0, 1.0, 1.0, 1.0], diverged=True))


def _fdiv_result(dragan_good, vanilla_bad, *, tv_dragan=BAD):
    """Planted cells (2 seeds each): DRAGAN stable for the divergences in `dragan_good`,
    vanilla failed (collapse or NaN) for those in `vanilla_bad`; the other cells stable for
    vanilla and failed for DRAGAN."""
    table = {}
    for d in dragan_claims.DIVERGENCES:
        dragan = [GOOD, GOOD] if d in dragan_good else [BAD, NAN]
        if d == "total_variation":
            dragan = [tv_dragan, tv_dragan]
        vanilla = [BAD, NAN] if d in vanilla_bad else [GOOD, GOOD]
        table[d] = {m: {"runs": runs, "cell": dragan_claims._cell(runs)}
                    for m, runs in (("dragan", dragan), ("none", vanilla))}
    return {"table": table}


NON_TV = ("kl", "reverse_kl", "pearson", "squared_hellinger")


def test_fdiv_rule_reproduced_whatever_dragan_does_with_total_variation():
    for tv in (GOOD, BAD):
        verdict, reason = dragan_claims.fdiv_verdict(
            _fdiv_result(NON_TV, dragan_claims.DIVERGENCES, tv_dragan=tv))
        assert verdict == REPRODUCED, reason


def test_fdiv_rule_not_reproduced_when_vanilla_trains_too():
    # DRAGAN stable everywhere, but so is vanilla: no robustness gained.
    assert dragan_claims.fdiv_verdict(_fdiv_result(NON_TV, ()))[0] == NOT_REPRODUCED
    # Both fail everywhere.
    assert dragan_claims.fdiv_verdict(
        _fdiv_result((), dragan_claims.DIVERGENCES))[0] == NOT_REPRODUCED


def test_fdiv_rule_partly_for_two_of_four():
    result = _fdiv_result(("kl", "pearson"), dragan_claims.DIVERGENCES)
    assert dragan_claims.fdiv_verdict(result)[0] == PARTLY
    result = _fdiv_result(("kl",), dragan_claims.DIVERGENCES)
    assert dragan_claims.fdiv_verdict(result)[0] == NOT_REPRODUCED
    # All four stable, but vanilla trains with reverse KL: partly.
    result = _fdiv_result(NON_TV, ("kl", "pearson", "squared_hellinger", "total_variation"))
    assert dragan_claims.fdiv_verdict(result)[0] == PARTLY


def test_a_cell_with_split_seeds_is_mixed_and_counts_for_neither():
    assert dragan_claims._cell([GOOD, BAD]) == "mixed"
    assert dragan_claims._cell([GOOD, GOOD, BAD]) == "stable"
    assert dragan_claims._cell([NAN, BAD, GOOD]) == "failed"


# ---- configs ------------------------------------------------------------------------------------

def test_offline_fdiv_config_is_the_papers_setup_on_digits():
    module = config_module("fdiv_mlp_g")
    config = module.get_config("reverse_kl-dragan-digits")
    config_lib.validate(config)
    assert config.data.name == "digits" and config.eval.classifier == "domain"
    assert config.model.arch == "dcgan_mlp_g" and config.model.d_normalization == "layer"
    assert config.loss == "reverse_kl" and config.generator_loss == "alternative"
    assert (config.penalty.name, config.penalty.lam, config.penalty.c) == ("dragan", 10.0, 0.5)
    # Section 3.2: "Adam with default parameters everywhere".
    assert (config.train.d_learning_rate, config.train.g_learning_rate, config.train.beta1,
            config.train.beta2) == (1e-3, 1e-3, 0.9, 0.999)
    assert config.to_dict() == dragan_claims.fdiv_config("reverse_kl", "dragan").to_dict()
    # The gate's run: the DCGAN generator against the same discriminator and optimiser.
    reference = config_lib.validate(module.get_config("reference-digits"))
    assert reference.model.arch == "dcgan" and reference.loss == "non_saturating"
    assert reference.penalty.name == "none" and reference.model.d_normalization == "layer"
    for key in ("num_steps", "d_learning_rate", "beta1", "beta2", "batch_size"):
        assert reference.train[key] == config.train[key], key
    # The CIFAR-10 setups keep their arguments.
    cifar = module.get_config("total_variation-none")
    assert cifar.data.name == "cifar10" and cifar.penalty.name == "none"
    assert cifar.train.num_steps == 50000 and cifar.train.beta1 == 0.9
    with pytest.raises(ValueError, match="digits"):
        module.get_config("reverse_kl-wgan_gp-digits")
    with pytest.raises(ValueError, match="reference"):
        module.get_config("reference")


def test_bogonet_config_follows_configs_bogonet_digits_with_the_papers_adam():
    shipped = config_module("bogonet").get_config("digits")
    ours = dragan_claims.bogonet_config(3, "dragan")
    config_lib.validate(ours)
    assert ours.train.batch_size == shipped.train.batch_size and ours.loss == shipped.loss
    assert ours.model.bogonet_scale == shipped.model.bogonet_scale
    assert (ours.train.d_learning_rate, ours.train.beta1, ours.train.beta2) == (1e-3, 0.9, 0.999)
    assert ours.model.bogonet_seed == 3 and ours.seed == 3
    assert ours.penalty.name == "dragan" and ours.eval.classifier == "domain"
    every = ours.eval.every
    assert dragan_claims.eval_steps(ours) == list(range(every, ours.train.num_steps + 1, every))
    assert len(dragan_claims.eval_steps(ours)) == 20
    assert dragan_claims.bogonet_config(3, "none", quick=True).train.num_steps <= 20


# ---- gates --------------------------------------------------------------------------------------

def test_bogonet_gate_needs_a_majority_of_informative_pairs():
    gate = registry.get(["dragan.bogonet"])[0].gate
    curves = [{"none": FLAT, "dragan": RISING}] * 10
    learnt = {"none": NOISE_FID, "dragan": [100.0] * 5 + [49.9]}  # DRAGAN's last beats noise
    idle = {"none": NOISE_FID, "dragan": [100.0] * 5 + [50.0]}  # at half the noise FID: not
    assert gate(_bogonet_result(curves, [learnt] * 6 + [idle] * 4))[0]
    passed, why = gate(_bogonet_result(curves, [learnt] * 5 + [idle] * 5))
    assert not passed and "5/10" in why
    # Noise generators (IS 4.57 > the old threshold 2, FID that of noise) are not informative.
    noise = {"none": NOISE_FID, "dragan": NOISE_FID}
    assert not gate(_bogonet_result([{"none": [4.57] * 6, "dragan": [4.57] * 6}] * 10,
                                    [noise] * 10))[0]


def test_fdiv_gate_needs_the_reference_generator_to_learn():
    gate = registry.get(["dragan.fdiv_robustness"])[0].gate
    assert gate({"reference": GOOD, "noise": NOISE})[0]
    # A reference run that gives noise (IS 4.57) fails, as does one at half the noise FID.
    assert not gate({"reference": _curve([4.57] * 6, fid=NOISE_FID), "noise": NOISE})[0]
    assert not gate({"reference": _curve(RISING, fid=[50.0] * 6), "noise": NOISE})[0]
    assert gate({"reference": _curve(RISING, fid=[49.9] * 6), "noise": NOISE})[0]
    assert not gate({"reference": BAD, "noise": NOISE})[0]
    assert not gate({"reference": NAN, "noise": NOISE})[0]


def test_changed_claims_keep_their_old_verdicts():
    for cid in ("dragan.bogonet", "dragan.fdiv_robustness"):
        claim = registry.get([cid])[0]
        assert claim.history and claim.history[0].before.startswith("not reproduced")
        assert claim.cpu_hours > 0 and claim.gate_rule and claim.config()


# ---- end to end ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_fdiv_claim_end_to_end_in_quick_mode(tmp_path):
    claim = registry.get(["dragan.fdiv_robustness"])[0]
    record = runner.run_claim(claim, str(tmp_path), seeds=(0,), quick=True, verbose=False)
    table = record["result"]["table"]
    assert list(table) == ["reverse_kl"]
    for method in ("none", "dragan"):
        run = table["reverse_kl"][method]["runs"][0]
        # The curve is the run's own IS column (the IS itself: test_scores*); a step it did
        # not reach, or a non-finite IS, is the floor.
        runs = runner.runs_dir(str(tmp_path), record["setup_hash"], claim.id, quick=True)
        with open(os.path.join(runs, "reverse_kl", method, "seed0", "eval.csv")) as f:
            got = {int(r["step"]): float(r["is"]) for r in csv.DictReader(f)}
        want = [got.get(s, dragan_claims.FLOOR_IS) for s in (5, 10)]
        assert run["steps"] == [5, 10]
        assert run["is"] == [v if math.isfinite(v) else dragan_claims.FLOOR_IS for v in want]
    assert picture(os.path.join(tmp_path, record["result"]["pictures"][0])).std() > 0.05


def test_noise_baseline_is_gaussian_noise_by_the_runs_own_scorer(tmp_path):
    from tfgan_reg.data import images
    from tfgan_reg.eval import classifier as classifier_lib
    from tfgan_reg.eval import scores
    from tfgan_reg.reproduce import digit_checks
    config = dragan_claims.fdiv_config("reverse_kl", "dragan")
    noise = digit_checks.noise_scores(config, str(tmp_path))
    # The review measured IS 4.57 for Gaussian noise with this classifier: above any IS
    # threshold of 2, which is why learning is judged by FID.
    assert 4.0 < noise["is"] < 5.0
    # Real digits (another subset) by the same scorer are far below half the noise FID, so a
    # generator of digits passes `learnt` and noise does not.
    n = config.eval.num_samples
    clf = classifier_lib.resolve("domain", data_name="digits")
    real_pool = classifier_lib.real_activations(clf, "digits", data_dir="", num_samples=n,
                                                seed=config.eval.seed, cache_dir=str(tmp_path))
    other = np.asarray(images.to_float(images.sample_uint8("digits", n, 12345)))
    real = scores.image_scores(clf, [other], real_pool, num_samples=n)["fid"]
    assert dragan_claims.learnt(real, noise["fid"])
    assert not dragan_claims.learnt(noise["fid"], noise["fid"])
