"""``strokebot train`` and ``strokebot evaluate`` (both import torch, only when run)."""

from __future__ import annotations

import json
import os
import time

import click

from strokebot.cli.types import DATA_SPEC, DEVICE, PATH, TEXT, Count, Number
from strokebot.errors import UsageError

TRAIN_EPILOG = """\b
Examples:
  strokebot train --data ../shared/data/mnist --data hershey:20000 --out model.npz   # the default model
  strokebot train --data ../shared/data/mnist --epochs 1 --limit 2000 --out quick.npz --snapshots snaps/
  strokebot train ... --out model.npz --resume          # go on from model.npz.checkpoint.pt
  torchrun --nproc-per-node 2 -m strokebot train ...    # data-parallel over processes or GPUs
  strokebot train --data ../shared/data/mnist --start 0.15,0.5 --end 0.85,0.5 --path-weight 0 --out chain.npz

\b
Data (repeatable --data):
  DIR with MNIST IDX files    the training split
  hershey[:COUNT[:FONTS]]     synthetic Hershey glyphs with true strokes (default 20000; FONTS
                              e.g. latin,greek,japanese,script)
  DIR of images               each image one glyph, normalised as tracing does
"""


def _point(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[float, float] | None:
    """``X,Y`` as fractions of the frame, each in 0..1."""
    if value is None:
        return None
    try:
        x, y = (float(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not X,Y (fractions of the frame, e.g. 0.85,0.5)") from None
    if not (0 <= x <= 1 and 0 <= y <= 1):
        raise click.BadParameter(f"{value!r}: X and Y are fractions of the frame, each in 0..1")
    return (x, y)


@click.command(epilog=TRAIN_EPILOG)
@click.option("--data", "data_specs", multiple=True, required=True, metavar="SPEC", type=DATA_SPEC, help="Training data (repeatable).")
@click.option("--out", type=PATH, required=True, help="Model file to write (.npz).")
@click.option("--epochs", type=Count(1), default=14, show_default=True)
@click.option("--batch-size", type=Count(1), default=128, show_default=True)
@click.option("--lr", type=Number(positive=True, maximum=1.0), default=2e-3, show_default=True, help="Peak learning rate (one-cycle schedule).")
@click.option("--seed", type=Count(0, 2**32 - 1), default=0, show_default=True, help="Seed: the same seed gives the same model.")
@click.option("--steps", type=Count(2), default=None, help="Pen moves per gesture.")
@click.option("--encoder", type=click.Choice(["mlp", "cnn"]), default=None, help="Encoder kind.")
@click.option("--pen-lifts", type=Number(), default=None, help="Weight of the pen-lift penalty.")
@click.option("--path-weight", type=Number(), default=None, help="Weight of the true-path term (Hershey glyphs).")
@click.option("--start", "start_point", callback=_point, metavar="X,Y",
              help="Fix where every gesture starts, as fractions of the frame (default: predicted per glyph).")
@click.option("--end", "end_point", callback=_point, metavar="X,Y",
              help="Train every gesture to end here, as fractions of the frame (default: a free end).")
@click.option("--end-weight", type=Number(), default=None, help="Weight of the end-point term [default: 1].")
@click.option("--limit", type=Count(1), help="Use only this many training glyphs (quick runs).")
@click.option("--resume", is_flag=True, help="Continue from the checkpoint beside --out.")
@click.option("--snapshots", type=PATH, help="Save a picture of reconstructions per epoch here.")
@click.option("--device", type=DEVICE, default="auto", show_default=True, help="cpu, cuda, cuda:1, or auto.")
@click.option("--threads", type=Count(1), help="CPU threads (default: all cores).")
@click.option("--name", type=TEXT, default="strokebot", show_default=True, help="Model name recorded in traced drawings.")
@click.option("--model-version", type=TEXT, default="dev", show_default=True, help="Version recorded in the model file.")
def train(data_specs, out, epochs, batch_size, lr, seed, steps, encoder, pen_lifts, path_weight, start_point, end_point,
          end_weight, limit, resume, snapshots, device, threads, name, model_version) -> None:
    """Train a velocity encoder and write it as a model file."""
    import dataclasses

    import torch

    from strokebot.model import ModelConfig
    from strokebot.train import TrainConfig, load_data
    from strokebot.train import train as run

    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: folder {out.parent} does not exist")
    from strokebot.output import check_writable

    check_writable(out)  # a device, a pipe, a loop, a name too long or a read-only folder: now, not after training
    if snapshots is not None and os.path.lexists(snapshots) and not os.path.isdir(snapshots):
        raise UsageError(f"--snapshots {snapshots}: not a folder (a picture per epoch goes into it)")
    _check_device(device)
    # The config defaults are the bundled model's recipe.
    model_config = dataclasses.replace(
        ModelConfig(), name=name,
        **{k: v for k, v in {"steps": steps, "encoder": encoder, "start": start_point, "end": end_point}.items() if v is not None},
    )
    train_config = dataclasses.replace(
        TrainConfig(), epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, device=device, threads=threads,
        **{k: v for k, v in {"pen_lifts": pen_lifts, "path": path_weight, "end": end_weight}.items() if v is not None},
    )
    started = time.time()
    click.echo(f"loading {', '.join(data_specs)} ...", err=True)
    data = load_data(data_specs, size=model_config.size, steps=model_config.steps, seed=seed)
    if limit is not None and limit < len(data):
        data = data.subset(torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))[:limit])
    click.echo(f"{len(data)} glyphs ({sum(data.has_path.tolist())} with true strokes) in {time.time() - started:.0f}s", err=True)
    if not len(data):
        raise UsageError(f"no glyphs to train on in --data {', '.join(data_specs)}")

    bar = _ProgressBar()
    result = run(model_config, train_config, data, out=out, resume=resume, snapshots=snapshots, progress=bar.update,
                 metadata={"model_version": model_version, "data": list(data_specs), "glyphs": len(data)})
    bar.close()
    last = result["history"][-1] if result["history"] else {}
    click.echo(f"wrote {out} (epoch {last.get('epoch')}, mse {last.get('mse', float('nan')):.4f}, "
               f"{time.time() - started:.0f}s)", err=True)


def _check_device(device: str) -> None:
    """Refuse a device this machine does not have, before any data is loaded."""
    import torch

    if device.startswith("cuda"):
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        index = int(device.partition(":")[2] or 0)
        if index >= count:
            have = f"{count} CUDA device{'s' if count != 1 else ''}" if count else "no CUDA device"
            raise UsageError(f"--device {device}: this machine has {have}; use --device cpu or auto")
    if device == "mps" and not torch.backends.mps.is_available():
        raise UsageError("--device mps: Apple's Metal is not available here; use --device cpu or auto")


class _ProgressBar:
    """One click progress bar per epoch (batch, loss, ETA), then a summary line for the log."""

    def __init__(self) -> None:
        self.bar = None
        self.last: dict | None = None
        self.mse_sum = 0.0

    def update(self, p: dict) -> None:
        if self.last is None or p["epoch"] != self.last["epoch"]:
            self.close()
            self.bar = click.progressbar(length=p["batches"], label=f"epoch {p['epoch']}/{p['epochs']}",
                                         show_eta=True, show_percent=True, file=click.get_text_stream("stderr"),
                                         item_show_func=lambda item: item)
            self.bar.__enter__()
        self.mse_sum = (self.mse_sum if self.last and p["epoch"] == self.last["epoch"] else 0.0) + p["mse"]
        self.last = p
        self.bar.update(1, f"loss {p['loss']:.4f} mse {p['mse']:.4f}")

    def close(self) -> None:
        if self.bar is None:
            return
        self.bar.__exit__(None, None, None)
        self.bar = None
        p = self.last
        click.echo(f"epoch {p['epoch']}/{p['epochs']}: mean mse {self.mse_sum / p['batch']:.4f}, "
                   f"{p['seconds']:.0f}s", err=True)


EVALUATE_EPILOG = """\b
Examples:
  strokebot evaluate --data ../shared/data/mnist
  strokebot evaluate --data ../shared/data/mnist --data omniglot --data hershey:500 --json
  strokebot evaluate --model my.npz --data omniglot:400 --refine 100
"""


@click.command(epilog=EVALUATE_EPILOG)
@click.option("--data", "data_specs", multiple=True, required=True, metavar="SPEC", type=DATA_SPEC,
              help="MNIST IDX folder (test split), hershey[:N], omniglot[:N] (repeatable).")
@click.option("--model", type=PATH, help="Model file (default: the bundled model).")
@click.option("--limit", type=Count(1), help="Evaluate at most this many glyphs per set.")
@click.option("--refine", type=Count(0), default=0, show_default=True, help="Refinement steps when tracing.")
@click.option("--json", "as_json", is_flag=True, help="Print all figures as JSON.")
def evaluate(data_specs, model, limit, refine, as_json) -> None:
    """Measure a model: pixel accuracy, clustering of stroke codes, pen paths against true ones."""
    from strokebot.evaluate import evaluate_specs
    from strokebot.inference import load_model

    loaded = load_model(model)
    results = evaluate_specs(loaded, data_specs, limit=limit, refine=refine)
    if as_json:
        click.echo(json.dumps({"model": loaded.name, "results": results}, indent=2))
        return
    click.echo(f"model: {loaded.name}")
    for spec, figures in results.items():
        click.echo(f"{spec}:")
        for key, value in figures.items():
            click.echo(f"  {key:24s} {value:.4f}" if isinstance(value, float) else f"  {key:24s} {value}")
