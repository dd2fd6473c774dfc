"""``strokebot train`` and ``strokebot evaluate`` (both import torch, only when run)."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import click

from strokebot.cli.types import DATA_SPEC, DEVICE, PATH, TEXT, Count, Number
from strokebot.errors import UsageError

TRAIN_EPILOG = """\b
Examples:
  strokebot train --data kanjivg --data omniglot:4800 --data shapes:400 --data words:300 \\
      --data letters:600 -j 2 --out model.npz           # the default stroke model (MODEL_CARD.md)
  strokebot train --kind strokes --data kanjivg:300 --data omniglot --epochs 3 --out quick.npz
  strokebot train --kind gesture --teacher strokebot/models/default.npz --data ../shared/data/mnist \\
      --data hershey:20000 --data omniglot -j 2 --out fast.npz  # the fast model, taught by the stroke model
  strokebot train --kind gesture --data ../shared/data/mnist --epochs 1 --limit 2000 --out quick.npz --snapshots snaps/
  strokebot train --kind gesture ... --out model.npz --resume    # go on from model.npz.checkpoint.pt
  torchrun --nproc-per-node 2 -m strokebot train --kind gesture ...   # data-parallel over processes or GPUs
  strokebot train --kind gesture --data ../shared/data/mnist --start 0.15,0.5 --end 0.85,0.5 --path-weight 0 --out chain.npz

\b
Data for --kind strokes (repeatable --data; glyphs with their true strokes):
{strokes_data}

\b
Data for --kind gesture (repeatable --data):
  DIR with MNIST IDX files    the training split
  hershey[:COUNT[:FONTS]]     synthetic Hershey glyphs with true strokes (default 20000; FONTS
                              e.g. latin,greek,japanese,script)
  omniglot[:COUNT]            people's glyphs of the Omniglot training split, with their pen paths
  DIR of images               each image one glyph, normalised as tracing does
With --teacher, every glyph's path is the teacher's drawing of it instead of its true strokes.
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


def _train_epilog() -> str:
    # The stroke model's data help lives beside its loader; formatting it here costs no torch import.
    from strokebot.model.data_help import DATA_HELP

    return TRAIN_EPILOG.replace("{strokes_data}", DATA_HELP)


@click.command(epilog=_train_epilog())
@click.option("--kind", type=click.Choice(["strokes", "gesture"]), default="strokes", show_default=True,
              help="A stroke model (the default model: a person's strokes, order and direction) or a one-shot gesture model (--fast).")
@click.option("--data", "data_specs", multiple=True, required=True, metavar="SPEC", type=DATA_SPEC, help="Training data (repeatable).")
@click.option("--out", type=PATH, required=True, help="Model file to write (.npz).")
@click.option("--epochs", type=Count(1), default=None, help="Passes over the data [strokes: 12 for the sequencer; gesture: 14].")
@click.option("--batch-size", type=Count(1), default=None, help="Glyphs per batch [gesture: 128].")
@click.option("--lr", type=Number(positive=True, maximum=1.0), default=None, help="Peak learning rate, one-cycle schedule [gesture: 0.002].")
@click.option("--seed", type=Count(0, 2**32 - 1), default=0, show_default=True, help="Seed: the same seed gives the same model.")
@click.option("--steps", type=Count(2), default=None, help="Pen moves per gesture.")
@click.option("--encoder", type=click.Choice(["mlp", "cnn"]), default=None, help="Encoder kind.")
@click.option("--pen-lifts", type=Number(), default=None, help="Weight of the pen-lift penalty.")
@click.option("--path-weight", type=Number(), default=None, help="Weight of the true-path term (Hershey glyphs).")
@click.option("--teacher", type=PATH, default=None,
              help="A stroke model whose drawings of the training glyphs a gesture model learns to follow (its order and direction), all through training.")
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
@click.option("-j", "--jobs", type=Count(0), default=1, show_default=True,
              help="Processes building a stroke model's training examples, or drawing a --teacher's paths (0: one per core).")
