"""One sha256 per way `tfgan_reg.GAN` can step: the proof that a refactor of the step kept
every run's weights bitwise.

Each case builds a tiny MLP GAN from fixed seeds, fits it a few steps (`fit`, so through
`train_step` or the cross-replica joint step), then evaluates and predicts once (`test_step`,
`predict_step`). The case's hash covers both players' weights, every optimiser variable (Keras
optimisers and CGD / ACGD's state), the EMA weights, the step counter, the logs of every
training step, the evaluation's logs and the samples. Run it before and after a change to
`gan.py` / `steps.py` and compare the lines: `python benchmarks/weights_hash.py`.

The process sets up two logical CPU devices (as tests/conftest.py does) for the
MirroredStrategy cases.
"""
import argparse
import hashlib
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tfgan_reg import commands  # noqa: E402  (absl only)

commands.set_environment()

import tensorflow as tf  # noqa: E402

from tfgan_reg import distribute  # noqa: E402

distribute.split_cpu(2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from tfgan_reg import GAN, optimizers, precision  # noqa: E402
from tfgan_reg.nets import mlp  # noqa: E402

LATENT, DIM, BATCH, STEPS = 4, 3, 8, 3

# name: (GAN keywords, options of the run); `opt` names the optimisers ("adam" or a joint one).
CASES = {
    "alternating_r1": dict(penalties={"r1": {"gamma": 10.0}}),
    "alternating_ndisc2_wgan_gp": dict(loss="wasserstein", n_disc=2,
                                       penalties={"wgan_gp": {"lam": 10.0}}),
    "alternating_lazy_r1": dict(n_disc=2, penalty_every=3, penalties={"r1": {"gamma": 10.0}}),
    "alternating_lazy_r1_xla": dict(n_disc=2, penalty_every=3,
                                    penalties={"r1": {"gamma": 10.0}}, _jit=True),
    "alternating_xla": dict(penalties={"dragan": {"lam": 10.0}}, _jit=True),
    "simultaneous_roth_js": dict(scheme="simultaneous", penalties={"roth_js": {"gamma": 2.0}}),
    "simultaneous_ndisc2_r1": dict(scheme="simultaneous", n_disc=2,
                                   penalties={"r1": {"gamma": 10.0}}),
    "consensus": dict(scheme="simultaneous", consensus_gamma=1.0,
                      penalties={"r1": {"gamma": 1.0}}),
    "cgd_r1": dict(penalties={"r1": {"gamma": 1.0}}, _opt="cgd"),
    "acgd_wgan_gp_clip": dict(loss="wasserstein", penalties={"wgan_gp": {"lam": 1.0}},
                              clip_value=0.5, _opt="acgd"),
    "ema": dict(ema_decay=0.9, penalties={"r2": {"gamma": 1.0}}),
    "clip_wgan": dict(loss="wasserstein", n_disc=2, clip_value=0.05),
    "noise_kl_alternative": dict(loss="kl", generator_loss="alternative", noise_sigma=0.1,
                                 noise_nsr=2, penalties={"roth_f": {"gamma": 1.0}}),
    "mixed_bfloat16_r1": dict(precision="mixed_bfloat16", penalties={"r1": {"gamma": 10.0}}),
    "mixed_float16_r1": dict(precision="mixed_float16", penalties={"r1": {"gamma": 10.0}}),
    "freeze_generator": dict(n_disc=2, penalties={"r1": {"gamma": 10.0}}, _freeze=True),
    "mirrored_alternating_lazy_ema": dict(n_disc=2, penalty_every=2, ema_decay=0.5,
                                          penalties={"r1": {"gamma": 10.0}}, _mirrored=True),
    "mirrored_consensus": dict(scheme="simultaneous", consensus_gamma=1.0,
                               penalties={"r1": {"gamma": 1.0}}, _mirrored=True),
    "mirrored_cgd_clip_ema": dict(penalties={"r1": {"gamma": 1.0}}, clip_value=0.5,
                                  ema_decay=0.5, _opt="cgd", _mirrored=True),
    "mirrored_acgd": dict(penalties={"r1": {"gamma": 1.0}}, _opt="acgd", _mirrored=True),
}

_MIRRORED = []


def _strategy(mirrored):
    if not mirrored:
        return tf.distribute.get_strategy()
    if not _MIRRORED:  # one MirroredStrategy per process (see tests/conftest.py)
        devices = [d.name for d in tf.config.list_logical_devices("CPU")[:2]]
        _MIRRORED.append(tf.distribute.MirroredStrategy(devices))
    return _MIRRORED[0]


def _optimizers(kind):
    if kind == "cgd":
        return dict(joint_optimizer=optimizers.CGD(0.05, tol=1e-6))
    if kind == "acgd":
        return dict(joint_optimizer=optimizers.ACGD(1e-2, tol=1e-6))
    return dict(d_optimizer=keras.optimizers.Adam(1e-2),
                g_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5))


def run(case):
    kwargs = dict(CASES[case])
    jit, kind = kwargs.pop("_jit", False), kwargs.pop("_opt", "adam")
    freeze, mirrored = kwargs.pop("_freeze", False), kwargs.pop("_mirrored", False)
    prec = kwargs.get("precision", "float32")
    strategy = _strategy(mirrored)
    with strategy.scope(), precision.policy_scope(prec):
        g = mlp.mlp_generator(latent_dim=LATENT, output_shape=(DIM,), depth=2, width=16,
                              seed=3)
        d = mlp.mlp_discriminator(input_shape=(DIM,), depth=2, width=16, activation="tanh",
                                  seed=4)
        model = GAN(g, d, latent_dim=LATENT, seed=11, **kwargs)
        model.compile(jit_compile=jit, **_optimizers(kind))
        g(tf.zeros([1, LATENT]))
        d(tf.zeros([1, DIM]))
        model.build_optimizers()
    model.freeze_generator = freeze
    n_disc = model.n_disc
    r = np.random.default_rng(0)
    shape = (STEPS * BATCH, DIM) if n_disc == 1 else (STEPS * BATCH, n_disc, DIM)
    data = tf.data.Dataset.from_tensor_slices(r.normal(size=shape).astype(np.float32))
    history = model.fit(data.batch(BATCH), epochs=1, verbose=0).history
    held_out = r.normal(size=(2 * BATCH, DIM)).astype(np.float32)
    scores = model.evaluate(held_out, batch_size=BATCH, verbose=0, return_dict=True)
    samples = model.predict(r.normal(size=(BATCH, LATENT)).astype(np.float32), verbose=0)

    digest = hashlib.sha256()
    arrays = [v for v in g.weights + d.weights]
    if model.joint_optimizer is not None:
        arrays += list(model.joint_optimizer.variables)
    else:
        arrays += list(model.d_optimizer.variables) + list(model.g_optimizer.variables)
    arrays += list(model.ema_weights or []) + [model.step_counter]
    for v in arrays:
        value = np.asarray(v.numpy() if hasattr(v, "numpy") else v)
        digest.update(str((value.dtype, value.shape)).encode())
        digest.update(value.tobytes())
    for logs in (history, scores):
        for name in sorted(logs):
            digest.update(name.encode())
            digest.update(np.asarray(logs[name], np.float64).tobytes())
    digest.update(np.asarray(samples).tobytes())
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", help=f"cases to run (default: all): {list(CASES)}")
    args = parser.parse_args()
    for case in args.cases:
        if case not in CASES:
            parser.error(f"case must be one of {list(CASES)}. Received: {case!r}")
    for case in args.cases or CASES:
        print(f"{run(case)}  {case}", flush=True)


if __name__ == "__main__":
    main()
