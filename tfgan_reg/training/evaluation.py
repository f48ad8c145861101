"""Evaluation of a run while and after it trains: toy metrics and pictures, sample pictures,
and `PeriodicEval` (scores every `eval.every` steps to TensorBoard and `eval.csv`, and the best
checkpoint by `eval.best_metric`)."""
import csv
import json
import os

import numpy as np
import tensorflow as tf

from tfgan_reg import data as data_lib
from tfgan_reg import runs
from tfgan_reg.data import toy
from tfgan_reg.eval import classifier as classifier_lib
from tfgan_reg.eval import lowdim
from tfgan_reg.eval import plots
from tfgan_reg.eval import scores

EVAL_CSV = "eval.csv"


def toy_source(config):
    """The low-dimensional set of `config` (a mixture family with its `data.<family>` keys)."""
    return toy.get(config.data.name, **data_lib.family_params(config.data))


def picture_title(config, workdir, step):
    """The title of a run's pictures: which run (the workdir's name), its data and penalty,
    and the step, so a picture copied out of its folder still says what it shows."""
    return (f"{os.path.basename(os.path.normpath(workdir))}: {config.data.name}, "
            f"{config.penalty.name}, step {step}")


def evaluate(config, model, workdir=None, *, tag="final"):
    """Low-dimensional metrics of the current generator; writes its pictures to `workdir`."""
    n, seed = config.eval.num_samples, config.eval.seed
    if data_lib.is_image(config.data.name):
        # Image scores (IS/FID/KID) are `PeriodicEval`'s and the scores tool's; here, a grid.
        metrics = {}
        if workdir is not None:
            metrics["picture"] = plots.image_grid_png(
                os.path.join(workdir, f"samples_{tag}.png"), runs.generate(model, 64, seed),
                title=picture_title(config, workdir, model.step))
        return metrics
    fake = runs.generate(model, n, seed)
    source = toy_source(config)
    real = np.asarray(source.sample(n, seed + 1))
    centres = getattr(source, "centres", None)
    std = getattr(source, "std", None)
    metrics = lowdim.summary(fake, real, centres=centres, std=std,
                             num_std=config.eval.hq_num_std,
                             min_fraction=config.eval.mode_min_fraction)
    metrics = {k: v for k, v in metrics.items() if k != "counts"}
    if workdir is not None:
        title = picture_title(config, workdir, model.step)
        metrics["picture"] = plots.scatter_png(
            os.path.join(workdir, f"samples_{tag}.png"), fake, real, title=title,
            centres=centres)
        if fake.shape[1] == 2:
            metrics["kde"] = plots.kde_png(os.path.join(workdir, f"kde_{tag}.png"), fake,
                                           title=title)
            # D(x) = sigmoid(logit) over the plane with the data and the samples.
            d = model.discriminator
            metrics["value_surface"] = plots.value_surface_png(
                os.path.join(workdir, f"value_{tag}.png"),
                lambda p: np.asarray(tf.sigmoid(tf.cast(d(p, training=False),
                                                        tf.float32)))[:, 0],
                real[:500], fake[:500], title=title)
    return metrics


def toy_metrics(metrics):
    """The scalar toy metrics of `evaluate`'s output ({} for images)."""
    return {k: float(metrics[k]) for k in lowdim.METRICS if k in metrics}


def summary_line(config, step, metrics):
    parts = [f"{config.data.name} / {config.loss} / penalty {config.penalty.name}",
             f"step {step}"]
    if "modes" in metrics:
        parts.append(f"modes covered {metrics['modes']}/{metrics['num_modes']}")
        parts.append(f"high-quality {100 * metrics['hq_fraction']:.1f}%")
        if "reverse_kl" in metrics:
            parts.append(f"reverse KL {metrics['reverse_kl']:.3f}")
    if "w1" in metrics:
        parts.append(f"W1 {metrics['w1']:.4f} ({config.eval.num_samples} samples, exact OT)")
    return ", ".join(parts)