@click.option("--memory", type=Count(0, 1024), default=None, help="GRU state size of a stroke model's sequencer (0: none) [default: 32].")
@click.option("--sequencers", type=Count(1, 16), default=None,
              help="Sequencers a stroke model trains (seeds SEED, SEED+1, ...) and traces with together [default: 3].")
@click.option("--order-context", type=click.Choice(["place", "none"]), default=None,
              help="What a stroke model's sequencer sees of the other candidates of a step: attention by where they lie, or nothing "
                   "(each scored on its own, as models before strokebot-default 2.8) [default: place].")
def train(kind, data_specs, out, epochs, batch_size, lr, seed, steps, encoder, pen_lifts, path_weight, teacher, start_point, end_point,
          end_weight, limit, resume, snapshots, device, threads, name, model_version, jobs, memory, sequencers, order_context) -> None:
    """Train a model and write it as a model file.

    A stroke model (the default kind) learns from glyphs with their true strokes which skeleton
    branches a pen draws in one go, and in which order and direction a person draws the strokes.
    A gesture model is the one-shot velocity encoder of the fast path.
    """
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: folder {out.parent} does not exist")
    from strokebot.output import check_writable

    check_writable(out)  # a device, a pipe, a loop, a name too long or a read-only folder: now, not after training
    if kind == "strokes":
        gesture_only = {"--steps": steps, "--encoder": encoder, "--pen-lifts": pen_lifts, "--path-weight": path_weight, "--teacher": teacher,
                        "--start": start_point, "--end": end_point, "--end-weight": end_weight, "--snapshots": snapshots,
                        "--resume": resume or None, "--limit": limit, "--lr": lr, "--batch-size": batch_size,
                        "--device": None if device == "auto" else device}  # fmt: skip
        given = [option for option, value in gesture_only.items() if value is not None]
        if given:
            raise UsageError(f"{', '.join(given)} appl{'ies' if len(given) == 1 else 'y'} to --kind gesture only")
        _train_strokes(data_specs, out, epochs, seed, threads, name, model_version, jobs, memory, sequencers, order_context)
        return
    for option, value in (("--memory", memory), ("--sequencers", sequencers), ("--order-context", order_context)):
        if value is not None:
            raise UsageError(f"{option} applies to --kind strokes only")
    _train_gesture(data_specs, out, epochs or 14, batch_size or 128, lr or 2e-3, seed, steps, encoder, pen_lifts, path_weight, teacher,
                   start_point, end_point, end_weight, limit, resume, snapshots, device, threads, name, model_version, jobs)


def _train_strokes(data_specs, out, epochs, seed, threads, name, model_version, jobs, memory, sequencers, order_context) -> None:
    import dataclasses

    import torch

    from strokebot.batch import default_jobs
    from strokebot.model.checkpoint import write_model
    from strokebot.model.learn import StrokeConfig, load_samples, train_strokes

    if all(spec.partition(":")[0] == "letters" for spec in data_specs):
        raise UsageError("--data letters teaches the sequencers only: train with other data beside it (kanjivg, omniglot, ...)")
    if threads:
        torch.set_num_threads(threads)
    started = time.time()

    def log(message: str) -> None:
        click.echo(f"[{time.time() - started:5.0f} s] {message}", err=True)

    samples = load_samples(data_specs, seed=seed, log=log)
    given = {key: value for key, value in (("memory", memory), ("sequencers", sequencers), ("order_context", order_context)) if value is not None}
    config = dataclasses.replace(StrokeConfig(), name=name, **given)
    model_config, weights = train_strokes(samples, config, order_epochs=epochs or 12, seed=seed,
                                          workers=jobs or default_jobs(), log=log)
    metrics = {"model_version": model_version, "data": list(data_specs), "glyphs": len(samples), "seconds": round(time.time() - started)}
    if any(spec.startswith(("kanjivg", "letters", "latin")) for spec in data_specs):  # letters are KanjiVG's too
        metrics["license"] = KANJIVG_LICENCE
    write_model(out, model_config, weights, metrics)
    log(f"wrote {out}")


#: The weight of the teacher's pen states (cross-entropy) when a gesture model has a --teacher.
TEACHER_PEN = 0.1

