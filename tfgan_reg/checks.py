"""The one checker of arguments: numbers in a range and names from a list (one or several).

Constructors and the config validation (which dry-runs them) share it, so a bad value gets the
same one-line message, in Keras's "Received:" form, wherever it is caught. `key` is the name
shown: an argument (`gamma`) or a config key (`penalty.gamma`).
"""
import math
import numbers


def choice(key, value, valid, *, note=""):
    """`value` if it is one of `valid`; else `ValueError` listing the choices. `note` is
    appended to them (e.g. " for data.name='mnist5k'")."""
    if value not in valid:
        raise ValueError(f"`{key}` must be one of {list(valid)}{note}. "
                         f"Received: {key}={value!r}")
    return value


def choices(key, values, valid):
    """`values` (a non-empty list) if each is one of `valid`; else `ValueError` listing the
    choices and the values that are not among them."""
    values = list(values)
    bad = [v for v in values if v not in valid]
    if bad or not values:
        raise ValueError(f"`{key}` must be a non-empty list of names from {list(valid)}. "
                         f"Received: {key}={values!r}" + (f" (not among them: {bad})"
                                                          if bad else ""))
    return values


def _describe(low, high, low_open, high_open, integer):
    if integer:
        return f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"
    if high is None:
        if low is None:
            return "a finite number"
        if low == 0:
            return "a positive finite number" if low_open else "a non-negative finite number"
        return f"a finite number {'>' if low_open else '>='} {low}"
    return f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"


def number(key, value, *, low=None, high=None, low_open=False, high_open=False, integer=False,
           note=""):
    """`value` if it is a finite number (an int when `integer`) within the bounds given;
    else `ValueError` saying what is expected. Booleans, NaN and inf are never numbers here;
    `note` is appended to the expectation (e.g. " (0: off)"). numpy scalars count as numbers."""
    types = numbers.Integral if integer else numbers.Real
    ok = not isinstance(value, bool) and isinstance(value, types) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        raise ValueError(f"`{key}` must be {_describe(low, high, low_open, high_open, integer)}"
                         f"{note}. Received: {key}={value!r}")
    return value
