"""Running a trained model with numpy alone, so that tracing never has to import torch.

:class:`Model` mirrors :class:`strokebot.model.GestureModel` layer by layer (tested to agree within
1e-5) and is what :func:`strokebot.load_model` returns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from strokebot.errors import ModelError
from strokebot.model.checkpoint import DEFAULT_MODEL, FAST_MODEL, ModelFile, read_model
from strokebot.model.strokes import StrokeModel
from strokebot.paths import readable_file, real

__all__ = ["Model", "GestureArrays", "load_model", "DEFAULT_MODEL", "FAST_MODEL"]


@dataclass
class GestureArrays:
    """A batch of gestures as numpy arrays, in pixels of the model's frame."""

    start: np.ndarray  # (B, 2)
    velocity: np.ndarray  # (B, T, 2)
    pressure: np.ndarray  # (B, T)
    intensity: np.ndarray  # (B, T)

    def positions(self) -> np.ndarray:
        """(B, T + 1, 2): the start, then the position after each step."""
        path = self.start[:, None] + np.cumsum(self.velocity, axis=1)  # (B, T, 2)
        return np.concatenate([self.start[:, None], path], axis=1)  # (B, T+1, 2)

    def codes(self) -> np.ndarray:
        """(B, 3T) stroke codes (velocities, intensities), as :func:`strokebot.model.stroke_codes`."""
        return np.concatenate([self.velocity.reshape(len(self.velocity), -1), self.intensity], axis=1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _silu(x: np.ndarray) -> np.ndarray:
    return x * _sigmoid(x)


def _silu_inplace(x: np.ndarray) -> None:
    gate = np.multiply(x, 0.5)
    np.tanh(gate, out=gate)
    gate += 1.0
    gate *= 0.5  # sigmoid(x) = (1 + tanh(x / 2)) / 2
    x *= gate


def _conv3x3_stride2(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """(B, C, H, W) -> (B, K, H/2, W/2): 3×3 convolution, stride 2, zero padding 1."""
    batch, channels, height, width = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out_h, out_w = (height + 1) // 2, (width + 1) // 2
    patches = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(2, 3))[:, :, ::2, ::2]  # (B, C, oh, ow, 3, 3)
    patches = patches[:, :, :out_h, :out_w].transpose(0, 2, 3, 1, 4, 5).reshape(batch * out_h * out_w, -1)
    out = patches @ weight.reshape(len(weight), -1).T + bias  # (B*oh*ow, K)
    return out.reshape(batch, out_h, out_w, -1).transpose(0, 3, 1, 2)


class Model:
    """A trained one-shot velocity encoder (a gesture model), run with numpy.

    >>> import strokebot, numpy as np
    >>> model = strokebot.load_model()
    >>> gestures = model.gestures(np.zeros((2, model.size, model.size), np.float32))
    >>> gestures.velocity.shape == (2, model.steps, 2)
    True
    """

    kind = "gesture"

    def __init__(self, source: ModelFile) -> None:
        self.file = source
        self.config: dict[str, Any] = source.config
        self.metrics = source.metrics
        self.size = int(self.config["size"])
        self.steps = int(self.config["steps"])
        self.step_size = float(self.config["step_size"])
        self.pen_width = float(self.config["pen_width"])
        self.start = None if self.config.get("start") is None else tuple(self.config["start"])
        w = source.weights
        self._convs = [
            (w[f"convs.{2 * i}.weight"], w[f"convs.{2 * i}.bias"]) for i in range(len(self.config.get("channels", ())))
        ] if self.config.get("encoder") == "cnn" else []
        self._blocks = [
            (w[f"blocks.{i}.linear.weight"].T.copy(), w[f"blocks.{i}.linear.bias"], w[f"blocks.{i}.norm.weight"], w[f"blocks.{i}.norm.bias"])
            for i in range(len(self.config["hidden"]))
        ]
        self._head = (w["head.weight"].T.copy(), w["head.bias"])

    @property
    def name(self) -> str:
        return self.file.name

    def __repr__(self) -> str:
        return f"Model({self.name!r}, {self.config.get('encoder')}, {self.steps} steps, {self.size}px)"

    def encode(self, images: np.ndarray) -> np.ndarray:
        """Raw encoder outputs (B, outputs) for images (B, size, size) of ink in 0..1."""
        images = np.asarray(images, dtype=np.float32)
        if images.ndim != 3 or images.shape[1:] != (self.size, self.size):
            raise ModelError(f"model expects images of shape (B, {self.size}, {self.size}), got {images.shape}")
        x = images[:, None]  # (B, 1, S, S)
        for weight, bias in self._convs:
            x = _silu(_conv3x3_stride2(x, weight, bias))  # (B, C, S/2, S/2)
        x = x.reshape(len(images), -1)  # (B, F)
        for weight, bias, gain, shift in self._blocks:
            x = x @ weight  # (B, hidden); each step below works in place: no temporaries of this size
            x += bias
            mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)  # (B, 1) layer norm
            x -= mean
            x /= np.sqrt(var + 1e-5)
            x *= gain
            x += shift
            _silu_inplace(x)
        weight, bias = self._head
        x = x @ weight  # (B, outputs)
        x += bias
        return x

    def gestures(self, images: np.ndarray) -> GestureArrays:
        """Pen gestures for images (B, size, size) of ink in 0..1."""
        raw = self.encode(images)
        batch, steps = len(raw), self.steps
        per_step = raw[:, : 4 * steps].reshape(batch, steps, 4)  # (B, T, 4)
        velocity = np.tanh(per_step[..., :2]) * self.step_size
        pressure = _sigmoid(per_step[..., 2])
        intensity = _sigmoid(per_step[..., 3])
        if self.start is None:
            start = _sigmoid(raw[:, 4 * steps :]) * self.size
        else:
            start = np.broadcast_to(np.asarray(self.start, np.float32) * self.size, (batch, 2)).copy()
        return GestureArrays(start, velocity, pressure, intensity)

    def to_torch(self):  # -> strokebot.model.GestureModel
        """The same model as a torch module (imports torch)."""
        import torch

        from strokebot.model import GestureModel, ModelConfig

        module = GestureModel(ModelConfig.from_dict(self.config))
        module.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in self.file.weights.items()})
        return module.eval()


_cache: dict[Path, tuple[float, Model | StrokeModel]] = {}


def load_model(path: str | Path | None = None) -> Model | StrokeModel:
    """Load a model file, or the bundled default model when ``path`` is None.

    A stroke model file gives a :class:`~strokebot.model.strokes.StrokeModel`, a one-shot gesture
    model file a :class:`Model`. Models are cached per path and reloaded when the file changes.

    Raises:
        ModelError: the file is missing, damaged or not a strokebot model.
    """
    path = Path(path) if path is not None else DEFAULT_MODEL
    if not os.path.lexists(path):
        raise ModelError(f"{path}: model file not found")
    key, stamp = real(path), readable_file(path, what="model file", error=ModelError).st_mtime
    cached = _cache.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    source = read_model(path)
    model: Model | StrokeModel = StrokeModel(source) if source.config.get("kind") == "strokes" else Model(source)
    _cache[key] = (stamp, model)
    return model
