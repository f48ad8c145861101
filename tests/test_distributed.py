"""A run gives the same weights on 1 or 2 replicas (two logical CPU devices, see conftest).

Keras sums gradients over replicas; every term of `tfgan_reg.GAN` is scaled by
1/num_replicas and every random draw is keyed by global sample index, so the update of a
2-replica step is that of the global-batch mean, with the same latents and penalty points.
"""
import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import GAN, precision
from tfgan_reg.nets import mlp

LATENT, DIM, GLOBAL_BATCH, STEPS = 4, 3, 16, 3


def _train(strategy, penalty, kwargs, loss, n_disc, scheme="alternating", every=1,
           prec="float32", initial_scale=None):
    with strategy.scope(), precision.policy_scope(prec):
        keras.utils.set_random_seed(3)
        g = mlp.mlp_generator(latent_dim=LATENT, output_shape=(DIM,), depth=2, width=16)
        d = mlp.mlp_discriminator(input_shape=(DIM,), depth=2, width=16, activation="tanh")
        model = GAN(g, d, latent_dim=LATENT, loss=loss, penalties={penalty: kwargs},
                    n_disc=n_disc, scheme=scheme, seed=11, penalty_every=every, precision=prec)
        opt = lambda: (keras.optimizers.Adam(1e-2) if initial_scale is None else
                       keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(1e-2),
                                                           initial_scale=initial_scale))
        model.compile(d_optimizer=opt(), g_optimizer=opt())
        g(tf.zeros([1, LATENT]))
        d(tf.zeros([1, DIM]))
        model.build_optimizers()
    r = np.random.default_rng(0)
    shape = (STEPS * GLOBAL_BATCH, DIM) if n_disc == 1 else (STEPS * GLOBAL_BATCH, n_disc, DIM)
    data = tf.data.Dataset.from_tensor_slices(r.normal(size=shape).astype(np.float32)) \
        .batch(GLOBAL_BATCH)
    model.fit(data, epochs=1, verbose=0)
    return [np.asarray(v) for v in g.weights + d.weights]


@pytest.mark.parametrize("penalty,kwargs,loss,n_disc,scheme,every", [
    ("r1", {"gamma": 10.0}, "non_saturating", 1, "alternating", 1),  # the others' fast sibling
    pytest.param("r1", {"gamma": 10.0}, "non_saturating", 2, "alternating", 4,  # lazy R1
                 marks=pytest.mark.slow),
    pytest.param("wgan_gp", {"lam": 10.0}, "wasserstein", 2, "alternating", 1,
                 marks=pytest.mark.slow),
    pytest.param("dragan", {"lam": 10.0}, "non_saturating", 1, "alternating", 1,
                 marks=pytest.mark.slow),
    pytest.param("roth_js", {"gamma": 2.0}, "non_saturating", 1, "simultaneous", 1,
                 marks=pytest.mark.slow),
])
def test_one_and_two_replicas_give_the_same_weights(penalty, kwargs, loss, n_disc, scheme,
                                                    every, mirrored_strategy):
    assert mirrored_strategy.num_replicas_in_sync == 2
    single = _train(tf.distribute.get_strategy(), penalty, kwargs, loss, n_disc, scheme, every)
    mirrored = _train(mirrored_strategy, penalty, kwargs, loss, n_disc, scheme, every)
    moved = max(np.abs(a - b).max() for a, b in zip(single, _initial(penalty)))
    assert moved > 1e-3  # training did change the weights
    for a, b in zip(single, mirrored):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("prec", ["mixed_bfloat16", "mixed_float16"])