def sample_pictures(config, model, workdir, writer, step, n=64):
    """`samples/step_NNNNNNN.png` from fixed latents, titled (`picture_title`): an enlarged
    image grid, or a scatter of low-dimensional samples under the data; for images the grid
    at native size in TensorBoard (`samples`), which zooms by itself."""
    path = os.path.join(workdir, "samples", f"step_{step:07d}.png")
    image = data_lib.is_image(config.data.name)
    fake = runs.generate(model, n if image else 1000, config.eval.seed)
    title = picture_title(config, workdir, step)
    if not image:
        source = toy_source(config)
        real = np.asarray(source.sample(len(fake), config.eval.seed + 1))
        return plots.scatter_png(path, fake, real, title=title,
                                 centres=getattr(source, "centres", None))
    with writer.as_default(step=step):
        tf.summary.image("samples", plots.image_grid(fake)[None], step=step)
    return plots.image_grid_png(path, fake, title=title)


def read_eval_csv(workdir):
    """The rows of `workdir/eval.csv` as dicts of numbers (step an int), in step order."""
    with open(os.path.join(workdir, EVAL_CSV), newline="") as f:
        return [{k: int(v) if k == "step" else float(v) for k, v in row.items()}
                for row in csv.DictReader(f)]


class PeriodicEval:
    """Every `eval.every` steps: the configured metrics to TensorBoard (`eval/*`) and
    `eval.csv`, and the best checkpoint by `eval.best_metric` kept in `best/`.

    On resume, rows of `eval.csv` after the restored step (written before an interruption) are
    dropped, so every step appears once.
    """

    def __init__(self, config, model, workdir, writer, step):
        self.config, self.model, self.workdir, self.writer = config, model, workdir, writer
        self.csv = os.path.join(workdir, EVAL_CSV)
        self.best_path = os.path.join(workdir, "best", "best.json")
        metric = config.eval.best_metric
        image = data_lib.is_image(config.data.name)
        self.larger_is_better = (scores.METRICS if image else lowdim.METRICS).get(metric)
        self.best_manager = None
        if metric:
            self.best_manager = tf.train.CheckpointManager(
                runs.make_checkpoint(model, optimizers=False), os.path.join(workdir, "best"),
                max_to_keep=1)
        self._classifier = self._real_pool = None
        self._columns = None  # a resumed run keeps its eval.csv's columns, even if metrics
        # were added since it started
        if os.path.exists(self.csv):
            with open(self.csv, newline="") as f:
                rows = list(csv.reader(f))
            self._write(rows[:1] + [r for r in rows[1:] if int(r[0]) <= step], "w")
            self._columns = rows[0][1:] if rows else None

    def _write(self, rows, mode):
        with open(self.csv, mode, newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)

    def metrics(self):
        config = self.config
        if not data_lib.is_image(config.data.name):
            return toy_metrics(evaluate(config, self.model, None))
        if not config.eval.classifier:
            return {}
        if self._classifier is None:
            self._classifier = classifier_lib.resolve(
                config.eval.classifier, data_name=config.data.name,
                data_dir=config.data.data_dir)
        if self._real_pool is None:  # the real side does not change during a run
            self._real_pool = classifier_lib.real_activations(
                self._classifier, config.data.name, data_dir=config.data.data_dir,
                num_samples=config.eval.num_samples, seed=config.eval.seed,
                cache_dir=os.path.join(self.workdir, "cache"))
        fake = runs.generate_batches(self.model, config.eval.num_samples, config.eval.seed,
                                     batch_size=250)
        out = scores.image_scores(self._classifier, fake, self._real_pool,
                                  num_samples=config.eval.num_samples)
        return {k: out[k] for k in scores.METRICS}

    def __call__(self, step):
        values = self.metrics()
        if not values:
            return
        keys = self._columns or sorted(values)
        rows = [[str(step)] + [f"{values.get(k, float('nan')):.6g}" for k in keys]]
        if not os.path.exists(self.csv):
            rows.insert(0, ["step"] + keys)
        self._write(rows, "a")
        with self.writer.as_default(step=step):
            for k in keys:
                tf.summary.scalar(f"eval/{k}", values[k])
        metric = self.config.eval.best_metric
        if self.best_manager is None or metric not in values:
            return
        best = None
        if os.path.exists(self.best_path):
            with open(self.best_path) as f:
                best = json.load(f)
        value = values[metric]
        better = best is None or (value > best["value"] if self.larger_is_better
                                  else value < best["value"])
        if better:
            self.best_manager.save(checkpoint_number=step)
            tmp = self.best_path + ".tmp"
            with open(tmp, "w") as f:
                json.dump({"metric": metric, "value": value, "step": step}, f)
            os.replace(tmp, self.best_path)
