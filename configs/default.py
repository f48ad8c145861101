"""The embedded default (`make train`): ring8 with R1, about two minutes on 2 CPUs, no download.

Prints the number of the 8 modes covered, the fraction of high-quality samples (within 3 std
of a centre) and the exact W1 to the data on 2,000 samples, and writes its pictures.
R1 at gamma 1 with latent size 16, Adam 3e-4 (0.5, 0.999), batch 512, 15,000 generator steps,
sampled from a moving average of the generator's weights (decay 0.999). Without the average,
the modes come out a little off their centres in many seeds: on this project's CPU machine
(2026-12-03) seeds 5-9 covered 8/8 modes in 2 of 5 (high-quality 38-82 %), and a change of
float rounding alone turned seeds 0 and 3 from 8/8 to 7/8 and 6/8. With it, seeds 5-9 (chosen
to tune on, apart from the test's seeds) covered 8/8 in 5 of 5, high-quality 93-95 %, W1
0.064-0.080. tests/test_quality.py checks at least 4 of seeds 0-4.
"""
from tfgan_reg import config_lib


def get_config():
    config = config_lib.base_config()
    config.penalty = config_lib.penalty_config("r1", 1.0)
    config.model.latent_dim = 16
    config.train.update(batch_size=512, num_steps=15000, d_learning_rate=3e-4,
                        g_learning_rate=3e-4, checkpoint_every=2500, log_every=100,
                        ema_decay=0.999)
    return config
