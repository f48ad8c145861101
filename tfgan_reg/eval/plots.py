"""Pictures written to a run's workdir: scatter and KDE plots of samples, discriminator value
surfaces (Kodali et al. 2017, figure 1; Li et al. 2019, figure 2) and image grids. Every
function writes a PNG and returns its path; matplotlib runs headless (Agg)."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from scipy import stats  # noqa: E402


# Samples in a light colour under the data in a dark one (scatters); on value surfaces the
# samples black under the data in green with a white rim.
FAKE_COLOUR, DATA_COLOUR = "tab:orange", "navy"
SURFACE_FAKE, SURFACE_DATA = "k", "lime"
GAP_VALUE = 255  # the white between the tiles of an image grid
TITLE_BAND = 24  # pixels above an image grid for its title


def _save(fig, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def _limits(*arrays, margin=0.1):
    pts = np.concatenate([np.asarray(a)[:, :2] for a in arrays if a is not None], 0)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if len(pts) == 0:
        return (-1, 1), (-1, 1)
    lo, hi = pts.min(0), pts.max(0)
    pad = margin * np.maximum(hi - lo, 1e-3)
    return (lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1])


def scatter_png(path, fake, real=None, *, title="", centres=None):
    """Generated points (and real points, and mixture centres) in 2-D or 3-D."""
    fake = np.asarray(fake)
    dim = fake.shape[1]
    fig = plt.figure(figsize=(5, 5))
    # 3-D axes order points by depth unless told not to: keep the data layer on top there too.
    ax = fig.add_subplot(**(dict(projection="3d", computed_zorder=False) if dim == 3 else {}))
    cols = list(range(min(dim, 3))) if dim > 1 else None

    def draw(points, **kw):
        points = np.asarray(points)
        if dim == 1:
            ax.scatter(points[:, 0], np.zeros(len(points)), **kw)
        else:
            ax.scatter(*[points[:, c] for c in cols], **kw)

    # The data are drawn after (over) the samples in a darker colour, or a collapsed generator
    # would hide them.
    draw(fake, s=6, c=FAKE_COLOUR, alpha=0.35, label="generated", zorder=2)
    if real is not None:
        draw(real, s=2, c=DATA_COLOUR, alpha=0.6, label="data", zorder=3)
    if centres is not None:  # rings around the modes, not over them
        draw(centres, s=80, facecolors="none", edgecolors="red", linewidths=0.8,
             label="centres", zorder=4)
    legend = ax.legend(loc="upper right", fontsize=8)
    for handle in legend.legend_handles:  # legible markers whatever the points' size
        handle.set_sizes([25])
        handle.set_alpha(1)
    ax.set_title(title, fontsize=9)
    if dim == 2:
        ax.set_aspect("equal")
    return _save(fig, path)


def kde_png(path, samples, *, title="", grid=200):
    """Gaussian kernel density estimate of 2-D samples (Mescheder et al. 2018, figure 5 style), with
    its colour bar."""
    samples = np.asarray(samples, np.float64)
    samples = samples[np.all(np.isfinite(samples), axis=1)]
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise ValueError(f"kde_png needs [n, 2] samples. Received: {samples.shape}")
    (x0, x1), (y0, y1) = _limits(samples, margin=0.2)
    xx, yy = np.meshgrid(np.linspace(x0, x1, grid), np.linspace(y0, y1, grid))
    fig, ax = plt.subplots(figsize=(5, 5))
    try:
        density = stats.gaussian_kde(samples.T)(np.stack([xx.ravel(), yy.ravel()]))
        image = ax.imshow(density.reshape(grid, grid), origin="lower",
                          extent=(x0, x1, y0, y1), cmap="viridis", aspect="equal")
        fig.colorbar(image, ax=ax, shrink=0.8, label="density")
    except (np.linalg.LinAlgError, ValueError):  # collapsed samples: draw them as points
        ax.scatter(samples[:, 0], samples[:, 1], s=4)
    ax.set_title(title, fontsize=9)
    return _save(fig, path)


def value_surface_png(path, value_fn, real, fake, *, title="", grid=100, limits=None):
    """Contours of the discriminator `value_fn([m, 2]) -> [m]` over the plane, with real and
    generated points (Kodali et al. 2017, figure 1; Li et al. 2019, figure 2)."""
    real, fake = np.asarray(real), np.asarray(fake)
    (x0, x1), (y0, y1) = limits or _limits(real, fake, margin=0.3)
    xx, yy = np.meshgrid(np.linspace(x0, x1, grid), np.linspace(y0, y1, grid))
    values = np.asarray(value_fn(np.stack([xx.ravel(), yy.ravel()], 1).astype(np.float32)))
    fig, ax = plt.subplots(figsize=(5, 5))
    cs = ax.contourf(xx, yy, values.reshape(grid, grid), levels=20, cmap="coolwarm")
    fig.colorbar(cs, ax=ax, shrink=0.8, label="D(x)")
    ax.scatter(fake[:, 0], fake[:, 1], s=4, c=SURFACE_FAKE, alpha=0.6, label="generated",
               zorder=2)
    ax.scatter(real[:, 0], real[:, 1], s=8, c=SURFACE_DATA, edgecolors="white",
               linewidths=0.3, label="data", zorder=3)  # over the samples
    ax.legend(loc="upper right", fontsize=8, markerscale=2)
    ax.set_title(title, fontsize=9)
    ax.set_aspect("equal")
    return _save(fig, path)


def image_grid(images, *, columns=None, scale=1, gap=0):
    """Tiles `[n, h, w, c]` images in `[-1, 1]` into one uint8 `[H, W, c]` array: each image
    enlarged `scale` times (nearest neighbour, pixels stay sharp), `gap` white pixels between
    the tiles and around them; empty cells are black."""
    images = np.asarray(images, np.float32)
    if images.ndim != 4:
        raise ValueError(f"image_grid needs [n, h, w, c] images. Received: {images.shape}")
    n, c = images.shape[0], images.shape[3]
    columns = columns or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / columns))
    tiles = np.round((np.clip(images, -1, 1) + 1) * 127.5).astype(np.uint8)
    tiles = tiles.repeat(scale, axis=1).repeat(scale, axis=2)
    h, w = tiles.shape[1:3]
    canvas = np.full([rows * h + (rows + 1) * gap, columns * w + (columns + 1) * gap, c],
                     GAP_VALUE, np.uint8)
    for i in range(rows * columns):
        r, q = divmod(i, columns)
        y, x = gap + r * (h + gap), gap + q * (w + gap)
        canvas[y:y + h, x:x + w] = tiles[i] if i < n else 0
    return canvas


def grid_enlargement(width, columns, *, size=512):
    """(scale, gap) of `image_grid_png`: the smallest integer scale making `columns` tiles of
    `width` pixels at least `size` pixels wide (8x8 digits: 8), and gaps of half a scale,
    at least 2 pixels."""
    scale = max(1, int(np.ceil(size / (columns * width))))
    return scale, max(2, scale // 2)


def image_grid_png(path, images, *, columns=None, title="", size=512):
    """An image grid a person can read: enlarged to at least `size` pixels wide with white
    gaps between the tiles (`grid_enlargement`), `title` in a band above it. The grid's
    pixels are the PNG's, one to one, below the band."""
    images = np.asarray(images)
    columns = columns or int(np.ceil(np.sqrt(len(images))))
    scale, gap = grid_enlargement(images.shape[2], columns, size=size)
    grid = image_grid(images, columns=columns, scale=scale, gap=gap)
    if title:
        band = _text_band(title, grid.shape[1])
        if grid.shape[-1] == 1:
            band = np.round(band.mean(-1, keepdims=True)).astype(np.uint8)
        grid = np.concatenate([band, grid], 0)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    # Written by Pillow, not savefig: grey levels stay one channel (a third of RGBA's bytes).
    Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid).save(path, optimize=True)
    return path


