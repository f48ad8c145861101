"""`data.toy`: the mixture families from the config (`data.ring`, `data.grid`,
`data.submanifold`), the old names' samples, a fixed training set, and the PacGAN config."""
import importlib.util
import math
import os

import numpy as np
import pytest
from absl import flags
from ml_collections import config_flags
from scipy.spatial.transform import Rotation

from tfgan_reg import config_lib
from tfgan_reg import data as data_lib
from tfgan_reg import runs
from tfgan_reg.data import toy
from tfgan_reg.training import evaluation

from helpers import ROOT


def _pacgan(setup):
    spec = importlib.util.spec_from_file_location("pacgan", os.path.join(ROOT, "configs",
                                                                         "pacgan.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.get_config(setup)


def _ring(modes, radius):
    a = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(a), np.sin(a)], 1)


def _grid(modes, spacing):
    side = int(round(math.sqrt(modes)))
    axis = spacing * (np.arange(side) - (side - 1) / 2)
    return np.array([[x, y] for x in axis for y in axis])


def _submanifold_frame(dim):
    """(rotation [dim, dim], shift [dim]) of Roth et al.'s appendix 7.3, from scipy's rotation
    vector (pi/4 about (1, -1, 0)/sqrt(2)), padded with the identity and zeros."""
    rotation = np.eye(dim)
    rotation[:3, :3] = Rotation.from_rotvec(np.pi / 4 * np.array([1, -1, 0]) / np.sqrt(2)) \
        .as_matrix()
    shift = np.zeros(dim)
    shift[:3] = 1 / np.sqrt(3)
    return rotation, shift


def _submanifold(modes, radius, dim):
    rotation, shift = _submanifold_frame(dim)
    circle = np.zeros([modes, dim])
    circle[:, :2] = _ring(modes, radius)
    return circle @ rotation.T + shift


@pytest.mark.parametrize("family,params,centres", [
    ("ring", dict(modes=8, radius=1.0, std=0.01), _ring(8, 1.0)),        # PacGAN
    ("ring", dict(modes=5, radius=2.0, std=0.02), _ring(5, 2.0)),        # VEEGAN's radius
    ("grid", dict(modes=25, spacing=2.0, std=0.05), _grid(25, 2.0)),     # PacGAN
    ("grid", dict(modes=9, spacing=0.5, std=0.02), _grid(9, 0.5)),
    ("submanifold", dict(modes=7, radius=1.0, std=0.01, dim=3), _submanifold(7, 1.0, 3)),
    ("submanifold", dict(modes=5, radius=2.0, std=0.03, dim=6), _submanifold(5, 2.0, 6)),
])
def test_families_match_their_closed_forms(family, params, centres):
    source = toy.get(family, **params)
    np.testing.assert_allclose(source.centres, centres, atol=1e-6)
    std, n, k = params["std"], 20000, len(centres)
    x = np.asarray(source.sample(n, 3), np.float64)
    d = np.linalg.norm(x[:, None] - centres[None], axis=-1)
    nearest = d.argmin(1)
    # Equal weights: each count is Binomial(n, 1/K), within 5 of its standard deviations.
    counts = np.bincount(nearest, minlength=k)
    assert np.all(np.abs(counts - n / k) < 5 * np.sqrt(n * (1 - 1 / k) / k))
    # The noise is 2-D with std `std` per axis (ring, grid: the plane; submanifold: the circle's
    # plane, the rotation's first two columns, and nothing off it), so the distance to the
    # centre is Rayleigh: mean std * sqrt(pi / 2), standard deviation std * sqrt(2 - pi / 2).
    dist = d[np.arange(n), nearest]
    assert dist.mean() == pytest.approx(std * np.sqrt(np.pi / 2),
                                        abs=5 * std * np.sqrt(2 - np.pi / 2) / np.sqrt(n))
    offsets = x - centres[nearest]
    if family == "submanifold":
        rotation, _ = _submanifold_frame(params["dim"])
        offsets = offsets @ rotation  # coordinates in the rotated frame
        assert np.abs(offsets[:, 2:]).max() < 1e-5  # float32 rounding only
        offsets = offsets[:, :2]
    for mode in range(k):  # per mode and axis, an empirical std within 5 standard errors
        rows = offsets[nearest == mode]
        assert np.all(np.abs(rows.std(0) / std - 1) < 5 / np.sqrt(2 * len(rows)))


