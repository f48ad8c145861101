"""The arithmetic of a traced TensorFlow step: FLOPs of the convolutions and matmuls that its
outputs and state updates depend on, from the shapes in the traced graph (unknown dimensions
taken as the batch). Used by throughput.py to print each row's work beside its time.

Why: where convolutions already run near a CPU's peak, a step's time follows these FLOPs, so
`penalised FLOPs / plain FLOPs` is about the least a penalty can cost over the plain step in
any implementation that computes the same products; a timing target below it asks for less
arithmetic, not faster code.
"""
import numpy as np
import tensorflow as tf

CONV_TYPES = ("Conv2D", "_FusedConv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter")
MATMUL_TYPES = ("MatMul", "_FusedMatMul", "BatchMatMulV2", "BatchMatMulV3")
# Ops whose bodies are other graphs: their work is not counted, so a step with them is refused.
CALL_TYPES = ("If", "StatelessIf", "While", "StatelessWhile", "PartitionedCall",
              "StatefulPartitionedCall", "Case", "StatelessCase")


def _dims(shape, batch):
    return [batch if d is None else int(d) for d in tf.TensorShape(shape).as_list()]


def op_flops(op, batch):
    """FLOPs (2 per multiply-add) of one convolution or matmul op; 0 for any other op."""
    if op.type in ("Conv2D", "_FusedConv2D"):
        out, kernel = _dims(op.outputs[0].shape, batch), _dims(op.inputs[1].shape, batch)
        return 2 * int(np.prod(out)) * kernel[0] * kernel[1] * kernel[2]
    if op.type == "Conv2DBackpropInput":  # (input_sizes, filter, out_backprop)
        grad, kernel = _dims(op.inputs[2].shape, batch), _dims(op.inputs[1].shape, batch)
        return 2 * int(np.prod(grad)) * kernel[0] * kernel[1] * kernel[2]
    if op.type == "Conv2DBackpropFilter":  # (input, filter_sizes, out_backprop) -> kernel
        grad, kernel = _dims(op.inputs[2].shape, batch), _dims(op.outputs[0].shape, batch)
        return 2 * int(np.prod(grad)) * kernel[0] * kernel[1] * kernel[2]
    if op.type in MATMUL_TYPES:
        a, b = _dims(op.inputs[0].shape, batch), _dims(op.inputs[1].shape, batch)
        ta = op.get_attr("transpose_a") if "transpose_a" in op.node_def.attr else \
            op.get_attr("adj_x")
        tb = op.get_attr("transpose_b") if "transpose_b" in op.node_def.attr else \
            op.get_attr("adj_y")
        m, k = (a[-1], a[-2]) if ta else (a[-2], a[-1])
        n = b[-2] if tb else b[-1]
        return 2 * int(np.prod(a[:-2])) * m * n * k
    return 0


def graph_flops(graph, batch):
    """{"conv": FLOPs, "matmul": FLOPs} of the ops that `graph`'s outputs and control outputs
    (the state updates) depend on. Raises `ValueError` when such an op calls another graph
    (a conditional or a loop), whose work this does not count."""
    todo = [t.op for t in graph.outputs] + list(graph.control_outputs)
    seen, total = set(), {"conv": 0, "matmul": 0}
    while todo:
        op = todo.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        if op.type in CALL_TYPES:
            raise ValueError(f"{op.type} op {op.name!r}: the work of called graphs is not "
                             f"counted")
        if op.type in CONV_TYPES:
            total["conv"] += op_flops(op, batch)
        elif op.type in MATMUL_TYPES:
            total["matmul"] += op_flops(op, batch)
        todo.extend(t.op for t in op.inputs)
        todo.extend(op.control_inputs)
    return total


def step_flops(model, batch, shape):
    """`graph_flops` of `model.train_step` traced on a float32 batch [batch, *shape], or
    None when the step has a conditional (lazy regularisation)."""
    function = tf.function(model.train_step)
    graph = function.get_concrete_function(tf.TensorSpec((batch,) + tuple(shape))).graph
    try:
        return graph_flops(graph, batch)
    except ValueError:
        return None
