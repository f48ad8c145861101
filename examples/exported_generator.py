"""Use an exported tfgan_reg generator from other code: `hub.KerasLayer` in a tf_keras model,
and `tf.saved_model.load`.

The script first makes the export it loads (offline): a short `train.py`-style run on
scikit-learn's digits through `tfgan_reg.training.train_and_evaluate`, then
`tfgan_reg.export.export` (what `python -m tfgan_reg.export --workdir RUN --out DIR` does).
With an export of your own, pass `--export DIR` and skip the training.

    python examples/exported_generator.py [--workdir /tmp/exported_generator] [--export DIR]

DIR/generator maps latents [N, latent_dim] to images in [-1, 1]; its `sample` signature
draws `n` images from an integer `seed`.
"""
import argparse
import os

import numpy as np
import tensorflow as tf


def make_export(workdir, steps):
    """Trains a small DCGAN on digits for `steps` generator steps and exports it; returns
    the export directory."""
    from tfgan_reg import config_lib, training
    from tfgan_reg import export as export_lib
    config = config_lib.base_config()
    config.data.name = "digits"
    config.model.update(arch="dcgan", latent_dim=16, g_width=16, d_width=16,
                        g_normalization="batch", d_normalization="layer")
    config.penalty = config_lib.penalty_config("r1", 1.0)
    config.train.update(batch_size=32, num_steps=steps, checkpoint_every=steps,
                        ema_decay=0.9, jit_compile=False)
    run = os.path.join(workdir, "run")
    training.train_and_evaluate(config, run, verbose=False)
    out = os.path.join(workdir, "export")
    export_lib.export(run, out, overwrite=True)
    return out


def main(export_dir):
    import tensorflow_hub as hub
    import tf_keras

    path = os.path.join(export_dir, "generator")
    # 1. tf.saved_model.load: no Keras needed.
    generator = tf.saved_model.load(path)
    latent_dim = int(generator.latent_dim)
    z = tf.random.stateless_normal([8, latent_dim], seed=[0, 0])
    images = generator(z).numpy()
    drawn = generator.signatures["sample"](n=tf.constant(8), seed=tf.constant(0, tf.int64))
    print(f"tf.saved_model.load: latent_dim {latent_dim}, sample shape "
          f"{generator.sample_shape.numpy().tolist()}, images {images.shape} in "
          f"[{images.min():.2f}, {images.max():.2f}], `sample` gives "
          f"{drawn['images_uint8'].shape} uint8 images")

    # 2. hub.KerasLayer inside a tf_keras model, e.g. a generator feeding a classifier head.
    net = tf_keras.Sequential([tf_keras.Input((latent_dim,)), hub.KerasLayer(path),
                               tf_keras.layers.Flatten(),
                               tf_keras.layers.Dense(10, activation="softmax")])
    probabilities = net(z).numpy()
    from_layer = tf_keras.Model(net.input, net.layers[0].output)(z).numpy()
    difference = float(np.abs(from_layer - images).max())
    print(f"hub.KerasLayer in tf_keras: output {probabilities.shape}; the layer's images "
          f"differ from tf.saved_model.load's by {difference:.1e}")
    return images, from_layer


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="/tmp/exported_generator")
    parser.add_argument("--export", default="", help="an existing export directory")
    parser.add_argument("--steps", type=int, default=200, help="training steps of the run")
    args = parser.parse_args()
    main(args.export or make_export(args.workdir, args.steps))
