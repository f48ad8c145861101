"""Every layer inside a Keras model, found through public attributes only.

Keras's own walk (`Layer._flatten_layers`) is private. A model's direct sublayers are its
public `layers`; any other layer's are its public attributes that hold layers (a wrapper's
`layer`, a custom layer's blocks, lists and dicts of them), which is where Keras's attribute
tracking finds them too. tests/test_sublayers.py checks the two walks agree on every network
of `tfgan_reg.nets`.
"""
import keras


def _children(layer):
    if isinstance(layer, keras.Model):
        return list(layer.layers)
    found = []
    for name, value in vars(layer).items():
        if name.startswith("_"):
            continue
        values = value.values() if isinstance(value, dict) else (
            value if isinstance(value, (list, tuple)) else [value])
        found.extend(v for v in values if isinstance(v, keras.layers.Layer))
    return found


def flatten(model, *, include_self=False):
    """The layers inside `model` (nested models and their layers included), each once, depth
    first; `model` itself first when `include_self`."""
    seen, order, stack = set(), [], [model]
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        order.append(layer)
        stack.extend(reversed(_children(layer)))
    return order if include_self else order[1:]
