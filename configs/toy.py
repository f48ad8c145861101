"""One run of the low-dimensional table of Kodali et al. 2017 (DRAGAN) and Li et al. 2019 (0-GP):
`--config=configs/toy.py:<data>-<method>[-quick]`, e.g. `configs/toy.py:grid25-zero_gp`.

`<data>` is ring8 or grid25; `<method>` one of none, wgan_gp, dragan, zero_gp, zero_gp_sample,
r1, roth_js, each with its paper's optimiser and penalty weight (`tfgan_reg.reproduce.toy_claims
.table_config` holds the setup and says where each number comes from); `-quick` is the 20-step
smoke test. About 10 s on a 2-core CPU (WGAN-GP, with 5 critic steps, about 25 s); it prints the
modes covered, the high-quality fraction and W1 on 1,000 samples. The claims that judge the
whole table (5 seeds): `python -m tfgan_reg.reproduce --claims dragan.fig8_ring8,
dragan.collapse_rarer,zerogp.collapse,zerogp.ranking --out DIR`.
"""
from tfgan_reg.reproduce import toy_claims


def get_config(arg="ring8-zero_gp"):
    data, _, rest = arg.partition("-")
    method, _, size = rest.partition("-")
    if size not in ("", "quick"):
        raise ValueError(f"configs/toy.py takes <data>-<method>[-quick]. Received: {arg!r}")
    return toy_claims.table_config(data, method, quick=size == "quick")