def _text_band(text, width):
    """`text` centred in a white uint8 [TITLE_BAND, width, 3] band, drawn by matplotlib."""
    fig = plt.figure(figsize=(width / 100, TITLE_BAND / 100), dpi=100)
    fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=10)
    fig.canvas.draw()
    drawn = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    plt.close(fig)
    band = np.full([TITLE_BAND, width, 3], 255, np.uint8)
    h, w = min(TITLE_BAND, drawn.shape[0]), min(width, drawn.shape[1])  # rounding of inches
    band[:h, :w] = drawn[:h, :w]
    return band


def drift_png(path, rows):
    """The ICR paper's figure 4: discriminator loss and drift (real, fake) over the steps, per
    mode."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    for mode in sorted({r["mode"] for r in rows}):
        rs = [r for r in rows if r["mode"] == mode]
        steps = [r["step"] for r in rs]
        a.plot(steps, [r["d_loss"] for r in rs], label=mode)
        b.plot(steps, [r["drift_real"] for r in rs], label=f"{mode}, real")
        b.plot(steps, [r["drift_fake"] for r in rs], "--", label=f"{mode}, fake")
    a.set(xlabel="steps from the checkpoint", ylabel="discriminator loss")
    b.set(xlabel="steps from the checkpoint", ylabel="d_set(D_t, D_c)")
    a.legend(fontsize=8)
    b.legend(fontsize=8)
    return _save(fig, path)


def curves_png(path, curves, *, ylabel="score", title=""):
    """Score curves: `curves` maps a label to (steps, values); one line each (BogoNet)."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, (steps, values) in curves.items():
        ax.plot(steps, values, label=label)
    ax.set(xlabel="step", ylabel=ylabel, title=title)
    ax.legend(fontsize=7)
    return _save(fig, path)


