"""Roth et al. 2017, section 5.5, cross-testing at a CPU budget:
`--config=configs/roth_cross_test.py:<none|roth_js>[-quick]`, a DCGAN on mnist5k's 4,000 training
digits, unregularised or with Roth's JS regulariser (gamma 0.1), otherwise equal
(`tfgan_reg.reproduce.roth_claims.cross_test_config` says where each number comes from). About 35 s
(`none`) and 60 s (`roth_js`) on a 2-core CPU.
Then `python -m tfgan_reg.eval cross_test --workdir1 NONE_RUN --workdir2 ROTH_RUN` cross-tests
them on the 1,000 held-out test digits. The claim over 5 seeds:
`python -m tfgan_reg.reproduce --claims roth.cross_test --out DIR`.

Its discriminator has batch normalisation with a per-sample penalty (the run warns): the
authors' DCGAN code for this section normalises D's batches, regularised or not, and the
claim compares the two models as the paper trained them.
"""
from tfgan_reg.reproduce import roth_claims


def get_config(setup="roth_js"):
    method, _, size = setup.partition("-")
    if size not in ("", "quick"):
        raise ValueError(f"setup must be <none|roth_js>[-quick]. Received: setup={setup!r}")
    return roth_claims.cross_test_config(method, quick=size == "quick")
