"""`eval.plots`: pictures a person can read (enlarged image grids with gaps and a title, the data
drawn over the samples, a colour bar on the KDE), read back from the PNG or the figure."""
import numpy as np
import pytest
from matplotlib import colors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from tfgan_reg import config_lib
from tfgan_reg.eval import plots
from tfgan_reg.training import evaluation


@pytest.fixture
def figures(monkeypatch):
    """The figures the plots save, kept (after saving) for their artists."""
    kept, save = [], plots._save

    def keep(fig, path):
        kept.append(fig)
        return save(fig, path)

    monkeypatch.setattr(plots, "_save", keep)
    return kept


def _layers(ax):
    """{label: zorder} of an axes' labelled point layers."""
    return {c.get_label(): c.get_zorder() for c in ax.collections
            if not c.get_label().startswith("_")}


def _pixel(fig, ax, point):
    """The RGB colour (0-1) the figure shows at data coordinates `point`."""
    canvas = FigureCanvasAgg(fig)  # a closed figure has lost its own
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    x, y = ax.transData.transform(point)
    return rgba[int(round(rgba.shape[0] - y)), int(round(x)), :3] / 255.0


def test_image_grid_png_is_enlarged_with_white_gaps_and_a_title(tmp_path):
    # 64 8x8 digits in 8 columns: 64 px natively; the smallest integer scale to >= 512 px is
    # 8, gaps of scale / 2 = 4 px: 8 * 64 + 9 * 4 = 548 px wide, plus the 24 px title band.
    checker = np.where((np.arange(8)[:, None] + np.arange(8)) % 2, 1.0, -1.0)
    images = np.repeat(checker[None, :, :, None], 64, 0).astype(np.float32)
    assert plots.grid_enlargement(8, 8) == (8, 4)
    path = plots.image_grid_png(str(tmp_path / "g.png"), images, title="run: digits, step 7")
    png = np.asarray(Image.open(path))
    assert png.shape == (plots.TITLE_BAND + 548, 548)  # one grey channel
    grid = png[plots.TITLE_BAND:]
    # Tile (0, 0) starts after a 4 px gap; each source pixel is an 8x8 block of one value.
    tile = grid[4:4 + 64, 4:4 + 64]
    assert np.array_equal(tile, np.kron(np.where(checker > 0, 255, 0), np.ones((8, 8))))
    # The gap columns between tiles 0 and 1 and rows between rows 0 and 1 are white.
    assert (grid[:, 68:72] == plots.GAP_VALUE).all()
    assert (grid[68:72, :] == plots.GAP_VALUE).all()
    band = png[:plots.TITLE_BAND]
    assert band.min() < 100 and np.median(band) == 255  # dark text on white
    assert (tmp_path / "g.png").stat().st_size < 50_000


def test_image_grid_png_colour_without_title_and_large_tiles(tmp_path):
    # 64x64 tiles in 8 columns are already 512 px: scale 1, 2 px gaps, no band.
    images = np.zeros((10, 64, 64, 3), np.float32)
    png = np.asarray(Image.open(plots.image_grid_png(str(tmp_path / "c.png"), images,
                                                     columns=8)))
    assert png.shape == (2 * 64 + 3 * 2, 8 * 64 + 9 * 2, 3)
    assert (png[:, 64 + 2:64 + 4] == 255).all()
    assert (png[2:66, 2:66] == 128).all()  # 0 in [-1, 1] is grey 128
    assert (png[68:132, 2 + 2 * 66:2 + 2 * 66 + 64] == 0).all()  # empty cells black


def test_scatter_draws_the_data_over_the_samples(tmp_path, figures):
    fake = np.zeros((500, 2), np.float32)  # a collapsed generator on top of the datum
    fake[:2] = [[-1, -1], [1, 1]]
    real = np.zeros((1, 2), np.float32)
    plots.scatter_png(str(tmp_path / "s.png"), fake, real, centres=np.ones((1, 2)))
    fig = figures[-1]
    ax = fig.axes[0]
    layers = _layers(ax)
    assert layers["data"] > layers["generated"] and layers["centres"] > layers["data"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["generated", "data",
                                                                  "centres"]
    seen = _pixel(fig, ax, (0.0, 0.0))
    assert np.abs(seen - colors.to_rgb(plots.DATA_COLOUR)).sum() < \
        np.abs(seen - colors.to_rgb(plots.FAKE_COLOUR)).sum()


def test_value_surfaces_draw_the_data_over_the_samples(tmp_path, figures):
    fake = np.zeros((300, 2), np.float32)
    real = np.zeros((1, 2), np.float32)
    plots.value_surface_png(str(tmp_path / "v.png"), lambda p: p[:, 0], real, fake,
                            limits=((-1, 1), (-1, 1)))
    fig = figures[-1]
    ax = fig.axes[0]
    layers = _layers(ax)
    assert layers["data"] > layers["generated"] and ax.get_legend() is not None
    red, green, blue = _pixel(fig, ax, (0.0, 0.0))
    assert green > 0.8 and red < 0.5  # the datum's lime, not the samples' black
    _, _, points = plots.grid_points((-1, 1), 10)
    plots.value_surfaces_png(str(tmp_path / "vs.png"),
                             [("a", points[:, 0].reshape(10, 10), fake),
                              ("b", points[:, 1].reshape(10, 10), None)],
                             real, limits=(-1, 1))
    fig = figures[-1]
    assert _layers(fig.axes[0])["data"] > _layers(fig.axes[0])["generated"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["generated", "data"]


def test_scatter_grid_draws_the_data_over_the_samples(tmp_path, figures):
    x = np.random.default_rng(0).normal(size=(50, 2))
    plots.scatter_grid_png(str(tmp_path / "sg.png"), [("a", x, x + 1, None), ("b", x, None, x)],
                           columns=2)
    fig = figures[-1]
    layers = _layers(fig.axes[0])
    assert layers["data"] > layers["generated"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["generated", "data",
                                                                  "centres"]


def test_kde_has_a_colour_bar(tmp_path, figures):
    x = np.random.default_rng(0).normal(size=(200, 2))
    plots.kde_png(str(tmp_path / "k.png"), x, title="t")
    fig = figures[-1]
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "density"


def test_picture_title_names_run_data_penalty_and_step():
    config = config_lib.base_config()
    assert evaluation.picture_title(config, "/runs/ring8_r1/", 300) == \
        "ring8_r1: ring8, r1, step 300"
