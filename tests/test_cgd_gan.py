"""CGD / ACGD inside `tfgan_reg.GAN` and `train.py`: wiring, replica equality, configs."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import mock_tfds, picture
from tfgan_reg import GAN, config_lib, optimizers, runs, training
from tfgan_reg.nets import mlp

LATENT, DIM, GLOBAL_BATCH, STEPS = 3, 2, 16, 3


def _model(strategy=None, *, loss="non_saturating", penalty=None, joint=None, sgd=None):
    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        g = mlp.mlp_generator(latent_dim=LATENT, output_shape=(DIM,), depth=1, width=8, seed=1)
        d = mlp.mlp_discriminator(input_shape=(DIM,), depth=1, width=8, activation="tanh",
                                  seed=2)
        model = GAN(g, d, latent_dim=LATENT, loss=loss, penalties=penalty or {},
                    scheme="simultaneous", seed=5)
        if joint is not None:
            model.compile(joint_optimizer=joint)
        else:
            model.compile(d_optimizer=keras.optimizers.SGD(sgd),
                          g_optimizer=keras.optimizers.SGD(sgd))
        g(tf.zeros([1, LATENT]))
        d(tf.zeros([1, DIM]))
        model.build_optimizers()
    return model


def _weights(model):
    return [np.asarray(v) for v in model.generator.weights + model.discriminator.weights]


def _data(steps=STEPS):
    x = np.random.default_rng(0).normal(size=(steps * GLOBAL_BATCH, DIM)).astype(np.float32)
    return tf.data.Dataset.from_tensor_slices(x).batch(GLOBAL_BATCH)


def test_small_step_cgd_is_simultaneous_gradient_descent_on_the_zero_sum_game():
    """As eta -> 0, CGD's update is -eta grad_x f for G and +eta grad_y f for D; with the
    minimax loss and R1 that is simultaneous SGD of both players' losses."""
    eta = 1e-4
    before = _weights(_model(joint=optimizers.CGD(1.0)))
    penalty = {"r1": {"gamma": 1.0}}
    cgd = _model(loss="minimax", penalty=penalty, joint=optimizers.CGD(eta, tol=1e-8))
    sgd = _model(loss="minimax", penalty=penalty, sgd=eta)
    cgd.fit(_data(1), epochs=1, verbose=0)
    sgd.fit(_data(1), epochs=1, verbose=0)
    for a, b, w0 in zip(_weights(cgd), _weights(sgd), before):
        delta_cgd, delta_sgd = a - w0, b - w0
        scale = np.abs(delta_sgd).max()
        assert scale > 0
        # CGD differs from SGD by O(eta) relative terms (plus float32 rounding of w0 + delta).
        np.testing.assert_allclose(delta_cgd, delta_sgd, atol=0.02 * scale)


@pytest.mark.parametrize("kind", [
    "cgd", pytest.param("acgd", marks=pytest.mark.slow)])  # fast sibling: [cgd]
