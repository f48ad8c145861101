"""`checks`: the one checker of numbers and names, and its messages."""
import math

import pytest

from tfgan_reg import checks


@pytest.mark.parametrize("kwargs,good,bad,expected", [
    (dict(low=0), [0, 0.0, 3, 2.5], [-1e-9, math.inf, math.nan, True, "1", None],
     "a non-negative finite number"),
    (dict(low=0, low_open=True), [1e-12, 7], [0, 0.0, -1, math.inf], "a positive finite number"),
    (dict(low=1, integer=True), [1, 5], [0, 1.0, 2.5, False, -3], "an integer >= 1"),
    (dict(low=0, high=1, high_open=True), [0, 0.5, 0.999], [1, 1.0, -0.1, math.nan],
     "in [0, 1)"),
    (dict(low=0, high=1, low_open=True), [1, 1e-9], [0, 1.5], "in (0, 1]"),
])
def test_number_accepts_exactly_its_range(kwargs, good, bad, expected):
    for value in good:
        assert checks.number("x.y", value, **kwargs) == value
    for value in bad:
        with pytest.raises(ValueError) as e:
            checks.number("x.y", value, **kwargs)
        assert str(e.value) == f"`x.y` must be {expected}. Received: x.y={value!r}"


def test_number_note_and_choice():
    with pytest.raises(ValueError, match=r"^`ema` must be in \[0, 1\) \(0: off\). "
                                         r"Received: ema=2$"):
        checks.number("ema", 2, low=0, high=1, high_open=True, note=" (0: off)")
    assert checks.choice("loss", "hinge", ("hinge", "wasserstein")) == "hinge"
    with pytest.raises(ValueError, match=r"^`loss` must be one of \['hinge', 'wasserstein'\]\. "
                                         r"Received: loss='bce'$"):
        checks.choice("loss", "bce", ("hinge", "wasserstein"))


def test_choice_note_and_choices():
    with pytest.raises(ValueError, match=r"^`split` must be one of \['test', 'train'\] for "
                                         r"data.name='mnist5k'\. Received: split='val'$"):
        checks.choice("split", "val", ("test", "train"), note=" for data.name='mnist5k'")
    assert checks.choices("modes", ("joint",), ("discriminator", "joint")) == ["joint"]
    with pytest.raises(ValueError, match=r"^`modes` must be a non-empty list of names from "
                                         r"\['a', 'b'\]\. Received: modes=\['b', 'c'\] "
                                         r"\(not among them: \['c'\]\)$"):
        checks.choices("modes", ["b", "c"], ("a", "b"))
    with pytest.raises(ValueError, match=r"Received: modes=\[\]$"):
        checks.choices("modes", [], ("a", "b"))