# Computed with the code before the families existed (`git show 280b4fc:tfgan_reg/data/toy.py`):
# `toy.sample(name, 3, 7)` and the batch of step 5 of `toy.dataset(name, batch_size=2, seed=3)`.
BEFORE = {
    "ring8": ([[1.013356328010559, -0.9916966557502747], [0.9982302784919739, -0.9985343217849731],
               [0.9826635122299194, 0.9971097707748413]],
              [[0.001762468134984374, 1.4072357416152954],
               [-0.011914650909602642, 1.4387717247009277]]),
    "grid25": ([[-0.6907069683074951, 0.010567957535386086],
                [-0.0024009239859879017, 0.7092344760894775],
                [-1.4362865686416626, -0.7110151648521423]],
               [[0.0022030852269381285, -1.4234164953231812],
                [-0.7221068739891052, 0.030430704355239868]]),
    "submanifold7": ([[0.2517354190349579, 1.4458253383636475, 0.9612104296684265],
                      [-0.12946045398712158, 0.3401256799697876, -0.09018350392580032],
                      [-0.2654537260532379, 1.079612374305725, 0.336550772190094]],
                     [[1.4327118396759033, 0.4263814091682434, 1.0754311084747314],
                      [-0.13784459233283997, 0.3548758029937744, -0.08568206429481506]]),
}


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_old_names_give_the_samples_they_gave_before(name):
    samples, batch = (np.float32(v) for v in BEFORE[name])
    family = toy.PRESETS[name]
    for source in (name, family):  # the family at its defaults is the same set
        np.testing.assert_array_equal(np.asarray(toy.sample(source, 3, 7)), samples)
        np.testing.assert_array_equal(np.asarray(next(iter(toy.dataset(
            source, batch_size=2, seed=3, start_step=5, num_steps=1)))), batch)
    # The old code's centres and std, written as it wrote them.
    a = np.arange(8) * (2 * np.pi / 8)
    g = np.arange(-4.0, 5.0, 2.0)
    old = {"ring8": (2.0 * np.stack([np.cos(a), np.sin(a)], 1) / 1.414, 0.02 / 1.414),
           "grid25": (np.stack(np.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2) / 2.828,
                      0.05 / 2.828)}
    if name in old:
        np.testing.assert_array_equal(toy.get(name).centres, np.float32(old[name][0]))
        assert toy.get(name).std == old[name][1]
    assert toy.defaults(family) == {k: v for k, v in config_lib.base_config().data[family]
                                    .items()}


def _parse(*args):
    """The config of `train.py`'s flags (`--config=...` and overrides), locked as there."""
    argv = ["train.py", *args]
    values = flags.FlagValues()
    config_flags.DEFINE_config_file("config", None, "", flag_values=values, lock_config=True,
                                    sys_argv=argv)
    values(argv)
    return values.config