def test_one_and_two_replicas_give_the_same_weights(kind, mirrored_strategy):
    make = lambda: (optimizers.CGD(0.05, tol=1e-6) if kind == "cgd"
                    else optimizers.ACGD(1e-2, tol=1e-6))
    penalty = {"r1": {"gamma": 1.0}}
    single = _model(penalty=penalty, joint=make())
    single.fit(_data(), epochs=1, verbose=0)
    mirrored = _model(mirrored_strategy, penalty=penalty, joint=make())
    mirrored.fit(_data(), epochs=1, verbose=0)
    start = _weights(_model(joint=make()))
    assert max(np.abs(a - b).max() for a, b in zip(_weights(single), start)) > 1e-3
    for a, b in zip(_weights(single), _weights(mirrored)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert int(single.joint_optimizer.iterations.numpy()) == STEPS
    assert int(mirrored.joint_optimizer.iterations.numpy()) == STEPS


@pytest.mark.slow  # fast siblings: this file's CGD tests
def test_training_runs_acgd_from_a_config_and_resumes(tmp_path):
    config = config_lib.base_config()
    config.model.update(g_depth=1, g_width=8, d_depth=1, d_width=8)
    config.train.update(optimizer="acgd", batch_size=32, num_steps=6, checkpoint_every=3,
                        log_every=3, jit_compile=False, beta2=0.99)
    config.eval.num_samples = 100
    metrics = training.train_and_evaluate(config, str(tmp_path), verbose=False)
    assert metrics["step"] == 6
    config.train.num_steps = 9
    assert training.train_and_evaluate(config, str(tmp_path), verbose=False)["step"] == 9
    restored = runs.build_gan(config)
    runs.make_checkpoint(restored).restore(
        tf.train.latest_checkpoint(str(tmp_path / "checkpoints"))).assert_consumed()
    assert int(restored.joint_optimizer.iterations) == 9


def test_bad_joint_configs():
    config = config_lib.base_config()
    config.train.update(optimizer="acgd", n_disc=5)
    with pytest.raises(ValueError, match=r"needs train.n_disc=1, .*Received: train.n_disc=5"):
        config_lib.validate(config)
    config.train.update(n_disc=1, cg_tol=0.0)
    with pytest.raises(ValueError, match=r"Received: train.cg_tol=0.0"):
        config_lib.validate(config)
    with pytest.raises(ValueError, match=r"`joint_optimizer` must be one of \['acgd', 'cgd'\]"):
        _model(joint="adam")


def test_step_inside_strategy_run_matches_single_replica(mirrored_strategy):
    """Called in a replica context (a custom loop), the CG loop is unrolled and masked; the
    update equals the single-replica one on the quadratic game x^2 + 10xy + y^2."""
    def run(strategy):
        with strategy.scope():
            x = tf.Variable([1.0, -0.5], dtype=tf.float64)
            y = tf.Variable([0.3], dtype=tf.float64)
            opt = optimizers.CGD(0.05, tol=1e-12, max_iter=4)
            opt.build([x], [y])
        n = strategy.num_replicas_in_sync
        loss = lambda: (tf.reduce_sum(x**2) + 10 * tf.reduce_sum(x) * y[0] + y[0]**2) / n
        step = tf.function(lambda: strategy.run(lambda: opt.step(loss, [x], [y])))
        for _ in range(3):
            step()
        return np.concatenate([x.numpy(), y.numpy()])

    np.testing.assert_allclose(run(mirrored_strategy), run(tf.distribute.get_strategy()),
                               rtol=1e-12)


def _config_module(name):
    import importlib.util
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    spec = importlib.util.spec_from_file_location(name, os.path.join(root, "configs",
                                                                     f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TABLE3 = ["ogan-l2-1e-4-adam", "ogan-l2-1e-4-acgd", "ogan-noreg-adam", "ogan-noreg-acgd",
          "wgan-gp-adam", "wgan-sn-adam", "wgan-noreg-acgd", "wgan-gp-acgd",
          "wgan-l2-1e-2-adam", "wgan-l2-1e-3-adam", "wgan-l2-1e-3-acgd"]


def test_icr_configs():
    cifar = _config_module("icr_cifar10")
    configs = {run: config_lib.validate(cifar.get_config(run)) for run in TABLE3}
    assert configs["wgan-gp-adam"].train.n_disc == 5 and configs["wgan-gp-adam"].train.beta2 == 0.9
    assert configs["wgan-gp-acgd"].penalty.name == "wgan_gp"
    assert configs["wgan-sn-adam"].model.d_normalization == "spectral"
    assert configs["wgan-l2-1e-3-acgd"].penalty.lam == 1e-3
    for run, c in configs.items():
        assert c.train.batch_size == 64 and c.train.d_learning_rate == 1e-4
        assert c.train.optimizer == run.split("-")[-1]
        assert c.loss == ("wasserstein" if run.startswith("wgan") else "non_saturating")
        # ACGD runs leave XLA off so that the products are linearized.
        assert c.train.jit_compile == (c.train.optimizer != "acgd")
    with pytest.raises(ValueError, match=r"RUN must be .*Received: 'wgan-dropout-adam'"):
        cifar.get_config("wgan-dropout-adam")
    mnist = _config_module("icr_mnist")
    for opt in ("simgd", "acgd"):
        assert config_lib.validate(mnist.get_config(opt)).train.jit_compile == (opt == "simgd")


@pytest.mark.slow
def test_acgd_trains_the_cifar_dcgan_on_mock_data(tmp_path):
    import tensorflow_datasets as tfds
    config = _config_module("icr_cifar10").get_config("wgan-gp-acgd")
    config.data.data_dir = str(tmp_path / "tfds")
    config.train.update(batch_size=4, num_steps=2, checkpoint_every=1, log_every=1,
                        cg_max_iter=3, jit_compile=False)
    with mock_tfds(8, config.data.data_dir):
        metrics = training.train_and_evaluate(config, str(tmp_path / "run"), verbose=False)
    assert metrics["step"] == 2 and picture(tmp_path / "run" / "samples_final.png").std() > 0.05


@pytest.mark.parametrize("kind,one_device_mirrored", [
    ("cgd", False), pytest.param("acgd", True, marks=pytest.mark.slow)])
def test_linearized_products_give_the_plain_products_weights(kind, one_device_mirrored,
                                                             monkeypatch):
    """Batch norm in G, R1 (a gradient inside the loss), WGAN-GP-style nets: the step with
    `linearize=True` (tangent-free passes once per step; also under a one-device
    MirroredStrategy, as `--strategy=mirrored` on one device) moves the trainable weights as
    the one that recomputes every product, and G's moving statistics still move."""
    from tfgan_reg.nets import dcgan

    def run(linearize, strategy):
        with strategy.scope():
            g = dcgan.dcgan_generator(latent_dim=LATENT, output_shape=(8, 8, 1), width=4,
                                      seed=1)
            d = dcgan.dcgan_discriminator(input_shape=(8, 8, 1), width=4,
                                          normalization="layer", seed=2)
            opt = (optimizers.CGD(0.05, tol=1e-5, linearize=linearize) if kind == "cgd" else
                   optimizers.ACGD(0.01, tol=1e-5, linearize=linearize))
            model = GAN(g, d, latent_dim=LATENT, penalties={"r1": {"gamma": 1.0}},
                        scheme="simultaneous", seed=5)
            model.compile(joint_optimizer=opt)
            g(tf.zeros([1, LATENT]))
            d(tf.zeros([1, 8, 8, 1]))
            model.build_optimizers()
        before = [np.asarray(v) for v in g.trainable_weights + d.trainable_weights]
        frozen = [np.asarray(v) for v in g.non_trainable_weights]  # BN moving statistics
        x = np.random.default_rng(0).uniform(-1, 1, size=(3 * 8, 8, 8, 1)).astype(np.float32)
        logs = model.fit(tf.data.Dataset.from_tensor_slices(x).batch(8), epochs=1, verbose=0)
        after = [np.asarray(v) for v in g.trainable_weights + d.trainable_weights]
        moving = [np.asarray(v) for v in g.non_trainable_weights]
        assert moving and all(np.abs(m - m0).max() > 1e-4 for m, m0 in zip(moving, frozen))
        return before, after, logs.history["cg_iterations"][-1]

    from tfgan_reg.optimizers import hvp
    traced = []
    original = hvp.linearized_product
    monkeypatch.setattr(hvp, "linearized_product",
                        lambda *a, **k: traced.append(1) or original(*a, **k))
    strategy = (tf.distribute.MirroredStrategy(["/cpu:0"]) if one_device_mirrored
                else tf.distribute.get_strategy())
    before, lin, iters = run(True, strategy)
    assert traced  # the linearized path was taken
    traced.clear()
    _, plain, plain_iters = run(False, tf.distribute.get_strategy())
    assert not traced
    assert iters >= 2 and abs(iters - plain_iters) <= 1
    assert max(np.abs(a - b).max() for a, b in zip(lin, before)) > 1e-3
    # Same updates up to the CG tolerance and float32 rounding (relative to the largest one:
    # the Dense bias before G's batch norm has a zero gradient, so its update is noise).
    scale = max(np.abs(b - w0).max() for b, w0 in zip(plain, before))
    for a, b, w0 in zip(lin, plain, before):
        np.testing.assert_allclose(a - w0, b - w0, atol=1e-3 * scale)
