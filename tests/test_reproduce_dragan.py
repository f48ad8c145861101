"""Kodali et al.'s (DRAGAN) claims on offline images (`reproduce.dragan_claims`): the verdict rules
of the BogoNet and f-divergence claims on planted results, the stability rule of one run, a diverged
run's curve, the configs, and the f-divergence claim end to end in quick mode."""
import csv
import json
import math
import os

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

def _bogonet_result(curves):
    """A planted result: per pair, {method: IS curve over STEPS}, run through the library's
    own statistics as the experiment does."""
    pairs, stats = [], {"none": [], "dragan": []}
    for k, by_method in enumerate(curves):
        entry = {"pair": k, "curves": {}}
        for method, scores in by_method.items():
            s = bogonet_lib.curve_stats(STEPS, scores)
            stats[method].append(s)
            entry["curves"][method] = {"steps": STEPS, "is": scores, "diverged": False, **s}
        pairs.append(entry)
    return {"table": bogonet_lib.table(stats), "pairs": pairs}


RISING = [1.5, 2.0, 2.6, 3.1, 3.5, 4.0]
FLAT = [1.5, 1.8, 1.9, 1.9, 2.0, 2.0]
COLLAPSING = [1.5, 2.5, 3.0, 2.0, 1.2, 1.0]


def test_bogonet_rule_reproduced_when_dragan_rises_in_most_pairs():
    # DRAGAN rises in 8 of 10 pairs where vanilla stays flat or collapses, and ties in 2.
    curves = [{"none": COLLAPSING if k % 2 else FLAT, "dragan": RISING} for k in range(8)]
    curves += [{"none": FLAT, "dragan": FLAT}] * 2
    verdict, reason = dragan_claims.bogonet_verdict(_bogonet_result(curves))
    assert verdict == REPRODUCED, reason
    assert "8/10" in reason


def test_bogonet_rule_not_reproduced_when_vanilla_is_better_everywhere():
    curves = [{"none": RISING, "dragan": FLAT}] * 10
    assert dragan_claims.bogonet_verdict(_bogonet_result(curves))[0] == NOT_REPRODUCED


def test_bogonet_rule_partly_when_only_the_mean_final_score_is_higher():
    # DRAGAN high and flat in 3 pairs (a mean final IS above vanilla's), lower in the other
    # 7, where its curves fall (a smaller mean slope): one condition of three.
    curves = [{"none": FLAT, "dragan": [9.5] * 6}] * 3
    curves += [{"none": RISING, "dragan": COLLAPSING}] * 7
    result = _bogonet_result(curves)
    assert result["table"]["dragan"]["final_mean"] > result["table"]["none"]["final_mean"]
    assert dragan_claims.bogonet_verdict(result)[0] == PARTLY


# ---- the stability rule of one f-divergence run -------------------------------------------------

def _curve(scores, diverged=False):
    return {"steps": STEPS[:len(scores)], "is": scores, "diverged": diverged}


def test_a_run_is_stable_when_it_ends_high_and_near_its_peak():
    assert dragan_claims.run_stable(_curve(RISING))[0]
    # Never above 2 (a generator giving at most about two classes): failed.
    assert not dragan_claims.run_stable(_curve(FLAT[:-1] + [1.99]))[0]
    # Reaches 6, ends at 2.5: collapsed at the end, although above the threshold.
    stable, why = dragan_claims.run_stable(_curve([2.0, 6.0, 5.0, 2.5]))
    assert not stable and "peak" in why
    # A run that stopped on a non-finite loss failed, whatever its score before.
    assert not dragan_claims.run_stable(_curve(RISING, diverged=True))[0]


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
    assert curve["diverged"] and not dragan_claims.run_stable(curve)[0]
    # Read back, not retrained.
    monkeypatch.setattr(training, "train_and_evaluate", None)
    assert dragan_claims.scored_run(config, workdir) == json.loads(json.dumps(curve))


# ---- f-divergence verdict -----------------------------------------------------------------------

GOOD = _curve(RISING)
BAD = _curve(COLLAPSING)
NAN = _curve([1.5, 1.0, 1.0, 1.0, 1.0, 1.0], diverged=True)


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
    learnt = {"none": FLAT, "dragan": [1.2] * 6}     # FLAT reaches 2.0 at its end
    idle = {"none": [1.5] * 6, "dragan": [1.99] * 6}
    assert gate(_bogonet_result([learnt] * 6 + [idle] * 4))[0]
    passed, why = gate(_bogonet_result([learnt] * 5 + [idle] * 5))
    assert not passed and "5/10" in why


def test_fdiv_gate_needs_the_reference_generator_to_learn():
    gate = registry.get(["dragan.fdiv_robustness"])[0].gate
    assert gate({"reference": GOOD})[0]
    assert not gate({"reference": _curve(FLAT[:-1] + [1.99])})[0]
    assert not gate({"reference": BAD})[0] and not gate({"reference": NAN})[0]


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
