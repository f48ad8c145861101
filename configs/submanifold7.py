"""Roth et al. 2017, section 5.1 and appendix 7.3 (figures 1 and 6): 7 Gaussians on a circle
embedded in 3-D, unregularised vs Roth's JS regulariser on the discriminator.

`--config=configs/submanifold7.py:<setup>`, <setup> = `none` or `roth_js[-GAMMA]` (gamma 0.1,
the authors' default, when omitted; the figures show 0.01, 0.1 and 1.0), then optionally `-nd5`
(five D steps per G step, figure 6) and `-quick` (a 20-step smoke test). The authors' networks
and optimiser (`tfgan_reg.reproduce.roth_claims.submanifold_config` says where each number comes
from): G and D with two hidden tanh layers of 128, minimax loss, Adam(1e-3, 0.5), batch 512,
latent size 2, 100,000 generator steps (about 15 min here with one D step; checkpoints every
20,000, all kept). Expected (figure 1): the unregularised run covers the 7 modes for tens of
thousands of steps and collapses after about 50k; the regularised ones do not. The claims:
`python -m tfgan_reg.reproduce --claims roth.fig6_submanifold --out DIR`.
"""
import re

from tfgan_reg.reproduce import roth_claims

SETUP = re.compile(r"(none|roth_js)(?:-(\d+(?:\.\d*)?(?:e-?\d+)?))?(-nd5)?(-quick)?")


def get_config(setup="roth_js"):
    match = SETUP.fullmatch(setup)
    if match is None or (match[1] == "none" and match[2]):
        raise ValueError(f"setup must be none[-nd5][-quick] or roth_js[-GAMMA][-nd5][-quick]. "
                         f"Received: setup={setup!r}")
    method, gamma, nd5, quick = match.groups()
    gamma = None if method == "none" else float(gamma or 0.1)
    return roth_claims.submanifold_config(gamma, n_disc=5 if nd5 else 1, quick=bool(quick))