#: Weights trained on KanjiVG carry its licence; the model file says so.
KANJIVG_LICENCE = (
    "CC BY-SA 3.0: trained on KanjiVG (copyright Ulrich Apel and the KanjiVG contributors, "
    "https://kanjivg.tagaini.net), http://creativecommons.org/licenses/by-sa/3.0/"
)


def _train_gesture(data_specs, out, epochs, batch_size, lr, seed, steps, encoder, pen_lifts, path_weight, teacher, start_point,
                   end_point, end_weight, limit, resume, snapshots, device, threads, name, model_version, jobs) -> None:
    import dataclasses

    import torch

    from strokebot.batch import default_jobs
    from strokebot.model import ModelConfig
    from strokebot.model.inference import load_model
    from strokebot.model.train import TrainConfig, load_data
    from strokebot.model.train import train as run

    if snapshots is not None and os.path.lexists(snapshots) and not os.path.isdir(snapshots):
        raise UsageError(f"--snapshots {snapshots}: not a folder (a picture per epoch goes into it)")
    _check_device(device)
    teacher_model = None
    if teacher is not None:
        teacher_model = load_model(teacher)
        if getattr(teacher_model, "kind", "gesture") != "strokes":
            raise UsageError(f"--teacher {teacher}: not a stroke model (a gesture model has no strokes to teach)")
    # The config defaults are the bundled model's recipe.
    model_config = dataclasses.replace(
        ModelConfig(), name=name,
        **{k: v for k, v in {"steps": steps, "encoder": encoder, "start": start_point, "end": end_point}.items() if v is not None},
    )
    train_config = dataclasses.replace(
        TrainConfig(), epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, device=device, threads=threads,
        # A teacher's way of drawing is kept all through training, not eased off as true strokes are.
        **({"path_end": None, "path_pen": TEACHER_PEN} if teacher_model is not None else {}),
        **{k: v for k, v in {"pen_lifts": pen_lifts, "path": path_weight, "end": end_weight}.items() if v is not None},
    )
    started = time.time()
    click.echo(f"loading {', '.join(data_specs)}{f', drawn by {teacher_model.name}' if teacher_model else ''} ...", err=True)
    data = load_data(data_specs, size=model_config.size, steps=model_config.steps, seed=seed, teacher=teacher_model,
                     workers=jobs or default_jobs(), limit=limit)
    if limit is not None and limit < len(data):
        data = data.subset(torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))[:limit])
    paths = "the teacher's strokes" if teacher_model is not None else "true strokes"
    click.echo(f"{len(data)} glyphs ({sum(data.has_path.tolist())} with {paths}) in {time.time() - started:.0f}s", err=True)
    if not len(data):
        raise UsageError(f"no glyphs to train on in --data {', '.join(data_specs)}")

    bar = _ProgressBar()
    metadata = {"model_version": model_version, "data": list(data_specs), "glyphs": len(data)}
    if teacher_model is not None:
        metadata["teacher"] = teacher_model.name
        if "license" in teacher_model.metrics:  # taught by weights under a licence: its terms carry over
            metadata["license"] = teacher_model.metrics["license"]
    result = run(model_config, train_config, data, out=out, resume=resume, snapshots=snapshots, progress=bar.update, metadata=metadata)
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
  strokebot evaluate --data omniglot --data kanjivg:500     # a person's order and direction
  strokebot evaluate --data ../shared/data/mnist --data omniglot --data kanjivg --data words --data shapes --json
  strokebot evaluate --fast --data ../shared/data/mnist     # the one-shot model of --fast, the stroke model's student
  strokebot evaluate --model my.npz --data omniglot:400 --refine 100
  strokebot evaluate --model new.npz --against old.npz --data omniglot --data kanjivg   # which is better?
  strokebot evaluate --data omniglot --rows glyphs.jsonl   # every glyph's figures, for benchmarks/paired.py

\b
Sets with true strokes (NAME[:N], held-out splits, fixed seeds):
  omniglot     people's glyphs of the held-out quarter of the Omniglot characters (520)
  kanjivg      the held-out tenth of KanjiVG, 218 px with its 6-px pen (default 500)
  kanjivg-bold the same characters with a 12-px pen, strokes nearly touching (default 500)
  hershey      Hershey font glyphs, 28-256 px (default 500)
  words        words set in Hershey's script font, joined up (default 100)
  shapes       lines, circles, squares, spirals, zigzags, waves (default 70)
