"""The velocity encoder: a glyph image in, a pen gesture out (torch).

An encoder reads a ``size`` × ``size`` glyph image (ink 1, paper 0) and predicts, per step, a
velocity (vx, vy), a pen pressure and an ink intensity, plus where the pen starts. Positions are the
running sum of the velocities from the start point. The differentiable renderer draws the gesture
back, so the whole model trains as an autoencoder.

Everything is in pixels of the model's frame: x right, y down, the image spans [0, size].
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn

from strokebot.model.render import render_markers, render_segments

__all__ = ["ModelConfig", "Gesture", "GestureModel", "stroke_codes"]


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Everything that defines a model's shape and how its gestures are read and drawn.

    Attributes:
        size: side of the square input image in pixels.
        steps: pen moves per gesture.
        step_size: the largest move per step along each axis, in pixels.
        hidden: widths of the encoder's hidden layers.
        encoder: ``"mlp"`` (dense layers) or ``"cnn"`` (convolutions, then dense layers).
        channels: convolution widths of the ``"cnn"`` encoder, each followed by a stride-2 step.
        start: fixed start point (x, y) as fractions of the frame, or None to predict it per image.
        end: the point (x, y), as fractions of the frame, where training pulls every gesture's last
            position (the original design's end-point constraint, so consecutive glyphs can chain
            into cursive words), or None for a free end. Inference does not use it.
        pen_width: nominal line width in pixels; pressure p draws ``pen_width * (0.5 + p)``.
        renderer: ``"segments"`` (line segments) or ``"markers"`` (Gaussian markers, max).
        softness: edge softness of the segment renderer in pixels.
        name: the model's name, recorded in every drawing it traces.
    """

    size: int = 28
    steps: int = 32
    step_size: float = 3.0
    hidden: tuple[int, ...] = (512, 512, 256)
    encoder: str = "mlp"
    channels: tuple[int, ...] = (32, 64)
    start: tuple[float, float] | None = None
    end: tuple[float, float] | None = None
    pen_width: float = 2.4
    renderer: str = "segments"
    softness: float = 0.5
    name: str = "strokebot"

    def __post_init__(self) -> None:
        if self.encoder not in ("mlp", "cnn"):
            raise ValueError(f"encoder must be 'mlp' or 'cnn', got {self.encoder!r}")
        if self.renderer not in ("segments", "markers"):
            raise ValueError(f"renderer must be 'segments' or 'markers', got {self.renderer!r}")
        if self.size < 8 or self.steps < 1 or not self.hidden:
            raise ValueError("size must be >= 8, steps >= 1 and hidden non-empty")
        if self.encoder == "cnn" and self.size % (2 ** len(self.channels)):
            raise ValueError(f"size {self.size} must be divisible by 2**{len(self.channels)} for the cnn encoder")

    @property
    def outputs(self) -> int:
        """Width of the encoder's last layer: 4 per step, plus 2 for a predicted start."""
        return 4 * self.steps + (2 if self.start is None else 0)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - fields
        if unknown:
            raise ValueError(f"unknown model config fields: {', '.join(sorted(unknown))}")
        data = dict(data)
        for key in ("hidden", "channels", "start", "end"):
            if data.get(key) is not None:
                data[key] = tuple(data[key])
        return cls(**data)


class Gesture(NamedTuple):
    """A batch of pen gestures, in pixels of the model's frame."""

    start: Tensor  # (B, 2) x, y
    velocity: Tensor  # (B, T, 2) vx, vy per step
    pressure: Tensor  # (B, T) in 0..1
    intensity: Tensor  # (B, T) in 0..1

    def positions(self) -> Tensor:
        """(B, T + 1, 2): the start, then the position after each step."""
        path = self.start[:, None] + torch.cumsum(self.velocity, dim=1)  # (B, T, 2)
        return torch.cat([self.start[:, None], path], dim=1)  # (B, T+1, 2)

    def end_miss(self, config: ModelConfig) -> Tensor:
        """(B, 2): where each gesture ends minus ``config.end``, the point it is trained to end at."""
        target = self.start.new_tensor(config.end) * config.size  # (2,)
        return self.start + self.velocity.sum(1) - target  # (B, 2)


