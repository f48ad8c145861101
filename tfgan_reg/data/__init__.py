"""Data sets by config name (`config.data.name`); the low-dimensional sets live in `toy`."""
from tfgan_reg.data import toy


def names():
    return toy.names()


def get(name):
    """The data source registered under `name` (`sample(n, seed)`, `dim`, and for mixtures
    `centres` and `std`)."""
    return toy.get(name)