"""


@click.command(epilog=EVALUATE_EPILOG)
@click.option("--data", "data_specs", multiple=True, required=True, metavar="SPEC", type=DATA_SPEC,
              help="MNIST IDX folder (test split), or a set with true strokes, NAME[:N] (repeatable; see below).")
@click.option("--model", type=PATH, help="Model file (default: the bundled stroke model).")
@click.option("--fast", is_flag=True, help="Measure the bundled one-shot model of `strokebot trace --fast`.")
@click.option("--against", type=PATH, metavar="MODEL",
              help="Also measure this model on the same glyphs, and the differences with their 95 % intervals.")
@click.option("--limit", type=Count(1), help="Evaluate at most this many glyphs per set.")
@click.option("--refine", type=Count(0), default=0, show_default=True, help="Refinement steps when tracing.")
@click.option("--rows", "rows_path", type=PATH, metavar="FILE",
              help="Also write every glyph's figures, one JSON object a line (for benchmarks/paired.py).")
@click.option("--json", "as_json", is_flag=True, help="Print all figures as JSON.")
def evaluate(data_specs, model, fast, against, limit, refine, rows_path, as_json) -> None:
    """Measure a model: pixel accuracy, clustering of stroke codes, and pen paths against true ones
    (Chamfer distance, direction, order, stroke count, off-ink share, length ratio).

    Means over glyphs come with a 95 % interval from resampling the glyphs' characters (words,
    shapes): 20 people drawing one character are not 20 independent tries. With --against, a
    difference whose interval leaves out 0 is marked "clear"; the others are within what another
    set of characters could turn round.
    """
    from strokebot.evaluate import evaluate_specs
    from strokebot.model.inference import FAST_MODEL, load_model

    if fast and model is not None:
        raise UsageError("--fast and --model name two models; give one")
    loaded = load_model(FAST_MODEL if fast else model)
    other = load_model(against) if against is not None else None
    if rows_path is not None:
        from strokebot.output import check_writable

        check_writable(rows_path)  # a bad path now, not after the whole evaluation
    bars = _Bars()
    try:
        results = evaluate_specs(loaded, data_specs, limit=limit, refine=refine, progress=bars.start, against=other, rows=rows_path is not None)
    finally:
        bars.close()
    if rows_path is not None:
        from strokebot.evaluate import rows_jsonl
        from strokebot.output import write_bytes

        write_bytes(rows_path, rows_jsonl({spec: figures.pop("rows", []) for spec, figures in results.items()}))
    if as_json:
        named = {"model": loaded.name, **({"against": other.name} if other is not None else {})}
        click.echo(json.dumps({**named, "results": results}, indent=2))
        return
    click.echo(f"model: {loaded.name}" + (f" (against {other.name})" if other is not None else ""))
    for spec, figures in results.items():
        click.echo(f"{spec}:")
        theirs = figures.get("against", {})
        differences = figures.get("difference", {})
        for key, value in figures.items():
            if key in ("against", "difference") or key.endswith("_interval"):
                continue
            line = f"  {key:24s} {_figure(value)}"
            if f"{key}_interval" in figures:
                low, high = figures[f"{key}_interval"]
                line += f" [{low:.3f}, {high:.3f}]"
            if key in theirs:
                line = f"{line:52s} against {_figure(theirs[key])}"
            if key in differences:
                d = differences[key]
                low, high = d["interval"]
                line += f"  {d['difference']:+.4f} [{low:+.3f}, {high:+.3f}]{'  clear' if d['clear'] else ''}"
            click.echo(line)


def _figure(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


class _Bars:
    """One progress bar per glyph set being traced, on stderr (drawn on a terminal only)."""

    def __init__(self) -> None:
        self.bar = None

    def start(self, label: str, total: int):
        self.close()
        self.bar = click.progressbar(length=total, label=label, file=click.get_text_stream("stderr"), show_pos=True)
        self.bar.__enter__()
        return self.bar.update

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
