"""Image data (digits offline, tfds sets on mock data) and the ICR paper's networks."""
import os

import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from helpers import mock_tfds, picture
from tfgan_reg import config_lib, data, nets, training
from tfgan_reg.data import images
from tfgan_reg.eval import plots
from tfgan_reg.nets import icr


def test_digits_pipeline_is_scaled_and_keyed_by_step():
    first = list(data.dataset("digits", batch_size=16, seed=3, num_steps=4).as_numpy_iterator())
    again = list(data.dataset("digits", batch_size=16, seed=3, start_step=2,
                              num_steps=2).as_numpy_iterator())
    assert first[0].shape == (16, 8, 8, 1) and first[0].dtype == np.float32
    assert first[0].min() >= -1.0 and first[0].max() <= 1.0 and first[0].max() > 0.9
    np.testing.assert_array_equal(first[2], again[0])  # resume sees the same batches
    assert not np.array_equal(first[0], first[1])
    raw, labels = images.load_uint8("digits")
    assert raw.shape == (1797, 8, 8, 1) and set(labels) == set(range(10))


@pytest.mark.parametrize("name,shape", [("mnist", (28, 28, 1)), ("cifar10", (32, 32, 3))])
def test_tfds_sets_on_mock_data(name, shape, tmp_path):
    with tfds.testing.mock_data(num_examples=12, data_dir=str(tmp_path)):
        raw, labels = images.load_uint8(name, data_dir=str(tmp_path))
        batch = next(iter(data.dataset(name, batch_size=5, seed=0, num_steps=1,
                                       data_dir=str(tmp_path))))
    assert raw.shape == (12,) + shape and raw.dtype == np.uint8 and labels.shape == (12,)
    assert batch.shape == (5,) + shape and -1.0 <= float(tf.reduce_min(batch)) \
        and float(tf.reduce_max(batch)) <= 1.0


def test_offline_without_prepared_data_fails_at_once(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"'cifar10' is not prepared under data_dir .*"
                                                 r"tfds build cifar10 --data_dir DIR.*"
                                                 r"--config.data.data_dir=DIR"):
        images.load_uint8("cifar10", data_dir=str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError, match=r"'lsun/bedroom' is not prepared under"):
        data.dataset("lsun/bedroom", batch_size=2, seed=0, data_dir=str(tmp_path / "empty"))


@pytest.mark.parametrize("gen,dis,latent,shape", [
    (icr.cifar_generator, icr.cifar_discriminator, 128, (32, 32, 3)),
    (icr.mnist_generator, icr.mnist_discriminator, 96, (28, 28, 1)),
])
@pytest.mark.parametrize("normalization", ["none", "spectral"])
def test_icr_networks(gen, dis, latent, shape, normalization):
    g, d = gen(latent_dim=latent, seed=1), dis(normalization=normalization, seed=2)
    x = g(tf.random.normal([3, latent]), training=False)
    assert x.shape == (3,) + shape
    assert float(tf.reduce_max(tf.abs(x))) <= 1.0
    assert d(x, training=True).shape == (3, 1)
    # Same seed, same initial weights.
    np.testing.assert_array_equal(gen(latent_dim=latent, seed=1).weights[0].numpy(),
                                  g.weights[0].numpy())


def test_architecture_and_data_shapes_are_checked():
    config = config_lib.base_config()
    config.data.name = "digits"
    config.model.arch = "icr_cifar"
    with pytest.raises(ValueError, match=r"model.arch='icr_cifar' takes samples of shape "
                                         r"\(32, 32, 3\). Received: data.name='digits'"):
        config_lib.validate(config)
    with pytest.raises(ValueError, match=r"`model.arch` must be one of"):
        nets.build("vgg", config.model, (8, 8, 1), 0)


