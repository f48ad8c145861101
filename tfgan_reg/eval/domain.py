"""Domain classifiers (Kodali et al. 2017, supplement: the "inception score with a dagger"): a small
CNN trained by this project on `digits`, `mnist5k` or `mnist` itself, saved as a SavedModel with the
TF-GAN Inception module's outputs (`logits`, `pool_3`), so IS, FID and KID are measurable offline.

`get(name, cache_dir=...)` trains once per data set and seed and caches the SavedModel (with
`info.json` holding its test accuracy) under `<cache_dir>/domain/`; later calls load the cache.
It returns a `Trained` (the function, its input size and channels, a name and the info);
`classifier.resolve("domain", data_name=...)` wraps that into a `classifier.Classifier`, so
this module does not depend on `classifier`.
"""
import dataclasses
import json
import os
import shutil
from typing import Callable

import keras
import numpy as np
import tensorflow as tf

from tfgan_reg import checks
from tfgan_reg.data import images

VERSION = 1  # bump when the network or its training changes: old caches are then ignored
# name: (epochs, batch size). digits has no test split, so a seeded fifth is held out; mnist5k
# and mnist train on their train split and report accuracy on their test split.
TRAINING = {"digits": (40, 64), "mnist5k": (15, 64), "mnist": (3, 128)}


@dataclasses.dataclass
class Trained:
    """A domain classifier as trained (or loaded from the cache): `fn` maps float images in
    [-1, 1], [N, *input_size, channels], to {"logits": [N, 10], "pool_3": [N, 128]}; `info` is
    `info.json` (data set, seed, epochs, sizes, `test_accuracy`)."""
    fn: Callable
    input_size: tuple
    channels: int
    name: str
    info: dict


def names():
    return sorted(TRAINING)


def check_data(name):
    """Raises ValueError unless a domain classifier exists for the data set `name`."""
    checks.choice("data.name", name, names(), note=" for eval.classifier='domain'")


def build(shape, num_classes=10, seed=0):
    """The classifier: two conv blocks, a 128-unit feature layer (`pool_3`), logits. Sets
    Keras' global seed (`keras.utils.set_random_seed(seed)`) so training is reproducible;
    tfgan_reg's own training draws are stateless and unaffected."""
    keras.utils.set_random_seed(seed)
    x = inputs = keras.Input(shape)
    x = keras.layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    if shape[0] >= 16:
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.3)(x)
    pool = keras.layers.Dense(128, activation="relu", name="pool_3")(x)
    logits = keras.layers.Dense(num_classes, name="logits")(keras.layers.Dropout(0.3)(pool))
    return keras.Model(inputs, {"logits": logits, "pool_3": pool}, name="domain_classifier")


def _splits(name, data_dir, seed):
    if name == "digits":
        x, y = images.load_uint8(name)
        order = np.random.default_rng(seed).permutation(len(x))
        test, train = order[:len(x) // 5], order[len(x) // 5:]
        return (x[train], y[train]), (x[test], y[test])
    return (images.load_uint8(name, split="train", data_dir=data_dir),
            images.load_uint8(name, split="test", data_dir=data_dir))


def train(name, out_dir, *, data_dir="", seed=0, epochs=None, verbose=1):
    """Trains the domain classifier of `name`, writes it to `out_dir`; returns its info dict
    (test accuracy, sizes)."""
    check_data(name)
    (x, y), (xt, yt) = _splits(name, data_dir, seed)
    default_epochs, batch = TRAINING[name]
    epochs = default_epochs if epochs is None else epochs
    model = build(x.shape[1:], seed=seed)
    trainer = keras.Model(model.input, model.output["logits"])
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy"],
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    trainer.fit(np.asarray(images.to_float(x)), y, batch_size=batch, epochs=epochs,
                shuffle=True, verbose=verbose)
    logits = trainer.predict(np.asarray(images.to_float(xt)), batch_size=500, verbose=0)
    info = {"data": name, "seed": seed, "epochs": epochs, "version": VERSION,
            "num_train": int(len(x)), "num_test": int(len(xt)),
            "test_accuracy": float(np.mean(np.argmax(logits, 1) == yt))}
    _save(model, x.shape[1:], out_dir, info)
    return info


def _save(model, shape, out_dir, info):
    class Module(tf.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        @tf.function(input_signature=[tf.TensorSpec([None, *shape], tf.float32)])
        def __call__(self, x):
            out = self.model(x, training=False)
            return {"logits": out["logits"], "pool_3": out["pool_3"]}

    tmp = out_dir + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    module = Module()
    tf.saved_model.save(module, tmp, signatures={"serving_default": module.__call__})
    with open(os.path.join(tmp, "info.json"), "w") as f:
        json.dump(info, f, indent=2)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(tmp, out_dir)  # a half-written classifier is never taken for a cached one


def path(name, cache_dir, seed=0):
    return os.path.join(cache_dir, "domain", f"{name}_seed{seed}_v{VERSION}")


def info(directory):
    with open(os.path.join(directory, "info.json")) as f:
        return json.load(f)


def get(name, *, cache_dir, data_dir="", seed=0, verbose=1):
    """The domain classifier of `name` as a `Trained`, trained on first use and cached under
    `cache_dir` (`classifier.resolve` passes `classifier.default_cache_dir()` by default)."""
    check_data(name)
    directory = path(name, cache_dir, seed)
    if not os.path.exists(os.path.join(directory, "info.json")):
        if verbose:
            print(f"Training the {name} domain classifier (cached in {directory}) ...",
                  flush=True)
        result = train(name, directory, data_dir=data_dir, seed=seed, verbose=0)
        if verbose:
            print(f"{name} domain classifier: test accuracy "
                  f"{100 * result['test_accuracy']:.2f}% on {result['num_test']} held-out "
                  f"images", flush=True)
    module = tf.saved_model.load(directory)

    def fn(x):  # closing over `module` keeps the object that owns the variables alive
        return module.signatures["serving_default"](tf.convert_to_tensor(x, tf.float32))

    shape = images.shape(name)
    return Trained(fn=fn, input_size=tuple(shape[:2]), channels=int(shape[2]),
                   name=f"domain:{name}:seed{seed}:v{VERSION}", info=info(directory))
