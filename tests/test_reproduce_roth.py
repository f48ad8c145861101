"""Roth et al.'s claims (`reproduce.roth_claims`): the verdict rules on planted results, the eye
criterion for modes and the projection onto the mixture's plane against hand-computed cases, the
configs, and the held-out split of the cross-test."""

import numpy as np
import pytest

from helpers import config_module
from tfgan_reg import config_lib
from tfgan_reg.data import images
from tfgan_reg.data import toy
from tfgan_reg.eval import lowdim
from tfgan_reg.experiments import cross_test
from tfgan_reg.reproduce import roth_claims
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, PARTLY, REPRODUCED



# ---- the eye criterion and the plane ------------------------------------------------------------

def test_eye_modes_by_hand():
    # Centres (0, 0) and (1, 0), radius 0.1. Three samples within 0.1 of the first, one within
    # 0.1 of the second, one 0.71 from both: 4 of 5 samples on a mode; counts (3, 1). The fair
    # share is 5 / 2 = 2.5: with min_fraction 0.1 a mode needs 0.25 samples (both covered),
    # with 0.5 it needs 1.25 (only the first).
    centres = np.array([[0.0, 0.0], [1.0, 0.0]])
    samples = np.array([[0.05, 0.0], [0.0, -0.09], [0.06, 0.06], [0.95, 0.02], [0.5, 0.5]])
    covered, on_mode, counts = roth_claims.eye_modes(samples, centres)
    assert covered == 2 and on_mode == pytest.approx(0.8) and counts.tolist() == [3, 1]
    covered, _, _ = roth_claims.eye_modes(samples, centres, min_fraction=0.5)
    assert covered == 1
    # (0, -0.09) and (0.06, 0.06) (0.0849 away) are inside 0.1 of the first centre, outside
    # a radius of 0.08; (0.95, 0.02) is 0.054 from the second.
    covered, on_mode, counts = roth_claims.eye_modes(samples, centres, radius=0.08)
    assert counts.tolist() == [1, 1] and on_mode == pytest.approx(0.4)


def test_eye_modes_is_wider_than_three_std():
    # Samples 0.05 from each of the 7 centres, off the plane: on a mode by eye (0.1), not
    # within 3 std = 0.03 of it (eval.lowdim's criterion).
    source = toy.get("submanifold7")
    normal = toy.SUBMANIFOLD_ROTATION[:, 2]  # the rotated z axis, normal to the circle's plane
    samples = np.repeat(source.centres, 10, 0) + 0.05 * normal
    assert roth_claims.eye_modes(samples, source.centres)[0] == 7
    assert lowdim.mode_stats(samples, source.centres, source.std)[0] == 0


def test_plane_coordinates_put_the_centres_on_the_unit_circle():
    plane = roth_claims.plane_coordinates(toy.get("submanifold7").centres)
    angles = np.arange(7) * 2 * np.pi / 7
    np.testing.assert_allclose(plane, np.stack([np.cos(angles), np.sin(angles),
                                                np.zeros(7)], 1), atol=1e-6)
    # A point 0.3 along the normal from the translation is the circle's centre, 0.3 off it.
    point = toy.SUBMANIFOLD_SHIFT + 0.3 * toy.SUBMANIFOLD_ROTATION[:, 2]
    np.testing.assert_allclose(roth_claims.plane_coordinates(point[None]), [[0, 0, 0.3]],
                               atol=1e-12)


# ---- figure 6 verdict ---------------------------------------------------------------------------

def _fig6(none, **gammas):
    """A planted result: per setting, final modes per seed."""
    table = {"none": {"modes": none}}
    for key, modes in gammas.items():
        table[key.replace("g", "").replace("_", ".")] = {"modes": modes}
    return {"table": table}


HOLD, MISS = [7, 6, 7, 6, 7], [0, 1, 0, 2, 0]


def test_fig6_reproduced_when_unregularised_collapses_and_every_gamma_holds():
    verdict, reason = roth_claims.fig6_verdict(_fig6(MISS, g0_01=HOLD, g0_1=HOLD, g1=HOLD))
    assert verdict == REPRODUCED
    assert "unregularised holds >= 6 of 7 modes in 0/5" in reason and "gamma 1 in 5/5" in reason


def test_fig6_thresholds_four_of_five_and_one_of_five():
    # Exactly 6 modes holds; 5 does not. Each gamma at 4/5, the unregularised run at 1/5.
    four = [6, 6, 6, 6, 5]
    one = [6, 5, 0, 0, 0]
    assert roth_claims.fig6_verdict(_fig6(one, g0_01=four, g0_1=four, g1=four))[0] == REPRODUCED
    three = [6, 6, 6, 5, 5]
    assert roth_claims.fig6_verdict(_fig6(one, g0_01=four, g0_1=three, g1=four))[0] == PARTLY
    two = [6, 6, 5, 0, 0]
    assert roth_claims.fig6_verdict(_fig6(two, g0_01=four, g0_1=four, g1=four))[0] == PARTLY