def vector_field_png(path, field, trajectories, *, title="", limits=(-2, 2), grid=20):
    """Mescheder et al. 2018, figures 2-3: the gradient vector field `field(theta, psi) -> (v_theta,
    v_psi)` (arrays) as arrows over the (theta, psi) plane, with trajectories `{label: [n, 2]}`."""
    t = np.linspace(limits[0], limits[1], grid)
    th, ps = np.meshgrid(t, t)
    u, v = field(th, ps)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.quiver(th, ps, u, v, color="0.6", angles="xy")
    for label, points in trajectories.items():
        points = np.asarray(points)
        ax.plot(points[:, 0], points[:, 1], lw=1.2, label=label)
        ax.plot(points[:1, 0], points[:1, 1], "ko", ms=3)
    ax.plot([0], [0], "r*", ms=10)
    ax.set(xlim=limits, ylim=limits, xlabel="theta", ylabel="psi", title=title)
    ax.set_aspect("equal")
    if trajectories:
        ax.legend(fontsize=7, loc="upper right")
    return _save(fig, path)


def eigenvalue_trace_png(path, traces, marked, *, marked_label="", title=""):
    """Mescheder et al. 2018, figure 4b: eigenvalue paths in the complex plane. `traces` is [n, k]
    complex (k eigenvalues at each of n parameter values), `marked` a few eigenvalues drawn as
    stars."""
    traces = np.asarray(traces)
    fig, ax = plt.subplots(figsize=(5, 4))
    for k in range(traces.shape[1]):
        ax.plot(traces[:, k].real, traces[:, k].imag, ".-", ms=3, label=f"eigenvalue {k + 1}")
    marked = np.asarray(marked)
    ax.plot(marked.real, marked.imag, "r*", ms=10, label=marked_label)
    ax.axhline(0, color="0.7", lw=0.8)
    ax.axvline(0, color="0.7", lw=0.8)
    ax.set(xlabel="real part", ylabel="imaginary part")
    ax.set_title(title, fontsize=8)
    ax.legend(fontsize=7)
    return _save(fig, path)


def scatter_grid_png(path, panels, *, columns, title=""):
    """Sample scatters side by side (Kodali et al. 2017, figure 8; Li et al. 2019, figure 4):
    `panels` is a list of (label, fake [n, 2], real [m, 2] or None, centres [k, 2] or None), drawn
    row by row with `columns` panels a row, on shared axis limits per row."""
    rows = int(np.ceil(len(panels) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(2.2 * columns, 2.3 * rows), squeeze=False)
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    for k, (label, fake, real, centres) in enumerate(panels):
        ax = axes.ravel()[k]
        row = panels[(k // columns) * columns:(k // columns + 1) * columns]
        (x0, x1), (y0, y1) = _limits(*[p[2] if p[2] is not None else p[1] for p in row],
                                     margin=0.3)
        fake = np.asarray(fake)
        ax.scatter(*fake[:, :2].T, s=3, c=FAKE_COLOUR, alpha=0.35, label="generated",
                   zorder=2)
        if real is not None:  # over the samples
            ax.scatter(*np.asarray(real)[:, :2].T, s=1, c=DATA_COLOUR, alpha=0.6,
                       label="data", zorder=3)
        if centres is not None:
            ax.scatter(*np.asarray(centres)[:, :2].T, s=12, c="k", marker="x", lw=0.8,
                       label="centres", zorder=4)
        ax.set(xlim=(x0, x1), ylim=(y0, y1), xticks=[], yticks=[])
        ax.set_aspect("equal")
        ax.set_title(label, fontsize=7)
    _figure_legend(fig, axes.ravel()[:len(panels)])
    if title:
        fig.suptitle(title, fontsize=9)
    return _save(fig, path)


def _figure_legend(fig, axes):
    """One legend for panels drawn alike: the labelled layers of the first panel holding each,
    below the panels."""
    handles = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    if handles:
        fig.legend(list(handles.values()), list(handles), loc="lower center",
                   ncol=len(handles), fontsize=7, markerscale=3, frameon=False,
                   bbox_to_anchor=(0.5, -0.02))


def grid_points(limits, grid):
    """(xx, yy, points): a `grid` x `grid` mesh over the square `limits` = (low, high) and its
    points as a float32 [grid * grid, 2] array, for `value_surfaces_png`."""
    t = np.linspace(limits[0], limits[1], grid)
    xx, yy = np.meshgrid(t, t)
    return xx, yy, np.stack([xx.ravel(), yy.ravel()], 1).astype(np.float32)


def value_surfaces_png(path, panels, real, *, limits, title=""):
    """Discriminator value surfaces side by side (Li et al. 2019, figure 2; Kodali et al. 2017,
    figure 8): `panels` is a list of (label, values [grid, grid] on `grid_points(limits, grid)`,
    fake points [n, 2] or None), each on its own colour scale, with the real points (green) and that
    panel's fake points (black), the real ones drawn over the fake ones."""
    real = np.asarray(real)
    fig, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels), 2.5), squeeze=False)
    for ax, (label, values, fake) in zip(axes[0], panels):
        values = np.asarray(values, np.float64)
        xx, yy, _ = grid_points(limits, values.shape[0])
        cs = ax.contourf(xx, yy, values, levels=15, cmap="coolwarm")
        fig.colorbar(cs, ax=ax, shrink=0.75).ax.tick_params(labelsize=6)
        if fake is not None:
            ax.scatter(*np.asarray(fake)[:, :2].T, s=2, c=SURFACE_FAKE, alpha=0.6,
                       label="generated", zorder=2)
        ax.scatter(*real[:, :2].T, s=4, c=SURFACE_DATA, edgecolors="white", linewidths=0.2,
                   label="data", zorder=3)
        ax.set(xlim=limits, ylim=limits, xticks=[], yticks=[])
        ax.set_aspect("equal")
        ax.set_title(label, fontsize=7)
    _figure_legend(fig, axes[0])
    if title:
        fig.suptitle(title, fontsize=9)
    return _save(fig, path)


