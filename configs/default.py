"""The embedded default (`make train`): ring8 with R1, about two minutes on 2 CPUs, no download.

Prints the number of the 8 modes covered, the fraction of high-quality samples (within 3 std
of a centre) and the exact W1 to the data on 2,000 samples, and writes its pictures.
R1 at gamma 1 with latent size 16, Adam 3e-4 (0.5, 0.999), batch 512 and 15,000 generator steps
covered all 8 modes in each of seeds 0-4 on this project's CPU machine (tests/test_quality.py
checks at least 4 of 5).
"""
from tfgan_reg import config_lib


def get_config():
    config = config_lib.base_config()
    config.penalty = config_lib.penalty_config("r1", 1.0)
    config.model.latent_dim = 16
    config.train.update(batch_size=512, num_steps=15000, d_learning_rate=3e-4,
                        g_learning_rate=3e-4, checkpoint_every=2500, log_every=100)
    return config
