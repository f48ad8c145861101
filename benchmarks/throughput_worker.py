"""The worker of one of our rows in benchmarks/throughput.py: run as
`python benchmarks/throughput_worker.py SPEC.json`, it builds the DCGAN-CIFAR GAN the spec
names, warms it up and serves "run N steps" over a pipe (peers/workers.py). It imports
TensorFlow; the driver, throughput.py, never does.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from workers import serve  # noqa: E402

LATENT, SHAPE = 100, (32, 32, 3)
GAMMA = 10.0  # R1's weight in both implementations
WARMUP = 2  # steps each worker takes before it is timed (tracing, allocator warm-up)


def _model(spec):
    import keras
    import tensorflow as tf
    from tfgan_reg import GAN, precision
    from tfgan_reg.nets import dcgan
    width, name = spec["width"], spec["precision"]
    with precision.policy_scope(name):
        g = dcgan.dcgan_generator(latent_dim=LATENT, output_shape=SHAPE, width=width, seed=1)
        d = dcgan.dcgan_discriminator(input_shape=SHAPE, width=width, normalization="layer",
                                      seed=2)
    penalty = spec["penalty"]
    kwargs = {"gamma": GAMMA} if penalty == "r1" else {}
    loss = "gan" if penalty == "roth_f" else "non_saturating"
    model = GAN(g, d, latent_dim=LATENT, loss=loss,
                penalties={penalty: kwargs} if penalty != "none" else None, seed=0,
                penalty_every=spec["every"], precision=name)
    model.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                  g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), jit_compile=spec["jit"])
    g(tf.zeros([1, LATENT]))
    d(tf.zeros((1,) + SHAPE))
    model.build_optimizers()
    return model


def torch_weights(g, d, width):
    """Our initial weights in the PyTorch pair's layout, keyed "g.<i>.weight" etc. as
    peers/torch_dcgan.py's `nn.Sequential` names them."""
    import keras
    from tfgan_reg.nets import layers
    # Keras flattens / reshapes a 4x4xC map as (h, w, c), PyTorch as (c, h, w).
    perm = np.arange(16 * 4 * width).reshape(4, 4, 4 * width).transpose(2, 0, 1).ravel()

    def of(model, kind):
        return [layer for layer in model.layers if isinstance(layer, kind)]

    out = {}
    (dense,) = of(g, keras.layers.Dense)
    out["g.0.weight"], out["g.0.bias"] = dense.kernel.numpy()[:, perm].T, dense.bias.numpy()[perm]
    for i, bn in zip((1, 5, 8), of(g, layers.BatchNormalization)):
        w, b = bn.gamma.numpy(), bn.beta.numpy()
        out[f"g.{i}.weight"], out[f"g.{i}.bias"] = (w[perm], b[perm]) if i == 1 else (w, b)
    # Kernels: Keras [kh, kw, in, out] (transposed: [kh, kw, out, in]) -> PyTorch
    # [out, in, kh, kw] (transposed: [in, out, kh, kw]); the same permutation for both.
    convs = [(f"g.{i}", c) for i, c in zip((4, 7, 10), of(g, keras.layers.Conv2DTranspose))]
    convs += [(f"d.{i}", c) for i, c in zip((0, 2, 5), of(d, keras.layers.Conv2D))]
    for key, conv in convs:
        out[key + ".weight"] = conv.kernel.numpy().transpose(3, 2, 0, 1)
        out[key + ".bias"] = conv.bias.numpy()
    for i, ln in zip((3, 6), of(d, layers.LayerNormalization)):  # gamma [h, w, c] -> [c, h, w]
        out[f"d.{i}.weight"] = ln.gamma.numpy().transpose(2, 0, 1)
        out[f"d.{i}.bias"] = ln.beta.numpy().transpose(2, 0, 1)
    (dense,) = of(d, keras.layers.Dense)
    out["d.9.weight"], out["d.9.bias"] = dense.kernel.numpy()[perm].T, dense.bias.numpy()
    return {k: np.ascontiguousarray(v, np.float32) for k, v in out.items()}


def _onednn_on():
    """Whether this process's TensorFlow runs its oneDNN kernels (None: it cannot say).

    No public TensorFlow API says so; this is the one call of the private one
    (`_pywrap_util_port.IsMklEnabled`, which reads TF_ENABLE_ONEDNN_OPTS and the build), and
    tests/test_benchmarks.py fails naming the TensorFlow version when an upgrade moves it."""
    try:
        from tensorflow.python.util import _pywrap_util_port
        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        return None


def serve_ours(spec_path):
    def setup():
        import time
        import tensorflow as tf
        import flops
        from tfgan_reg import precision
        with open(spec_path) as f:
            spec = json.load(f)
        model = _model(spec)
        real = np.load(spec["data"])["real_nhwc"]
        info = {"pid": os.getpid(), "onednn": _onednn_on()}
        if spec.get("dump_weights"):
            np.savez(spec["dump_weights"], **torch_weights(
                model.generator, model.discriminator, spec["width"]))
            info["d_real_logit_mean"] = float(tf.reduce_mean(precision.float32(
                model.discriminator(real[0]))))
        it = iter(tf.data.Dataset.from_tensor_slices(np.concatenate(real)).batch(spec["batch"])
                  .repeat())
        model.make_train_function()
        fn = model.train_function
        for _ in range(WARMUP):
            logs = fn(it)
        info["first_d_loss"] = float(logs["d_loss"])
        work = flops.step_flops(model, spec["batch"], SHAPE)
        info["gflop"] = None if work is None else sum(work.values()) / 1e9

        def run(steps):
            start = time.perf_counter()
            for _ in range(steps):
                logs = fn(it)
            float(logs["d_loss"])  # wait for the last step
            return {"seconds_per_step": (time.perf_counter() - start) / steps}

        return info, {"run": run}

    serve(setup)


if __name__ == "__main__":
    serve_ours(sys.argv[1])