def test_config_overrides_flow_into_evaluation(monkeypatch):
    config = _parse(f"--config={os.path.join(ROOT, 'configs', 'pacgan.py')}:ring",
                    "--config.data.ring.radius=2", "--config.data.ring.std=0.02",
                    "--config.data.ring.modes=6")
    config_lib.validate(config)
    source = evaluation.toy_source(config)
    np.testing.assert_allclose(source.centres, _ring(6, 2.0), atol=1e-6)
    assert source.std == 0.02
    # Planted generator samples: 99 on each of modes 0-4 (0.03 from the centre, within 3 std)
    # and one on mode 5, 496 in all. PacGAN's rule (any one sample) covers 6 modes; the 10 %
    # rule (496 / 6 * 0.1 = 8.3 samples) covers 5.
    centres = _ring(6, 2.0)
    planted = np.float32(np.concatenate([np.repeat(centres[:5], 99, 0), centres[5:]])
                         + [0.03, 0.0])
    monkeypatch.setattr(runs, "generate", lambda model, n, seed, **kw: planted[:n])
    config.eval.num_samples = len(planted)
    metrics = evaluation.evaluate(config, model=None)
    assert (metrics["modes"], metrics["num_modes"], metrics["hq_fraction"]) == (6, 6, 1.0)
    config.eval.mode_min_fraction = 0.1
    assert evaluation.evaluate(config, model=None)["modes"] == 5
    config.eval.hq_num_std = 1.0  # 0.03 is 1.5 std: nothing is high quality any more
    assert evaluation.evaluate(config, model=None)["hq_fraction"] == 0.0
    # The same samples under ring8's centres (radius 1.414) are nowhere near a mode.
    with config.unlocked():
        config.data.name = "ring8"
        config.data.ring = config_lib.base_config().data.ring
    assert evaluation.evaluate(config, model=None)["modes"] == 0
    # A dimension flows into the networks' input shape.
    config = config_lib.base_config()
    config.data.name = "submanifold"
    config.data.submanifold.dim = 5
    assert runs.data_shape(config_lib.validate(config)) == (5,)


@pytest.mark.parametrize("name,path,value,pattern", [
    ("ring", "data.ring.modes", 0, r"`data.ring.modes` must be an integer >= 1. "
                                   r"Received: data.ring.modes=0"),
    ("ring", "data.ring.std", 0.0, r"`data.ring.std` must be a positive finite number. "
                                   r"Received: data.ring.std=0.0"),
    ("ring", "data.ring.radius", -1.0, r"`data.ring.radius` must be a positive finite number"),
    ("grid", "data.grid.modes", 24, r"`data.grid.modes` must be a square number \(a side x "
                                    r"side grid: 1, 4, 9, 16, 25, ...\). Received: "
                                    r"data.grid.modes=24"),
    ("grid", "data.grid.std", float("nan"), r"Received: data.grid.std=nan"),
    ("submanifold", "data.submanifold.dim", 2, r"`data.submanifold.dim` must be an integer "
                                               r">= 3. Received: data.submanifold.dim=2"),
    ("submanifold", "data.submanifold.modes", 2.5, r"`data.submanifold.modes` must be an "
                                                   r"integer >= 1"),
    ("rings", "data.num_points", 0, r"`data.name` must be one of \[.*'grid', .*'ring', "
                                    r"'ring8', .*'submanifold'.*\]. Received: data.name='rings'"),
    ("ring8", "data.ring.std", 0.01, r"data.ring.\* apply to data.name='ring' only \('ring8' "
                                     r"is 'ring' at its defaults\). Received: data.ring.std=0.01 "
                                     r"with data.name='ring8'"),
    ("grid", "data.ring.modes", 4, r"data.ring.\* apply to data.name='ring' only. Received: "
                                   r"data.ring.modes=4 with data.name='grid'"),
    ("ring", "data.num_points", -5, r"`data.num_points` must be an integer >= 0 \(0: fresh "
                                    r"draws every step\). Received: data.num_points=-5"),
    ("digits", "data.num_points", 100, r"data.num_points applies to the low-dimensional sets"),
    ("ring", "eval.mode_min_fraction", 2.0, r"`eval.mode_min_fraction` must be in \[0, 1\]"),
    ("ring", "eval.hq_num_std", 0.0, r"`eval.hq_num_std` must be a positive finite number"),
    ("digits", "model.d_maxout_pieces", 5, r"model.d_maxout_pieces applies to "
                                           r"model.arch='mlp'. Received: "
                                           r"model.d_maxout_pieces=5, model.arch='dcgan'"),
])
def test_bad_mixture_values_get_one_line_errors(name, path, value, pattern):
    config = config_lib.base_config()
    config.data.name = name
    if name == "digits":
        config.model.arch = "dcgan"
    *parents, key = path.split(".")
    node = config
    for p in parents:
        node = node[p]
    with node.ignore_type():
        node[key] = value
    with pytest.raises(ValueError, match=pattern) as error:
        config_lib.validate(config)
    assert "\n" not in str(error.value)