@pytest.mark.parametrize("penalty,kwargs,loss,scheme", [
    ("r1", {"gamma": 10.0}, "non_saturating", "alternating"),
    ("wgan_gp", {"lam": 10.0}, "wasserstein", "alternating"),
    ("roth_js", {"gamma": 2.0}, "non_saturating", "simultaneous"),
])
def test_one_and_two_replicas_agree_in_mixed_precision(penalty, kwargs, loss, scheme, prec,
                                                       mirrored_strategy):
    """Each replica rounds its partial gradients to the low dtype before the all-reduce, so 1
    and 2 replicas agree to that rounding: their weights differ (norm-wise) by less than either
    differs from the float32 run's. Element-wise they may not: Adam turns a rounding flip of
    a near-zero gradient into a full step (seen with oneDNN off: one weight of 256 off by
    0.011, the norm-wise difference 0.55 of the rounding error).
    Under float16 a loss scale near overflow can skip a step on one replica count and not on
    the other (the float16 sums over 16 and over 8 samples differ: measured, WGAN-GP from
    Keras's initial scale 2^15 skips 2 of 3 D steps on one replica, 3 on two), so these runs
    start at a scale that never overflows."""
    scale = 2.0 ** 8 if prec == "mixed_float16" else None
    flat = lambda weights: np.concatenate([w.ravel() for w in weights])
    reference = flat(_train(tf.distribute.get_strategy(), penalty, kwargs, loss, 1, scheme))
    single = flat(_train(tf.distribute.get_strategy(), penalty, kwargs, loss, 1, scheme,
                         prec=prec, initial_scale=scale))
    mirrored = flat(_train(mirrored_strategy, penalty, kwargs, loss, 1, scheme, prec=prec,
                           initial_scale=scale))
    apart = np.linalg.norm(single - mirrored)
    assert np.linalg.norm(single - flat(_initial(penalty))) > 10 * apart  # training moved them
    rounding = max(np.linalg.norm(single - reference), np.linalg.norm(mirrored - reference))
    assert apart <= rounding, (apart, rounding)


def test_an_overflow_on_one_replica_skips_the_step_on_all(mirrored_strategy):
    """Keras's LossScaleOptimizer reads only the first replica's finiteness: replica 1's inf
    would reach the update. `precision.agree_on_finite` shares one verdict."""
    def local(value):
        ctx = tf.distribute.get_replica_context()
        g = tf.where(ctx.replica_id_in_sync_group == 1, value, 1.0) * tf.ones([3])
        return precision.agree_on_finite([g, None])[0]

    for value, finite in ((float("inf"), False), (2.0, True)):
        out = mirrored_strategy.run(local, args=(tf.constant(value),))
        for replica in mirrored_strategy.experimental_local_results(out):
            assert bool(np.all(np.isfinite(replica))) == finite


def _initial(penalty):
    keras.utils.set_random_seed(3)
    g = mlp.mlp_generator(latent_dim=LATENT, output_shape=(DIM,), depth=2, width=16)
    d = mlp.mlp_discriminator(input_shape=(DIM,), depth=2, width=16, activation="tanh")
    return [np.asarray(v) for v in g.weights + d.weights]


def test_generator_ema_is_the_same_on_one_and_two_replicas(mirrored_strategy):
    def run(strategy):
        with strategy.scope():
            g = mlp.mlp_generator(latent_dim=LATENT, output_shape=(DIM,), depth=2, width=16,
                                  seed=3)
            d = mlp.mlp_discriminator(input_shape=(DIM,), depth=2, width=16, activation="tanh",
                                      seed=4)
            model = GAN(g, d, latent_dim=LATENT, penalties={"r1": {"gamma": 1.0}}, seed=11,
                        ema_decay=0.5)
            model.compile(d_optimizer=keras.optimizers.Adam(1e-2),
                          g_optimizer=keras.optimizers.Adam(1e-2))
            g(tf.zeros([1, LATENT]))
            d(tf.zeros([1, DIM]))
            model.build_optimizers()
        x = np.random.default_rng(0).normal(size=(STEPS * GLOBAL_BATCH, DIM)).astype(np.float32)
        model.fit(tf.data.Dataset.from_tensor_slices(x).batch(GLOBAL_BATCH), epochs=1,
                  verbose=0)
        return [np.asarray(e.numpy()) for e in model.ema_weights], \
            [np.asarray(w) for w in g.weights]

    ema1, w1 = run(tf.distribute.get_strategy())
    ema2, _ = run(mirrored_strategy)
    assert any(not np.allclose(a, b) for a, b in zip(ema1, w1))  # the average lags the weights
    for a, b in zip(ema1, ema2):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


# ---- batch norm and explicit noise: statistics of the global batch -------------------------------

def _image_config(arch, data, *, jit, d_norm="layer", nsr=1):
    from tfgan_reg import config_lib
    config = config_lib.base_config()
    config.data.name = data
    config.model.update(arch=arch, latent_dim=8, g_width=8, d_width=8,
                        g_normalization="batch", d_normalization=d_norm)
    config.penalty = config_lib.penalty_config("none")
    config.train.update(batch_size=8, num_steps=3, checkpoint_every=3, log_every=3,
                        jit_compile=jit, d_learning_rate=2e-4, g_learning_rate=2e-4)
    if nsr > 1:
        config.noise.update(sigma=0.5, nsr=nsr)
    return config


