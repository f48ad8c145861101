"""Kodali et al. 2017, section 5.2, Table 1, on offline digits: one run of the claim
`dragan.bogonet`, `--config=configs/dragan_bogonet.py:<pair>-<none|dragan>[-quick]`.

`configs/bogonet.py:digits` (the pair drawn from seed <pair> with widths x 0.25, batch 64, the
non-saturating loss, IS of the project's digits classifier) with the paper's optimiser: "Adam
with default parameters everywhere" (section 3.2: TensorFlow's Adam, lr 1e-3, betas 0.9 and
0.999; Keras's epsilon 1e-7 where TensorFlow 1's was 1e-8), DRAGAN with lam 10 and C 0.5
(section 3.2), `STEPS` generator steps with `EVALS` evaluations of `SAMPLES` samples (the paper
states no length: `STEPS` is what fits the claim's CPU budget). `-quick`: 20 steps, 2
evaluations of 100 samples (a smoke test).
"""
from tfgan_reg import config_lib
from tfgan_reg.nets import bogonet as bogonet_nets

STEPS, EVALS, SAMPLES = 2000, 20, 500


def get_config(arg="0-dragan"):
    pair, _, rest = arg.partition("-")
    method, _, size = rest.partition("-")
    if not pair.isdigit() or method not in ("none", "dragan") or size not in ("", "quick"):
        raise ValueError(f"configs/dragan_bogonet.py takes <pair>-<none|dragan>[-quick], <pair> "
                         f"a seed. Received: {arg!r}")
    steps, evals, samples = (20, 2, 100) if size == "quick" else (STEPS, EVALS, SAMPLES)
    config = config_lib.from_file("configs/bogonet.py:digits")
    config.seed = config.model.bogonet_seed = int(pair)
    config.model.latent_dim = bogonet_nets.sample_pair(int(pair), 0.25)["latent_dim"]
    config.penalty = config_lib.penalty_config(method, None if method == "none" else 10.0,
                                               **({"c": 0.5} if method == "dragan" else {}))
    config.train.update(d_learning_rate=1e-3, g_learning_rate=1e-3, beta1=0.9, beta2=0.999,
                        num_steps=steps, checkpoint_every=steps, max_checkpoints=1,
                        log_every=min(100, steps), jit_compile=False)
    config.eval.update(every=steps // evals, num_samples=samples, classifier="domain")
    return config
