"""Differentiable renderers: pen gestures back into images (torch).

Two renderers, each a pure function plus a one-line :class:`torch.nn.Module`:

* :func:`render_segments` draws line segments, what a plotter draws: each pixel's ink falls off with
  its distance to the segment, past half the segment's width, over ``softness`` pixels.
* :func:`render_markers` is the original design's renderer: one Gaussian marker per point, combined
  with a maximum.

Coordinates are in pixels of the output image: x to the right, y down, pixel ``(row, col)`` covers
``[col, col + 1) x [row, row + 1)`` so its centre is at ``(col + 0.5, row + 0.5)``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["render_segments", "render_markers", "SegmentRenderer", "MarkerRenderer", "pixel_centres"]

_COMPOSITES = ("union", "max")


def pixel_centres(height: int, width: int, *, dtype: torch.dtype = torch.float32, device=None) -> Tensor:
    """(H*W, 2) pixel centres as (x, y), row by row."""
    ys = torch.arange(height, dtype=dtype, device=device) + 0.5
    xs = torch.arange(width, dtype=dtype, device=device) + 0.5
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([grid_x.reshape(-1), grid_y.reshape(-1)], dim=-1)


def _check(name: str, tensor: Tensor, shape: tuple[int | None, ...]) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
    if tensor.dim() != len(shape) or any(s is not None and s != t for s, t in zip(shape, tensor.shape, strict=True)):
        expected = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {expected}, got {tuple(tensor.shape)}")


def _composite(ink: Tensor, composite: str, dim: int) -> Tensor:
    if composite == "max":
        return ink.amax(dim=dim)
    # Layers of ink over each other: 1 - prod(1 - a), in log space for stable gradients.
    return 1.0 - torch.exp(torch.log1p(-ink.clamp(max=1.0 - 1e-6)).sum(dim=dim))


def render_segments(
    points: Tensor,
    widths: Tensor,
    intensity: Tensor,
    height: int,
    width: int,
    *,
    softness: float = 0.5,
    composite: str = "union",
) -> Tensor:
    """Render the polyline ``points`` as soft line segments.

    Segment ``k`` runs from ``points[:, k]`` to ``points[:, k + 1]`` with width ``widths[:, k]`` and
    darkness ``intensity[:, k]``; an intensity of 0 is a pen-up move and leaves no ink. A pixel at
    distance ``d`` from a segment gets ``intensity * sigmoid((width / 2 - d) / softness)``.

    Args:
        points: (B, T + 1, 2) positions (x, y) in pixels.
        widths: (B, T) line widths in pixels.
        intensity: (B, T) ink intensity in 0..1.
        height, width: size of the output image.
        softness: edge softness in pixels (> 0).
        composite: ``"union"`` (ink layers: 1 - prod(1 - a)) or ``"max"``.

    Returns:
        (B, H, W) ink in 0..1.

    Shape:
        points (B, T+1, 2), widths (B, T), intensity (B, T) -> (B, H, W)

    Raises:
        TypeError: an argument is not a tensor.
        ValueError: shapes disagree, ``softness`` is not positive or ``composite`` is unknown.
    """
    _check("points", points, (None, None, 2))
    batch, steps = points.shape[0], points.shape[1] - 1
    _check("widths", widths, (batch, steps))
    _check("intensity", intensity, (batch, steps))
    if steps < 1:
        raise ValueError("points must hold at least 2 positions (one segment)")
    if not softness > 0:
        raise ValueError(f"softness must be positive, got {softness}")
    if composite not in _COMPOSITES:
        raise ValueError(f"composite must be one of {_COMPOSITES}, got {composite!r}")
    if height < 1 or width < 1:
        raise ValueError(f"image size must be at least 1x1, got {height}x{width}")

    q = pixel_centres(height, width, dtype=points.dtype, device=points.device)  # (P, 2)
    a = points[:, :-1, None, :]  # (B, T, 1, 2)
    ab = (points[:, 1:] - points[:, :-1])[:, :, None, :]  # (B, T, 1, 2)
    aq = q[None, None] - a  # (B, T, P, 2)
    length2 = (ab * ab).sum(-1)  # (B, T, 1)
    t = ((aq * ab).sum(-1) / (length2 + 1e-12)).clamp(0.0, 1.0)  # (B, T, P)
    offset = aq - t[..., None] * ab  # (B, T, P, 2)
    distance = torch.sqrt((offset * offset).sum(-1) + 1e-8)  # (B, T, P)
    ink = intensity[..., None] * torch.sigmoid((widths[..., None] / 2 - distance) / softness)  # (B, T, P)
    return _composite(ink, composite, dim=1).reshape(batch, height, width)  # (B, H, W)


def render_markers(
    points: Tensor,
    variance: Tensor,
    amplitude: Tensor,
    height: int,
    width: int,
) -> Tensor:
    """Render Gaussian markers combined with a maximum (the original design's renderer).

    Marker ``k`` is ``amplitude_k * exp(-|q - p_k|^2 / variance_k)`` for pixel centre ``q``.

    Shape:
        points (B, K, 2) in pixels, variance (B, K) in pixels², amplitude (B, K) -> (B, H, W)

    Raises:
        TypeError: an argument is not a tensor.
        ValueError: shapes disagree.
    """
    _check("points", points, (None, None, 2))
    batch, count = points.shape[:2]
    _check("variance", variance, (batch, count))
    _check("amplitude", amplitude, (batch, count))
    if height < 1 or width < 1:
        raise ValueError(f"image size must be at least 1x1, got {height}x{width}")
    q = pixel_centres(height, width, dtype=points.dtype, device=points.device)  # (P, 2)
    d2 = ((q[None, None] - points[:, :, None, :]) ** 2).sum(-1)  # (B, K, P)
    marker = amplitude[..., None] * torch.exp(-d2 / variance[..., None])  # (B, K, P)
    return marker.amax(dim=1).reshape(batch, height, width)  # (B, H, W)


class SegmentRenderer(nn.Module):
    """:func:`render_segments` as a module."""

    def __init__(self, height: int, width: int, *, softness: float = 0.5, composite: str = "union") -> None:
        super().__init__()
        self.height, self.width, self.softness, self.composite = height, width, softness, composite

    def forward(self, points: Tensor, widths: Tensor, intensity: Tensor) -> Tensor:
        return render_segments(
            points, widths, intensity, self.height, self.width, softness=self.softness, composite=self.composite
        )


class MarkerRenderer(nn.Module):
    """:func:`render_markers` as a module."""

    def __init__(self, height: int, width: int) -> None:
        super().__init__()
        self.height, self.width = height, width

    def forward(self, points: Tensor, variance: Tensor, amplitude: Tensor) -> Tensor:
        return render_markers(points, variance, amplitude, self.height, self.width)