def density_scatter_grid_png(path, panels, *, row_labels, column_labels, centres=None,
                             title="", limits=None, max_points=2000):
    """Roth et al. 2017, figure 1 style: `panels[r][c]` is an [n, 2] sample (a run's samples
    projected to 2-D) drawn as points coloured by their density under a Gaussian KDE fitted to them
    (Scott's rule), rows labelled by `row_labels`, columns by `column_labels`, the mixture's
    `centres` [k, 2] marked, on shared `limits` ((lo, hi) for both axes; from every panel when
    None). At most `max_points` points a panel are drawn (the first ones)."""
    rows, columns = len(row_labels), len(column_labels)
    if len(panels) != rows or any(len(row) != columns for row in panels):
        raise ValueError(f"panels must be {rows} rows of {columns} [n, 2] arrays.")
    panels = [[np.asarray(p, np.float64)[:max_points] for p in row] for row in panels]
    if limits is None:
        (x0, x1), (y0, y1) = _limits(*[p for row in panels for p in row if len(p)],
                                     margin=0.1)
        limits = (min(x0, y0), max(x1, y1))
    fig, axes = plt.subplots(rows, columns, figsize=(1.6 * columns + 0.6, 1.6 * rows),
                             squeeze=False)
    for r, row in enumerate(panels):
        for c, points in enumerate(row):
            ax = axes[r, c]
            points = points[np.all(np.isfinite(points), axis=1)]
            if len(points):
                try:
                    density = stats.gaussian_kde(points.T)(points.T)
                except (np.linalg.LinAlgError, ValueError):  # a collapsed sample
                    density = np.ones(len(points))
                order = np.argsort(density)  # densest points drawn last, on top
                ax.scatter(*points[order].T, c=density[order], s=1, cmap="viridis")
            if centres is not None:
                ax.scatter(*np.asarray(centres)[:, :2].T, s=10, c="r", marker="x", lw=0.6)
            ax.set(xlim=limits, ylim=limits, xticks=[], yticks=[])
            ax.set_aspect("equal")
            if r == 0:
                ax.set_title(column_labels[c], fontsize=7)
            if c == 0:
                ax.set_ylabel(row_labels[r], fontsize=7)
    if title:
        fig.suptitle(title, fontsize=8)
    return _save(fig, path)


def labelled_image_grids_png(path, grids, *, columns=8, title=""):
    """Image grids side by side, each under its label (Roth et al. 2017, figure 4 style): `grids` is
    a list of (label, [n, h, w, c] images in [-1, 1]), each tiled `columns` images a row."""
    fig, axes = plt.subplots(1, len(grids), figsize=(2.4 * len(grids), 2.6), squeeze=False)
    for ax, (label, images) in zip(axes[0], grids):
        grid = image_grid(images, columns=columns, gap=1)  # tiles apart
        ax.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid,
                  cmap="gray" if grid.shape[-1] == 1 else None, vmin=0, vmax=255,
                  interpolation="nearest")
        ax.set(xticks=[], yticks=[])
        ax.set_title(label, fontsize=8)
    if title:
        fig.suptitle(title, fontsize=8)
    return _save(fig, path)
