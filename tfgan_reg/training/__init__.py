"""The training layer: what `train.py` runs.

`loop` trains a run (`train_and_evaluate`: checkpoints, resuming, the non-finite guard,
preemption); `evaluation` evaluates it while and after it trains (toy metrics and pictures,
`PeriodicEval`: `eval.csv`, TensorBoard, the best checkpoint). The metrics themselves are
`tfgan_reg.eval`'s. `from tfgan_reg import training` gives the loop's public names.
"""
from tfgan_reg.training import evaluation
from tfgan_reg.training.loop import Monitor
from tfgan_reg.training.loop import Preempted
from tfgan_reg.training.loop import TrainingDiverged
from tfgan_reg.training.loop import train_and_evaluate

__all__ = ["Monitor", "Preempted", "TrainingDiverged", "evaluation", "train_and_evaluate"]