def test_train_on_digits_writes_an_image_grid(tmp_path):
    config = config_lib.base_config()
    config.data.name = "digits"
    config.model.update(latent_dim=8, g_depth=1, g_width=32, d_depth=1, d_width=32)
    config.train.update(batch_size=32, num_steps=6, checkpoint_every=3, log_every=2,
                        n_disc=2, jit_compile=False)
    config.eval.samples_every = 2
    metrics = training.train_and_evaluate(config, str(tmp_path), verbose=False)
    assert metrics["step"] == 6
    assert sorted(os.listdir(tmp_path / "samples")) == [f"step_000000{s}.png" for s in (2, 4, 6)]
    # The final picture is the last step's samples (same latents, same title).
    final = picture(tmp_path / "samples_final.png")
    assert final.std() > 0.05
    np.testing.assert_array_equal(final, picture(tmp_path / "samples" / "step_0000006.png"))
    grid = plt.imread(tmp_path / "samples" / "step_0000006.png")
    # 64 samples of 8x8 in an 8x8 grid, enlarged 8 times with 4 px gaps, under a title band.
    assert grid.shape[:2] == (plots.TITLE_BAND + 8 * 64 + 9 * 4, 8 * 64 + 9 * 4)
    images, rates = {}, []
    for name in os.listdir(tmp_path / "tensorboard"):
        for event in tf.compat.v1.train.summary_iterator(str(tmp_path / "tensorboard" / name)):
            for v in event.summary.value:
                if v.tag == "samples":
                    # [width, height, PNG bytes]
                    images[event.step] = tuple(tf.image.decode_png(
                        tf.make_ndarray(v.tensor)[2]).shape)
                if v.tag == "images_per_sec":
                    rates.append(float(tf.make_ndarray(v.tensor)))
    assert images == {2: (64, 64, 1), 4: (64, 64, 1), 6: (64, 64, 1)}
    assert len(rates) >= 2 and all(r > 0 for r in rates)


@pytest.mark.parametrize("name", [  # [celeb_a] in the slow tier; fast sibling: [lsun/bedroom]
    pytest.param("celeb_a", marks=pytest.mark.slow), "lsun/bedroom"])
def test_streamed_sets_on_mock_data(name, tmp_path):
    with tfds.testing.mock_data(num_examples=20, data_dir=str(tmp_path)):
        take = lambda seed, start=0, cache="": np.stack(list(data.dataset(
            name, batch_size=4, seed=seed, start_step=start, num_steps=3,
            data_dir=str(tmp_path), cache=cache).as_numpy_iterator()))
        a, b, c, cached = take(0), take(0), take(1), take(0, cache="memory")
        resumed = take(0, start=2)
        sample = images.sample_uint8(name, 7, 3, data_dir=str(tmp_path))
    assert a.shape == (3, 4, 64, 64, 3) and -1.0 <= a.min() and a.max() <= 1.0
    np.testing.assert_array_equal(a, b)        # seeded shuffle: reproducible
    np.testing.assert_array_equal(a, cached)   # the cache changes nothing
    assert np.abs(a - c).max() > 0             # another seed, another order
    assert np.abs(a - resumed).max() > 0       # a resume reshuffles (documented)
    assert sample.shape == (7, 64, 64, 3) and sample.dtype == np.uint8


def test_preprocessing_crops_the_centre():
    # CelebA: the centre 108x108 of a 218x178 image becomes the 64x64 picture.
    face = np.zeros((218, 178, 3), np.uint8)
    face[55:163, 35:143] = 200
    np.testing.assert_array_equal(images.preprocess(face, "crop108"), 200)
    # LSUN: shortest side to 64 (40x80 -> 64x128), then the centre 64 columns, i.e. the
    # middle half of the original.
    room = np.zeros((40, 80, 3), np.uint8)
    room[:, 20:60] = 255
    out = images.preprocess(room, "shortest").numpy()
    assert out.shape == (64, 64, 3) and out.min() == 255
    with pytest.raises(ValueError, match=r"\['crop108', 'shortest'\]"):
        images.preprocess(room, "resize")


@pytest.mark.slow  # fast sibling: the digits DCGAN run
def test_celeb_a_dcgan_trains_on_mock_data(tmp_path):
    config = config_lib.base_config()
    config.data.update(name="celeb_a", data_dir=str(tmp_path / "tfds"), cache="memory")
    config.model.update(arch="dcgan", latent_dim=8, g_width=4, d_width=4,
                        g_normalization="batch", d_normalization="layer")
    config.penalty = config_lib.penalty_config("roth_js", 2.0, schedule="anneal", alpha=0.01)
    config.train.update(batch_size=4, num_steps=3, checkpoint_every=3, jit_compile=False)
    with mock_tfds(10, str(tmp_path / "tfds")):
        metrics = training.train_and_evaluate(config, str(tmp_path / "run"), verbose=False)
    assert metrics["step"] == 3 and picture(tmp_path / "run" / "samples_final.png").std() > 0.05
