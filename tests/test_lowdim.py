"""Low-dimensional metrics and pictures against closed forms."""
import itertools

import numpy as np
import pytest
from matplotlib import cm

from tfgan_reg.data import toy
from tfgan_reg.eval import lowdim, plots

from helpers import picture, share_near


def _brute_force_w1(x, y):
    return min(np.mean(np.linalg.norm(x - y[list(p)], axis=1))
               for p in itertools.permutations(range(len(y))))


def test_w1_of_shifted_copy_is_the_shift():
    x = np.random.default_rng(0).normal(size=(300, 2))
    shift = np.array([3.0, -4.0])  # |shift| = 5; translating is optimal for W1 (and W2)
    # For W1 the identity matching gives 5; it is optimal because W1 >= |E x - E y| = 5.
    assert lowdim.wasserstein1(x, x + shift) == pytest.approx(5.0, rel=1e-9)
    assert lowdim.wasserstein1(x, x[::-1]) == pytest.approx(0.0, abs=1e-12)


def test_w1_known_matching_and_brute_force():
    # Points on a line: the optimal matching is the sorted one.
    a = np.array([[0.0], [1.0], [5.0]])
    b = np.array([[6.0], [0.5], [1.5]])
    assert lowdim.wasserstein1(a, b) == pytest.approx((0.5 + 0.5 + 1.0) / 3)
    rng = np.random.default_rng(1)
    for _ in range(5):
        x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
        assert lowdim.wasserstein1(x, y) == pytest.approx(_brute_force_w1(x, y), rel=1e-12)


def test_w1_rejects_mismatched_shapes_and_flags_non_finite():
    with pytest.raises(ValueError, match=r"same shape. Received: \(3, 2\) and \(4, 2\)"):
        lowdim.wasserstein1(np.zeros((3, 2)), np.zeros((4, 2)))
    x = np.zeros((3, 2))
    x[1, 0] = np.nan
    assert lowdim.wasserstein1(x, np.zeros((3, 2))) == float("inf")


def test_mode_stats_planted():
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
    std = 0.1
    # n = 100, so a mode needs >= 10% of 100/4 = 2.5 high-quality samples. Centre 0 gets 40
    # just inside 3 std (0.29 < 0.3) and one just outside; centre 3 gets 1 (not covered).
    pts = ([centres[0] + [0.29, 0.0]] * 40 + [centres[1]] * 40 + [centres[2]] * 5
           + [centres[3]] * 1 + [[5.0, 5.0]] * 13 + [centres[0] + [0.31, 0.0]])
    covered, hq, counts = lowdim.mode_stats(np.array(pts), centres, std)
    assert counts.tolist() == [40, 40, 5, 1]
    assert covered == 3
    assert hq == pytest.approx(86 / 100)


def test_pacgan_mode_rule_on_a_planted_set():
    # PacGAN's rule (min_fraction=0): a mode is captured by any one high-quality sample. Mode 2
    # has one sample within 3 std, mode 3 one just outside (3.1 std): 3 modes, not 4; the 10 %
    # rule (>= 0.1 * 40 / 4 = 1 sample) agrees here, and at 25 % (2.5 samples) keeps 2.
    centres = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    std = 0.01
    pts = ([centres[0]] * 20 + [centres[1] + [0.0, 0.02]] * 18 + [centres[2] + [0.029, 0.0]]
           + [centres[3] + [0.031, 0.0]])
    covered, hq, counts = lowdim.mode_stats(np.array(pts), centres, std, min_fraction=0.0)
    assert (covered, hq, counts.tolist()) == (3, 39 / 40, [20, 18, 1, 0])
    assert lowdim.mode_stats(np.array(pts), centres, std, min_fraction=0.25)[0] == 2
    # No sample anywhere covers nothing, whatever the fraction.
    assert lowdim.mode_stats(np.array([[5.0, 5.0]]), centres, std, min_fraction=0.0)[0] == 0


