"""Seed 003's MNIST setup (its appendix A.3, networks of Tables 1-2): `configs/icr_mnist.py:OPT`.

OPT `simgd` (the paper's stochastic simultaneous gradient descent, learning rate 0.01, batch
128, 9,000 iterations, original GAN loss with the log-trick) or `acgd` (the shared zero-sum
loss, alpha 1e-4, beta2 0.99). Latent size 96. Needs MNIST prepared for tensorflow-datasets
(`--config.data.data_dir`); nothing downloads.
"""
from tfgan_reg import config_lib


def get_config(opt="simgd"):
    if opt not in ("simgd", "acgd"):
        raise ValueError(f"OPT must be one of ['simgd', 'acgd']. Received: {opt!r}")
    config = config_lib.base_config()
    config.data.name = "mnist"
    config.model.update(arch="seed003_mnist", latent_dim=96)
    config.loss = "non_saturating"
    config.penalty = config_lib.penalty_config("none")
    config.train.update(batch_size=128, num_steps=9000, scheme="simultaneous",
                        checkpoint_every=1000, log_every=100)
    if opt == "simgd":
        config.train.update(optimizer="sgd", d_learning_rate=0.01, g_learning_rate=0.01)
    else:
        # jit_compile off: XLA rules out the linearized products (about 1.4x faster here).
        config.train.update(optimizer="acgd", d_learning_rate=1e-4, g_learning_rate=1e-4,
                            beta2=0.99, epsilon=1e-5, jit_compile=False)
    config.eval.num_samples = 64
    return config
