"""`runs`: the workdir (refusing another config, keys a workdir predates) and `load_run`."""
import json
import os

import pytest
import tensorflow as tf

from tfgan_reg import config_lib
from tfgan_reg import runs
from tfgan_reg import training

from helpers import small_config


def test_incompatible_workdir_is_refused(tmp_path):
    config = small_config(num_steps=10)
    training.train_and_evaluate(config, str(tmp_path), verbose=False)
    config.penalty.gamma = 1.0
    with pytest.raises(runs.IncompatibleWorkdir,
                       match=r"different config \(penalty.gamma: 10.0 -> 1.0\)"):
        training.train_and_evaluate(config, str(tmp_path), verbose=False)
    with open(tmp_path / "config.json") as f:
        assert json.load(f)["penalty"]["gamma"] == 10.0


def test_workdir_from_before_a_new_config_key_resumes(tmp_path):
    # A config.json written before `eval.samples_every` and `model.bogonet_seed` existed: the
    # absent keys stand for their defaults, so the run resumes; a non-default value is refused.
    config = small_config(num_steps=10)
    training.train_and_evaluate(config, str(tmp_path), verbose=False)
    with open(tmp_path / "config.json") as f:
        old = json.load(f)
    del old["model"]["bogonet_seed"], old["data"]["cache"]
    with open(tmp_path / "config.json", "w") as f:
        json.dump(old, f)
    config.train.num_steps = 20
    assert training.train_and_evaluate(config, str(tmp_path), verbose=False)["step"] == 20
    with open(tmp_path / "config.json") as f:
        old = json.load(f)  # rewritten in full by the resumed run
    del old["model"]["bogonet_seed"]
    with open(tmp_path / "config.json", "w") as f:
        json.dump(old, f)
    config.model.bogonet_seed = 3
    with pytest.raises(runs.IncompatibleWorkdir,
                       match=r"model.bogonet_seed: 0 -> 3"):
        training.train_and_evaluate(config, str(tmp_path), verbose=False)


def test_load_run_of_a_workdir_from_before_new_config_keys(tmp_path):
    # Evaluation and export tools read config.json alone: keys it predates take their defaults,
    # while the penalty section stays the run's own (a default R1 `gamma` would break WGAN-GP).
    config = small_config(num_steps=10)
    config.penalty = config_lib.penalty_config("wgan_gp")
    training.train_and_evaluate(config, str(tmp_path), verbose=False)
    with open(tmp_path / "config.json") as f:
        old = json.load(f)
    del old["train"]["penalty_every"], old["data"]["cache"], old["eval"]["samples_every"]
    with open(tmp_path / "config.json", "w") as f:
        json.dump(old, f)
    loaded, model = runs.load_run(str(tmp_path))
    assert loaded.train.penalty_every == 1 and model.penalty_every == 1
    assert loaded.data.cache == "" and loaded.eval.samples_every == 0
    assert dict(loaded.penalty) == dict(config.penalty) and "gamma" not in loaded.penalty
    assert model.step == 10


def test_checkpoint_names_parse_and_print_alike(tmp_path):
    directory = str(tmp_path)
    assert runs.checkpoint_path(directory, 40) == os.path.join(directory, "ckpt-40")
    assert runs.checkpoint_step(runs.checkpoint_path(directory, 40)) == 40
    assert runs.checkpoint_step(None) is None
    for bad in ("ckpt-40.index", "best-3", os.path.join(directory, "ckpt-")):
        with pytest.raises(ValueError, match=r"Not a checkpoint path \(.../ckpt-N\)"):
            runs.checkpoint_step(bad)
    # The manager's own names: what `checkpoint_step` reads back.
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(1.0)), directory,
                                         max_to_keep=3)
    for step in (10, 20, 30):
        assert runs.checkpoint_step(manager.save(checkpoint_number=step)) == step
    assert sorted(runs.readable_checkpoints(directory)) == [10, 20, 30]


def test_point_state_at_rewrites_only_a_state_naming_another(tmp_path):
    directory = str(tmp_path)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(1.0)), directory,
                                         max_to_keep=3)
    for step in (10, 20):
        manager.save(checkpoint_number=step)
    state = os.path.join(directory, "checkpoint")
    before = os.stat(state).st_mtime_ns, open(state).read()
    runs.point_state_at(directory, runs.checkpoint_path(directory, 20))  # named already
    assert (os.stat(state).st_mtime_ns, open(state).read()) == before
    runs.point_state_at(directory, runs.checkpoint_path(directory, 10))
    assert tf.train.latest_checkpoint(directory) == runs.checkpoint_path(directory, 10)
    assert [os.path.basename(p) for p in
            tf.train.get_checkpoint_state(directory).all_model_checkpoint_paths] == ["ckpt-10"]