def test_fig6_partly_and_not_reproduced():
    # The unregularised run collapses but only gamma 0.1 holds: partly.
    assert roth_claims.fig6_verdict(_fig6(MISS, g0_01=MISS, g0_1=HOLD, g1=MISS))[0] == PARTLY
    # Every gamma holds, but so does the unregularised run (it did not collapse): partly.
    assert roth_claims.fig6_verdict(_fig6(HOLD, g0_01=HOLD, g0_1=HOLD, g1=HOLD))[0] == PARTLY
    # Everything collapses, or nothing works as the paper says: not reproduced.
    assert roth_claims.fig6_verdict(_fig6(MISS, g0_01=MISS, g0_1=MISS, g1=MISS))[0] == \
        NOT_REPRODUCED
    assert roth_claims.fig6_verdict(_fig6(HOLD, g0_01=HOLD, g0_1=MISS, g1=HOLD))[0] == \
        NOT_REPRODUCED


# ---- cross-test verdict -------------------------------------------------------------------------

def _cross(better, split="test"):
    rows = []
    for b in better:
        reg, unreg = {0: (0.5, 0.5), 1: (0.9, 0.1), 2: (0.0, 1.0)}[b]
        rows.append({"split": split, "better": b, "reg": {"cross_fp": reg},
                     "unreg": {"cross_fp": unreg}})
    return {"seeds": rows}


def test_cross_verdict_counts_wins_of_the_regularised_model():
    verdict, reason = roth_claims.cross_verdict(_cross([2, 2, 2, 2, 1]))
    assert verdict == REPRODUCED
    assert "better one in 4/5 seeds (unregularised in 1, ties 0)" in reason
    assert "mean cross FP reg 0.180, unreg 0.820" in reason
    assert roth_claims.cross_verdict(_cross([2, 2, 2, 1, 1]))[0] == PARTLY
    # Ties are not wins: 3 wins and 2 ties is a majority only, 2 wins and 3 ties not even that.
    assert roth_claims.cross_verdict(_cross([2, 2, 2, 0, 0]))[0] == PARTLY
    assert roth_claims.cross_verdict(_cross([2, 2, 0, 0, 0]))[0] == NOT_REPRODUCED
    assert roth_claims.cross_verdict(_cross([1, 1, 1, 1, 1]))[0] == NOT_REPRODUCED


def test_cross_verdict_needs_held_out_images():
    verdict, reason = roth_claims.cross_verdict(_cross([2] * 5, split="train"))
    assert verdict == NOT_REPRODUCED and "test split" in reason


def test_cross_test_of_mnist5k_runs_reads_the_test_split(monkeypatch):
    # cross_test.run on two (stand-in) mnist5k runs asks for the held-out test images.
    config = roth_claims.cross_test_config("none", quick=True)

    class Model:
        discriminator = staticmethod(lambda x, training=False: np.zeros([len(x), 1]))

    asked = {}

    def real_samples(name, n, seed, *, split, data_dir="", params=None):
        asked.update(name=name, split=split)
        return np.zeros([n, 28, 28, 1], np.float32)

    monkeypatch.setattr(cross_test.runs, "load_run", lambda workdir: (config, Model()))
    monkeypatch.setattr(cross_test.runs, "generate",
                        lambda model, n, seed, batch_size=0: np.zeros([n, 28, 28, 1]))
    monkeypatch.setattr(cross_test.data_lib, "real_samples", real_samples)
    result = cross_test.run("a", "b", num_samples=10)
    assert asked == {"name": "mnist5k", "split": "test"} and result["split"] == "test"


def test_mnist5k_training_batches_come_from_the_train_split():
    train, _ = images.load_uint8("mnist5k", split="train")
    test, _ = images.load_uint8("mnist5k", split="test")
    train_set = {x.tobytes() for x in train}
    test_only = {x.tobytes() for x in test} - train_set
    assert len(test_only) > 900  # the splits hardly share an image
    config = roth_claims.cross_test_config("roth_js")
    seen = set()
    for batch in images.dataset(config.data.name, batch_size=500, seed=3, num_steps=4):
        u8 = np.round((batch.numpy() + 1.0) * 127.5).astype(np.uint8)
        seen |= {x.tobytes() for x in u8}
    assert seen and seen <= train_set and not seen & test_only


# ---- configs and registration -------------------------------------------------------------------

def test_configs_validate_and_match_the_paper():
    sub = config_module("submanifold7")
    for setup in ("none", "roth_js", "roth_js-0.01", "roth_js-1.0-nd5", "none-nd5-quick"):
        config_lib.validate(sub.get_config(setup))
    c = sub.get_config("roth_js-1.0-nd5")
    assert (c.penalty.name, c.penalty.gamma, c.train.n_disc, c.loss) == \
        ("roth_js", 1.0, 5, "minimax")
    assert (c.model.activation, c.model.g_depth, c.model.d_depth, c.model.g_width) == \
        ("tanh", 2, 2, 128)
    assert (c.train.batch_size, c.train.d_learning_rate, c.train.beta1, c.model.latent_dim) \
        == (512, 1e-3, 0.5, 2)
    assert sub.get_config("roth_js").penalty.gamma == 0.1
    assert sub.get_config("none").penalty.name == "none"
    for bad in ("none-0.1", "roth", "roth_js-x"):
        with pytest.raises(ValueError, match="setup must be"):
            sub.get_config(bad)
    cross = config_module("roth_cross_test")
    runs_ = [cross.get_config(m) for m in ("none", "roth_js")]
    for c in runs_ + [cross.get_config("roth_js-quick")]:
        config_lib.validate(c)
    # The two cross-tested runs differ in the penalty only.
    a, b = (c.to_dict() for c in runs_)
    assert {k for k in a if a[k] != b[k]} == {"penalty"}
    assert runs_[1].penalty.gamma == 0.1 and runs_[0].model.d_normalization == "batch"