def test_reverse_kl_closed_forms():
    # KL(p || uniform) = sum_k p_k log(K p_k) = log K - H(p).
    assert lowdim.reverse_kl([10, 10, 10, 10]) == pytest.approx(0.0, abs=1e-15)
    assert lowdim.reverse_kl([7, 0, 0, 0]) == pytest.approx(np.log(4))  # one mode: log K
    # p = (1/2, 1/4, 1/4, 0): 1/2 log 2 + 2 * 1/4 log 1 = log(2) / 2.
    assert lowdim.reverse_kl([2, 1, 1, 0]) == pytest.approx(np.log(2) / 2)
    # p = (3/4, 1/4) over K = 2: 3/4 log(3/2) + 1/4 log(1/2).
    assert lowdim.reverse_kl([3, 1]) == pytest.approx(0.75 * np.log(1.5) + 0.25 * np.log(0.5))
    assert lowdim.reverse_kl([0, 0, 0]) == float("inf")  # no high-quality sample


@pytest.mark.slow  # fast siblings: this file's other tests
def test_summary_on_true_samples_covers_all_modes():
    source = toy.get("ring8")
    real = np.asarray(source.sample(2000, 1))
    other = np.asarray(source.sample(2000, 2))
    out = lowdim.summary(other, real, centres=source.centres, std=source.std)
    assert out["modes"] == 8 and out["num_modes"] == 8
    assert out["hq_fraction"] > 0.98  # 3-sigma disc in 2-D holds 1 - exp(-4.5) = 98.9%
    assert out["w1"] < 0.05
    assert out["reverse_kl"] == pytest.approx(lowdim.reverse_kl(out["counts"]))
    assert out["reverse_kl"] < 0.01
    collapsed = np.repeat(real[:1], 2000, 0)
    assert lowdim.summary(collapsed, real, centres=source.centres, std=source.std)["modes"] == 1


def test_pictures_show_what_they_plot(tmp_path):
    """Each picture, decoded, shows its points or surface (the legend alone colours under
    0.1 % of a picture's pixels)."""
    x = np.random.default_rng(0).normal(size=(200, 2)).astype(np.float32)
    # 2-D scatter: the data in navy (blue over red), the samples in orange (red over blue).
    s = picture(plots.scatter_png(str(tmp_path / "s.png"), x, x + 1))
    assert np.mean(s[..., 2] - s[..., 0] > 0.2) > 0.003
    assert np.mean(s[..., 0] - s[..., 2] > 0.2) > 0.005
    # KDE: viridis from its lowest colour (far from the samples) to its highest (the mode).
    k = picture(plots.kde_png(str(tmp_path / "k.png"), x))
    assert share_near(k, cm.viridis(0.0)[:3], 0.05) > 0.2
    assert share_near(k, cm.viridis(1.0)[:3], 0.05) > 0
    # Collapsed samples have no density: drawn as points in matplotlib's first colour.
    k0 = picture(plots.kde_png(str(tmp_path / "k0.png"), np.zeros((50, 2))))
    assert share_near(k0, "C0", 0.1) > 0 and share_near(k0, cm.viridis(0.0)[:3], 0.05) == 0
    # 3-D scatter: the samples tint the panes orange.
    s3 = picture(plots.scatter_png(str(tmp_path / "s3.png"),
                                   np.random.default_rng(1).normal(size=(50, 3))))
    assert np.mean(s3[..., 0] - s3[..., 2] > 0.1) > 0.002
    # Value surface of D(x) = x_1: coolwarm's red (high) on the right of its blue (low).
    v = picture(plots.value_surface_png(str(tmp_path / "v.png"), lambda p: p[:, 0], x, x + 1))
    # (A constant D paints one colour; the colour bar alone holds under 2 % of the pixels.)
    red = np.nonzero(v[..., 0] - v[..., 2] > 0.4)[1]
    blue = np.nonzero(v[..., 2] - v[..., 0] > 0.4)[1]
    assert min(len(red), len(blue)) > 0.1 * v[..., 0].size
    assert red.mean() > blue.mean() + 0.2 * v.shape[1]


def test_image_grid_layout():
    images = np.stack([np.full((2, 3, 1), v) for v in (-1.0, 0.0, 1.0)])
    grid = plots.image_grid(images, columns=2)
    assert grid.shape == (4, 6, 1) and grid.dtype == np.uint8
    assert grid[0, 0, 0] == 0 and grid[0, 3, 0] == 128 and grid[2, 0, 0] == 255
    assert grid[2, 3, 0] == 0  # the empty cell is black (-1)