def test_a_fixed_training_set_is_read_in_epochs_and_resumes_exactly():
    def stream(**kw):
        return np.concatenate(list(toy.dataset("ring", batch_size=3, seed=1, num_points=7,
                                               params=dict(modes=4, radius=1.0, std=0.1), **kw)))
    rows = stream(num_steps=10)  # 30 rows: epochs of 7 points at rows 0-6, 7-13, 14-20, 21-27
    epochs = [rows[7 * e:7 * e + 7] for e in range(4)]
    points = sorted(map(tuple, epochs[0]))
    assert len(set(points)) == 7
    for e in epochs[1:]:  # the same 7 points every epoch, each once, in a new order
        assert sorted(map(tuple, e)) == points
        assert not np.array_equal(e, epochs[0])
    # Batch s depends on (seed, s) only: a run resumed at step 4 reads rows 12 ... 29.
    np.testing.assert_array_equal(stream(start_step=4, num_steps=6), rows[12:])
    np.testing.assert_array_equal(stream(num_steps=10), rows)
    other = np.concatenate(list(toy.dataset("ring", batch_size=3, seed=2, num_points=7,
                                            num_steps=3)))
    assert not set(map(tuple, other)) & set(points)
    # Through the config: n_disc = 2 batches of 4 per step come from the same stream.
    config = config_lib.base_config()
    config.data.num_points = 10
    config.train.update(batch_size=4, n_disc=2)
    whole = np.concatenate([np.asarray(b).reshape(-1, 2) for b in
                            runs.make_dataset(config, start_step=0, num_steps=5)])
    resumed = np.concatenate([np.asarray(b).reshape(-1, 2) for b in
                              runs.make_dataset(config, start_step=3, num_steps=2)])
    assert len(set(map(tuple, whole))) == 10
    np.testing.assert_array_equal(resumed, whole[24:])


def test_pacgan_config_is_the_authors_setup():
    for setup, centres, std in (("ring", _ring(8, 1.0), 0.01),
                                ("grid", _grid(25, 2.0), 0.05)):
        config = config_lib.validate(_pacgan(setup))
        source = evaluation.toy_source(config)
        # The authors' MEANS (config.py): (cos 2 pi k/8, sin 2 pi k/8); {-4, -2, 0, 2, 4}^2.
        np.testing.assert_allclose(source.centres, centres, atol=1e-6)
        assert source.std == std and data_lib.shape(
            config.data.name, data_lib.family_params(config.data)) == (2,)
        t, m, e = config.train, config.model, config.eval
        assert (config.data.num_points, t.batch_size, t.num_steps) == (100_000, 100, 400_000)
        assert (t.g_learning_rate, t.d_learning_rate, t.beta1, t.scheme) == (
            1e-4, 1e-4, 0.8, "simultaneous")
        assert (m.g_depth, m.g_width, m.g_normalization, m.latent_dim) == (4, 400, "batch", 2)
        assert (m.d_depth, m.d_width, m.d_maxout_pieces) == (3, 200, 5)
        assert (e.num_samples, e.hq_num_std, e.mode_min_fraction) == (2500, 3.0, 0.0)
    with pytest.raises(ValueError, match=r"takes one of \['ring', 'grid'\]. Received: 'disc'"):
        _pacgan("disc")
