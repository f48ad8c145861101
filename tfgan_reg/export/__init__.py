"""Export a trained run for other code: `python -m tfgan_reg.export --workdir RUN --out DIR`.

DIR/generator is a TF-Hub-style SavedModel (TF2): calling it maps latent vectors [N, latent] to
float images in [-1, 1]; its `serving_default` signature maps `z` to {"images", "images_uint8"}
and its `sample` signature draws `n` images from an integer `seed` (the latents
`python -m tfgan_reg.eval` and training pictures use: same seed, same images). Its
`latent_dim` and `sample_shape` are variables and the run's `config.json` an asset. It loads
with `tf.saved_model.load`, `tensorflow_hub.load` and `hub.KerasLayer` (tf_keras). The
moving-average generator is exported when the run keeps one.

DIR/discriminator is the same for the discriminator (images -> logits [N, 1]). Both take and
return float32 whatever precision the run trained in. DIR/generator.keras and
DIR/discriminator.keras load with `keras.models.load_model`.
"""
import importlib

# The package's names, all from `saved_model`, loaded on first use (PEP 562): importing the
# package loads no TensorFlow, so that `python -m tfgan_reg.export` starts it quietly first.
_NAMES = ("DiscriminatorModule", "GeneratorModule", "export")


def __getattr__(name):
    """`name` from `saved_model`, imported now (called only for names not yet set)."""
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.saved_model"), name)
    globals()[name] = value
    return value