def decode(raw: Tensor, config: ModelConfig) -> Gesture:
    """Turn the encoder's raw outputs (B, outputs) into a :class:`Gesture`."""
    batch = raw.shape[0]
    per_step = raw[:, : 4 * config.steps].reshape(batch, config.steps, 4)  # (B, T, 4)
    velocity = torch.tanh(per_step[..., :2]) * config.step_size  # (B, T, 2)
    pressure = torch.sigmoid(per_step[..., 2])  # (B, T)
    intensity = torch.sigmoid(per_step[..., 3])  # (B, T)
    if config.start is None:
        start = torch.sigmoid(raw[:, 4 * config.steps :]) * config.size  # (B, 2)
    else:
        start = raw.new_tensor(config.start).expand(batch, 2) * config.size  # (B, 2)
    return Gesture(start, velocity, pressure, intensity)


class _Dense(nn.Module):
    """Linear, LayerNorm, SiLU: the block the numpy runner mirrors."""

    def __init__(self, inputs: int, outputs: int) -> None:
        super().__init__()
        self.linear = nn.Linear(inputs, outputs)
        self.norm = nn.LayerNorm(outputs)

    def forward(self, x: Tensor) -> Tensor:
        return nn.functional.silu(self.norm(self.linear(x)))


class GestureModel(nn.Module):
    """Encoder plus renderer; ``model(images)`` is the gesture, ``model.render(gesture)`` the image."""

    def __init__(self, config: ModelConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or ModelConfig()
        convs: list[nn.Module] = []
        channels, side = 1, config.size
        if config.encoder == "cnn":
            for width in config.channels:
                convs += [nn.Conv2d(channels, width, 3, stride=2, padding=1), nn.SiLU()]
                channels, side = width, side // 2
        self.convs = nn.Sequential(*convs)
        widths = [channels * side * side, *config.hidden]
        self.blocks = nn.ModuleList(_Dense(a, b) for a, b in itertools.pairwise(widths))
        self.head = nn.Linear(widths[-1], config.outputs)
        # A small head starts every gesture as a short wiggle around the start: the renderer then
        # gives useful gradients from the first step, instead of a collapse to the blank image.
        nn.init.normal_(self.head.weight, std=0.01)
        nn.init.zeros_(self.head.bias)

    def encode(self, images: Tensor) -> Tensor:
        """Raw encoder outputs (B, outputs) for images (B, size, size) in 0..1."""
        x = images[:, None]  # (B, 1, S, S)
        x = self.convs(x).flatten(1)  # (B, F)
        for block in self.blocks:
            x = block(x)  # (B, hidden)
        return self.head(x)  # (B, outputs)

    def forward(self, images: Tensor) -> Gesture:
        return decode(self.encode(images), self.config)

    def render(self, gesture: Gesture, size: int | None = None) -> Tensor:
        """Draw ``gesture`` (B, ...) into (B, size, size) images; ``size`` rescales the frame."""
        config = self.config
        size = size or config.size
        scale = size / config.size
        points = gesture.positions() * scale  # (B, T+1, 2)
        widths = config.pen_width * (0.5 + gesture.pressure) * scale  # (B, T)
        if config.renderer == "markers":
            variance = (widths / 2) ** 2 + 0.05  # (B, T)
            return render_markers(points[:, :-1], variance, gesture.intensity, size, size)
        return render_segments(
            points, widths, gesture.intensity, size, size, softness=config.softness * scale
        )  # (B, size, size)


def stroke_codes(gesture: Gesture) -> Tensor:
    """(B, 3T) stroke codes: velocities and intensities, the original design's command space."""
    return torch.cat([gesture.velocity.flatten(1), gesture.intensity], dim=1)
