"""The embedded default (`make train`): ring8 with R1 (gamma 10), about two minutes on 2 CPUs.

Prints the number of the 8 modes covered, the fraction of high-quality samples (within 3 std
of a centre) and the exact W1 to the data on 2,000 samples, and writes its pictures.
"""
from tfgan_reg import config_lib


def get_config():
    return config_lib.base_config()