def _checkpoint_values(workdir):
    from tfgan_reg import runs
    reader = tf.train.load_checkpoint(runs.checkpoint_dir(workdir))
    names = sorted(n for n in reader.get_variable_to_shape_map()
                   if not n.startswith("_CHECKPOINTABLE") and "save_counter" not in n)
    return {n: reader.get_tensor(n) for n in names}


def _absorbed_by_batch_norm(config, sample_shape):
    """Checkpoint names of the trainable variables that a following batch norm cancels (a
    per-channel bias before it: the output in training mode ignores them). Their gradient is
    zero in exact arithmetic, so their trained values are rounding noise that Adam scales by
    1/epsilon, a different noise on every summation order: not comparable across replicas."""
    from tfgan_reg import nets
    models = nets.build(config.model.arch, config.model, sample_shape, 0)
    r = np.random.default_rng(0)
    names = []
    for prefix, model, x in zip(
            ("g_optimizer", "d_optimizer"), models,
            (r.normal(size=(8, config.model.latent_dim)), r.normal(size=(8,) + sample_shape))):
        x = tf.constant(x, tf.float32)
        base = model(x, training=True).numpy()
        for i, v in enumerate(model.trainable_variables):
            old = v.numpy()
            v.assign(old + r.normal(size=old.shape))
            moved = model(x, training=True).numpy()
            v.assign(old)
            if np.abs(moved - base).max() < 1e-4:
                names.append(f"{prefix}/_trainable_variables/{i}/.ATTRIBUTES/VARIABLE_VALUE")
    return names


def test_xla_over_cpu_replicas_is_refused_with_one_line(mirrored_strategy):
    # XLA cannot compile a step mirrored over two CPU devices of one process (it fails at the
    # first step reading replica 1's variables from CPU:0), so the mirrored steps of these
    # tests run without XLA and a run asking for it is refused before anything is built.
    from tfgan_reg import distribute
    with pytest.raises(ValueError, match=r"train.jit_compile.*CPU devices.*--nojit_compile"):
        distribute.check_jit(mirrored_strategy, True)
    distribute.check_jit(mirrored_strategy, False)
    distribute.check_jit(tf.distribute.get_strategy(), True)


@pytest.mark.slow  # two image runs per case
@pytest.mark.parametrize("arch,data,d_norm,jit,nsr", [
    ("dcgan", "digits", "batch", False, 1),   # batch norm in G and D
    ("resnet", "digits", "layer", False, 1),
    ("icr_mnist", "mnist5k", "none", False, 1),
    ("dcgan", "digits", "layer", False, 2),    # explicit noise, 2 draws per kept sample
])
def test_batch_norm_and_noise_groups_are_the_same_on_one_and_two_replicas(
        arch, data, d_norm, jit, nsr, mirrored_strategy, tmp_path):
    from tfgan_reg import data as data_lib, training
    values = []
    for k, strategy in enumerate((tf.distribute.get_strategy(), mirrored_strategy)):
        config = _image_config(arch, data, jit=jit, d_norm=d_norm, nsr=nsr)
        training.train_and_evaluate(config, str(tmp_path / f"run{k}"), strategy=strategy,
                                    verbose=False)
        values.append(_checkpoint_values(str(tmp_path / f"run{k}")))
    single, mirrored = values
    assert sorted(single) == sorted(mirrored)
    moving = [n for n in single if "moving" in n]
    assert moving  # every one of these generators has batch norm
    assert any(np.abs(single[n] - np.where("variance" in n, 1.0, 0.0)).max() > 1e-3
               for n in moving)  # the moving statistics did move
    absorbed = _absorbed_by_batch_norm(config, data_lib.shape(data))
    for n in single:
        if n in absorbed:
            # Adam moves a variable with a real gradient by about the learning rate per step
            # (2e-4); these stay near zero on both (CI on an AMD EPYC: 5e-6 against 5e-6
            # of the other sign), which is all that can be compared of them.
            assert max(np.abs(single[n]).max(), np.abs(mirrored[n]).max()) < 1e-4, n
            continue
        np.testing.assert_allclose(single[n], mirrored[n], rtol=1e-4, atol=1e-5, err_msg=n)
    assert absorbed  # every one of these generators has a biased layer before a batch norm
