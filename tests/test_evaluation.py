"""`evaluation`: periodic scores to eval.csv and TensorBoard, the best checkpoint."""
import json
import os

import pytest
import tensorflow as tf

from tfgan_reg import runs
from tfgan_reg import training

from helpers import killed_at, picture, small_config


def test_periodic_evaluation_csv_tensorboard_and_best_checkpoint(tmp_path, monkeypatch):
    # Evaluations every 10 steps, checkpoints every 20: the kill at step 30 comes after the
    # evaluation of step 30 and before its checkpoint, so the resumed run (from 20) must drop
    # that row and write it again.
    config = small_config(num_steps=40, checkpoint_every=20)
    config.eval.update(every=10, best_metric="w1", num_samples=100)
    make = runs.make_dataset
    monkeypatch.setattr(runs, "make_dataset", killed_at(30))
    with pytest.raises(KeyboardInterrupt):
        training.train_and_evaluate(config, str(tmp_path), verbose=False)
    with open(tmp_path / "eval.csv") as f:
        assert [line.split(",")[0] for line in f.read().splitlines()] == \
            ["step", "10", "20", "30"]
    assert tf.train.latest_checkpoint(str(tmp_path / "checkpoints")).endswith("ckpt-20")
    monkeypatch.setattr(runs, "make_dataset", make)
    training.train_and_evaluate(config, str(tmp_path), verbose=False)
    with open(tmp_path / "eval.csv") as f:
        rows = [line.split(",") for line in f.read().splitlines()]
    assert rows[0] == ["step", "hq_fraction", "modes", "reverse_kl", "w1"]
    assert [int(r[0]) for r in rows[1:]] == [10, 20, 30, 40]  # each step once after resume
    w1 = {int(r[0]): float(r[4]) for r in rows[1:]}
    with open(tmp_path / "best" / "best.json") as f:
        best = json.load(f)
    assert best["metric"] == "w1" and best["step"] == min(w1, key=w1.get)
    assert best["value"] == pytest.approx(min(w1.values()), rel=1e-5)
    best_model = runs.build_gan(config)
    tf.train.Checkpoint(generator=best_model.generator, discriminator=best_model.discriminator,
                        step=best_model.step_counter).restore(
        tf.train.latest_checkpoint(str(tmp_path / "best"))).assert_existing_objects_matched()
    assert int(best_model.step_counter) == best["step"]
    events = os.listdir(tmp_path / "tensorboard")
    assert events
    tags = set()
    for name in events:
        for event in tf.compat.v1.train.summary_iterator(str(tmp_path / "tensorboard" / name)):
            tags.update(v.tag for v in event.summary.value)
    assert {"eval/w1", "eval/modes", "d_loss"} <= tags
    for name in ("samples_final.png", "kde_final.png", "value_final.png"):
        assert picture(tmp_path / name).std() > 0.05, name  # decodes, and is not blank
