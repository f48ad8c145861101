"""`sublayers.flatten`: the public walk finds exactly the layers Keras's private one does."""
import keras
import pytest

from tfgan_reg import config_lib, nets, penalties, precision, sublayers
from tfgan_reg.nets import layers, mlp


def _keras_walk(model, include_self):
    # The reference: Keras's own (private) walk, used here only to check ours against it.
    return list(model._flatten_layers(include_self=include_self))


def _same(model):
    for include_self in (False, True):
        ours, theirs = sublayers.flatten(model, include_self=include_self), \
            _keras_walk(model, include_self)
        # The same layer objects, each once (Keras's order is its own; ours is depth first).
        assert len({id(l) for l in ours}) == len(ours) == len(theirs)
        assert {id(l) for l in ours} == {id(l) for l in theirs}
        if include_self:
            assert ours[0] is model


def _configs():
    """(arch, model config, sample shape) for every network and each normalisation it takes."""
    for arch in nets.names():
        shape = nets.SAMPLE_SHAPES.get(arch, (16, 16, 3) if arch in nets.IMAGE_ONLY else (2,))
        for g_norm, d_norm in (("none", "none"), ("batch", "batch"), ("batch", "layer"),
                               ("none", "spectral")):
            m = config_lib.base_config().model
            m.update(g_normalization=g_norm, d_normalization=d_norm, g_width=8, d_width=8,
                     g_depth=2, d_depth=2, d_maxout_pieces=3 if arch == "mlp" else 0)
            yield pytest.param(arch, m, shape, id=f"{arch}-{g_norm}-{d_norm}")


@pytest.mark.parametrize("arch,m,shape", list(_configs()))
def test_public_walk_equals_keras_walk_on_every_net(arch, m, shape):
    try:
        g, d = nets.build(arch, m, shape, seed=0)
    except ValueError as e:  # a normalisation this network does not take
        assert "must be one of" in str(e)
        return
    _same(g)
    _same(d)


class _Nested(keras.Model):
    """A subclassed model holding a functional one, a wrapper and a list of layers."""

    def __init__(self):
        super().__init__()
        self.net = mlp.mlp_discriminator(input_shape=(3,), depth=2, width=4, seed=0,
                                         normalization="spectral")
        self.blocks = [layers.BatchNormalization(), keras.layers.Dense(2)]
        self.head = {"out": keras.layers.Dense(1)}

    def call(self, x):
        return self.head["out"](self.blocks[1](self.blocks[0](self.net(x))))


def test_public_walk_finds_layers_in_subclassed_models_lists_and_wrappers():
    model = _Nested()
    model(keras.ops.zeros((2, 3)))
    _same(model)
    names = [type(l).__name__ for l in sublayers.flatten(model)]
    assert "SpectralNormalization" in names and names.count("Dense") >= 4
    # Its users: the batch norm inside is found, and the dtype policy read from the layers.
    assert penalties.batch_norm_layers(model) == [model.blocks[0].name]
    assert precision.policy_name(model) == "float32"
