"""The exports of `tfgan_reg.export` (whose docstring says what they are): the SavedModel
modules of both players and `export`, which writes them with the `.keras` files."""
import os
import shutil

import tensorflow as tf

from tfgan_reg import precision
from tfgan_reg import rng
from tfgan_reg import runs
from tfgan_reg.nets import layers


def _uint8(images):
    return tf.cast(tf.round((tf.clip_by_value(images, -1.0, 1.0) + 1.0) * 127.5), tf.uint8)


class GeneratorModule(tf.Module):
    """The exported generator (see the module docstring)."""

    def __init__(self, generator, latent_dim, sample_shape, config_path):
        super().__init__(name="generator")
        self.generator = generator
        self.latent_dim = tf.Variable(int(latent_dim), trainable=False, name="latent_dim")
        self.sample_shape = tf.Variable(list(sample_shape), trainable=False, name="sample_shape")
        self.config_file = tf.saved_model.Asset(config_path)
        spec = tf.TensorSpec([None, int(latent_dim)], tf.float32, name="z")
        self.__call__ = tf.function(self._images, input_signature=[spec])
        self.serving_default = tf.function(self._outputs, input_signature=[spec])
        self.sample = tf.function(self._sample, input_signature=[
            tf.TensorSpec([], tf.int32, name="n"), tf.TensorSpec([], tf.int64, name="seed")])

    def _images(self, z):
        # float32 out whatever policy the generator computes in (mixed precision).
        return precision.float32(self.generator(z, training=False))

    def _outputs(self, z):
        images = self._images(z)
        return {"images": images, "images_uint8": _uint8(images)}

    def _sample(self, n, seed):
        # runs.generate's latents for its first batch.
        key = rng.fold(rng.as_seed(seed), 0)
        return self._outputs(rng.stateless_normal(
            tf.stack([n, tf.cast(self.latent_dim, tf.int32)]), key))


class DiscriminatorModule(tf.Module):
    def __init__(self, discriminator, sample_shape, config_path):
        super().__init__(name="discriminator")
        self.discriminator = discriminator
        self.sample_shape = tf.Variable(list(sample_shape), trainable=False, name="sample_shape")
        self.config_file = tf.saved_model.Asset(config_path)
        spec = tf.TensorSpec([None, *sample_shape], tf.float32, name="images")
        logits = lambda x: precision.float32(self.discriminator(x, training=False))
        self.__call__ = tf.function(logits, input_signature=[spec])
        self.serving_default = tf.function(lambda x: {"logits": logits(x)},
                                           input_signature=[spec])


def export(workdir, out, *, overwrite=False):
    """Writes the exports of the run in `workdir` to `out`; returns the paths written."""
    if os.path.exists(out) and os.listdir(out) and not overwrite:
        raise FileExistsError(f"--out {out!r} exists and is not empty; pass --overwrite to "
                              f"replace it.")
    config, model = runs.load_run(workdir)
    generator = model.ema_generator()
    shape = tuple(runs.data_shape(config))
    tmp = out.rstrip("/") + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    config_path = os.path.join(tmp, "config.json")
    shutil.copy(os.path.join(workdir, "config.json"), config_path)
    g = GeneratorModule(generator, config.model.latent_dim, shape, config_path)
    tf.saved_model.save(g, os.path.join(tmp, "generator"), signatures={
        "serving_default": g.serving_default, "sample": g.sample})
    d = DiscriminatorModule(model.discriminator, shape, config_path)
    tf.saved_model.save(d, os.path.join(tmp, "discriminator"),
                        signatures={"serving_default": d.serving_default})
    # Keras files that load with Keras alone (nets.layers are Keras layers computed faster).
    layers.as_keras(generator).save(os.path.join(tmp, "generator.keras"))
    layers.as_keras(model.discriminator).save(os.path.join(tmp, "discriminator.keras"))
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)  # a failed export leaves no half-written directory behind
    return sorted(os.path.join(out, name) for name in os.listdir(out))
