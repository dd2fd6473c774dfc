"""Model files: self-describing ``.npz`` archives, loaded without unpickling anything.

A model file holds ``format`` (``"strokebot.model"``), ``version``, the model ``config`` and its
training ``metrics`` as JSON strings, and one float32 array per weight under ``weight/<name>``.
numpy only: the numpy runner loads it without torch, and ``allow_pickle=False`` means a file can
carry arrays but never code.
"""

from __future__ import annotations

import itertools
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from strokebot.errors import ModelError

__all__ = ["FORMAT", "VERSION", "ModelFile", "read_model", "write_model", "expected_shapes", "DEFAULT_MODEL", "FAST_MODEL"]

FORMAT = "strokebot.model"
VERSION = 1
WEIGHT_PREFIX = "weight/"
#: The bundled stroke model (``strokebot-default 2.8``): what tracing uses unless told otherwise.
DEFAULT_MODEL = Path(__file__).parents[1] / "models" / "default.npz"
#: The bundled one-shot gesture model (``strokebot-fast 5``, taught by the stroke model): the fast
#: path (``--fast``), and framed glyph arrays in bulk (:func:`strokebot.tracing.student_of`).
FAST_MODEL = Path(__file__).parents[1] / "models" / "fast.npz"
#: Largest a model file may unpack to: a zip bomb named .npz is refused before numpy inflates it.
MAX_MODEL_BYTES = 2_000_000_000


@dataclass
class ModelFile:
    """The parsed contents of a model file."""

    config: dict[str, Any]
    weights: dict[str, np.ndarray]
    metrics: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def name(self) -> str:
        version = self.metrics.get("model_version")
        base = str(self.config.get("name", "strokebot"))
        return f"{base} {version}" if version else base


def expected_shapes(config: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """The weight names and shapes a model of ``config`` has.

    A ``"strokes"`` model (``config["kind"]``) is a stroke model (:mod:`strokebot.model.strokes`); any
    other is a one-shot gesture model (:class:`~strokebot.model.GestureModel`).
    """
    if config.get("kind") == "strokes":
        from strokebot.model.strokes import expected_shapes as stroke_shapes

        return stroke_shapes(config)
    size, steps = int(config["size"]), int(config["steps"])
    outputs = 4 * steps + (2 if config.get("start") is None else 0)
    shapes: dict[str, tuple[int, ...]] = {}
    channels, side = 1, size
    if config.get("encoder", "mlp") == "cnn":
        for i, width in enumerate(config["channels"]):
            shapes[f"convs.{2 * i}.weight"] = (width, channels, 3, 3)
            shapes[f"convs.{2 * i}.bias"] = (width,)
            channels, side = width, side // 2
    widths = [channels * side * side, *config["hidden"]]
    for i, (a, b) in enumerate(itertools.pairwise(widths)):
        shapes[f"blocks.{i}.linear.weight"] = (b, a)
        shapes[f"blocks.{i}.linear.bias"] = (b,)
        shapes[f"blocks.{i}.norm.weight"] = (b,)
        shapes[f"blocks.{i}.norm.bias"] = (b,)
    shapes["head.weight"] = (outputs, widths[-1])
    shapes["head.bias"] = (outputs,)
    return shapes


def write_model(
    path: str | Path, config: dict[str, Any], weights: dict[str, np.ndarray], metrics: dict[str, Any] | None = None
) -> None:
    """Write a model file atomically (a temporary file in the same folder, renamed into place)."""
    from strokebot.output import atomic_writer

    arrays = {
        "format": np.array(FORMAT),
        "version": np.array(VERSION),
        "config": np.array(json.dumps(config, sort_keys=True)),
        "metrics": np.array(json.dumps(metrics or {}, sort_keys=True)),
    }
    arrays.update({WEIGHT_PREFIX + k: np.asarray(v, dtype=np.float32) for k, v in weights.items()})
    with atomic_writer(path) as handle:
        np.savez(handle, **arrays)  # stored, not deflated: float weights barely compress, inflating costs 25 ms a trace


def read_model(path: str | Path) -> ModelFile:
    """Read and validate a model file.

    Raises:
        ModelError: the file is missing, not a strokebot model, of another version, damaged, has
            weights of the wrong names or shapes, or weights that are not finite.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: model file not found")
    with open(path, "rb") as handle:
        if handle.read(4) != b"PK\x03\x04":  # a zip: np.load would take anything else for a pickle or .npy
            raise ModelError(f"{path}: not a strokebot model file (not an .npz archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise ModelError(f"{path}: not a strokebot model file or damaged ({error})") from None
    if unpacked > MAX_MODEL_BYTES:
        raise ModelError(f"{path}: model file unpacks to {unpacked / 1e6:,.0f} MB, over the {MAX_MODEL_BYTES / 1e6:,.0f} MB a model may have")
    try:
        with np.load(path, allow_pickle=False) as archive:
            content = {key: archive[key] for key in archive.files}
    except ValueError as error:
        if "pickle" in str(error).lower():
            raise ModelError(f"{path}: model file holds pickled objects; refusing to load it") from None
        raise ModelError(f"{path}: not a strokebot model file ({error})") from None
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise ModelError(f"{path}: not a strokebot model file or damaged ({error})") from None

    def text(key: str) -> str:
        if key not in content or content[key].dtype.kind != "U":
            raise ModelError(f"{path}: not a strokebot model file (no {key!r} entry)")
        return str(content[key])

    if text("format") != FORMAT:
        raise ModelError(f"{path}: not a strokebot model file (format {text('format')!r})")
    version = content.get("version")
    if version is None or version.shape != () or int(version) != VERSION:
        raise ModelError(f"{path}: model file version {version} is not supported (this strokebot reads {VERSION})")
    try:
        config, metrics = json.loads(text("config")), json.loads(text("metrics"))
        expected = expected_shapes(config)
    except (ValueError, KeyError, TypeError) as error:
        raise ModelError(f"{path}: model config is damaged ({error})") from None
    weights = {k[len(WEIGHT_PREFIX) :]: v for k, v in content.items() if k.startswith(WEIGHT_PREFIX)}
    missing, extra = set(expected) - set(weights), set(weights) - set(expected)
    if missing or extra:
        detail = ", ".join(sorted(missing)[:3]) or ", ".join(sorted(extra)[:3])
        raise ModelError(f"{path}: model weights do not match its config ({'missing' if missing else 'unexpected'}: {detail})")
    for name, shape in expected.items():
        array = weights[name]
        if array.shape != shape:
            raise ModelError(f"{path}: weight {name} has shape {array.shape}, expected {shape}")
        if array.dtype.kind != "f" or not np.isfinite(array).all():
            raise ModelError(f"{path}: weight {name} holds NaN, infinity or non-float values")
    return ModelFile(config=config, weights=weights, metrics=metrics, path=path)
