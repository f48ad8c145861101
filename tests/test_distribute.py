"""`distribute`: strategies by name, with errors that say what is missing."""
import pytest
import tensorflow as tf

from tfgan_reg import distribute


def test_strategy_errors_say_what_is_missing(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="needs the cluster in the TF_CONFIG"):
        distribute.make_strategy("multi_worker")
    with pytest.raises(ValueError, match=r"found no TPU \(tpu=''\).*Pass --tpu"):
        distribute.make_strategy("tpu")
    with pytest.raises(ValueError, match=r"one of \['default', 'mirrored', 'multi_worker', "
                                         r"'tpu'\]. Received: strategy='gpu'"):
        distribute.make_strategy("gpu")
    # No GPUs here: `default` is the no-op strategy.
    assert distribute.make_strategy("default") is tf.distribute.get_strategy()


def test_every_process_but_other_workers_is_chief():
    assert distribute.is_chief(tf.distribute.get_strategy())
    assert not distribute.is_multi_worker(tf.distribute.get_strategy())


def test_split_cpu_has_made_the_two_replicas_the_tests_use_and_checks_its_count():
    assert len(tf.config.list_logical_devices("CPU")) == 2  # conftest's distribute.split_cpu(2)
    with pytest.raises(ValueError, match="`n` must be"):
        distribute.split_cpu(0)
