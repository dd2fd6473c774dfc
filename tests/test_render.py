"""Renderer tests, kornia's skeleton: smoke, bad input, shapes, a slow reference loop, gradcheck."""

import math

import pytest
import torch

from strokebot.model.render import MarkerRenderer, SegmentRenderer, pixel_centres, render_markers, render_segments


def reference_segments(points, widths, intensity, h, w, softness, composite):
    """Per pixel, per segment: the definition written out as plainly as possible."""
    out = torch.zeros(points.shape[0], h, w, dtype=points.dtype)
    for b in range(points.shape[0]):
        for row in range(h):
            for col in range(w):
                qx, qy = col + 0.5, row + 0.5
                values = []
                for k in range(widths.shape[1]):
                    ax, ay = points[b, k].tolist()
                    bx, by = points[b, k + 1].tolist()
                    dx, dy = bx - ax, by - ay
                    length2 = dx * dx + dy * dy
                    t = 0.0 if length2 == 0 else min(1.0, max(0.0, ((qx - ax) * dx + (qy - ay) * dy) / length2))
                    d = math.sqrt((qx - ax - t * dx) ** 2 + (qy - ay - t * dy) ** 2)
                    s = 1 / (1 + math.exp(-(float(widths[b, k]) / 2 - d) / softness))
                    values.append(float(intensity[b, k]) * s)
                if composite == "max":
                    out[b, row, col] = max(values)
                else:
                    keep = 1.0
                    for v in values:
                        keep *= 1 - v
                    out[b, row, col] = 1 - keep
    return out


def random_gesture(batch=2, steps=3, size=8, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    points = torch.rand(batch, steps + 1, 2, generator=g, dtype=dtype) * size
    widths = 0.5 + 2 * torch.rand(batch, steps, generator=g, dtype=dtype)
    intensity = torch.rand(batch, steps, generator=g, dtype=dtype)
    return points, widths, intensity


class TestSegments:
    def test_smoke_and_shape(self):
        points, widths, intensity = random_gesture(dtype=torch.float32)
        out = render_segments(points, widths, intensity, 6, 9)
        assert out.shape == (2, 6, 9) and out.dtype == torch.float32
        assert float(out.min()) >= 0 and float(out.max()) <= 1

    @pytest.mark.parametrize("composite", ["union", "max"])
    def test_matches_reference_loop(self, composite):
        points, widths, intensity = random_gesture()
        fast = render_segments(points, widths, intensity, 8, 8, softness=0.7, composite=composite)
        slow = reference_segments(points, widths, intensity, 8, 8, 0.7, composite)
        torch.testing.assert_close(fast, slow, atol=1e-6, rtol=0)

    def test_pen_up_leaves_no_ink(self):
        points = torch.tensor([[[2.0, 2.0], [6.0, 2.0]]])
        out = render_segments(points, torch.tensor([[2.0]]), torch.tensor([[0.0]]), 8, 8)
        assert float(out.max()) == 0

    def test_line_is_where_it_should_be(self):
        points = torch.tensor([[[1.0, 4.5], [15.0, 4.5]]])  # along row 4's centre line
        out = render_segments(points, torch.tensor([[2.0]]), torch.tensor([[1.0]]), 10, 16, softness=0.2)
        assert out[0, 4, 2:14].min() > 0.9
        assert out[0, 7, :].max() < 0.01 and out[0, 1, :].max() < 0.01

    @pytest.mark.parametrize(
        "args, error",
        [
            ((torch.zeros(1, 3), torch.zeros(1, 2), torch.zeros(1, 2)), ValueError),
            ((torch.zeros(1, 3, 2), torch.zeros(1, 3), torch.zeros(1, 2)), ValueError),
            ((torch.zeros(1, 3, 2), torch.zeros(2, 2), torch.zeros(1, 2)), ValueError),
            ((torch.zeros(1, 1, 2), torch.zeros(1, 0), torch.zeros(1, 0)), ValueError),
            (([[0.0, 0.0]], torch.zeros(1, 1), torch.zeros(1, 1)), TypeError),
        ],
    )
    def test_bad_input(self, args, error):
        with pytest.raises(error):
            render_segments(*args, 4, 4)

    def test_bad_options(self):
        p, w, i = random_gesture(dtype=torch.float32)
        with pytest.raises(ValueError, match="softness"):
            render_segments(p, w, i, 4, 4, softness=0)
        with pytest.raises(ValueError, match="composite"):
            render_segments(p, w, i, 4, 4, composite="sum")
        with pytest.raises(ValueError, match="size"):
            render_segments(p, w, i, 0, 4)

    @pytest.mark.parametrize("composite", ["union", "max"])
    def test_gradcheck(self, composite):
        points, widths, intensity = random_gesture(batch=1, steps=2, size=5, seed=3)
        intensity = intensity * 0.8 + 0.1
        for t in (points, widths, intensity):
            t.requires_grad_(True)
        assert torch.autograd.gradcheck(
            lambda p, w, i: render_segments(p, w, i, 5, 5, composite=composite), (points, widths, intensity)
        )

    def test_module(self):
        p, w, i = random_gesture(dtype=torch.float32)
        torch.testing.assert_close(SegmentRenderer(5, 7, softness=0.3)(p, w, i), render_segments(p, w, i, 5, 7, softness=0.3))


class TestMarkers:
    def test_matches_reference(self):
        g = torch.Generator().manual_seed(1)
        points = torch.rand(2, 4, 2, generator=g, dtype=torch.float64) * 6
        variance = 0.5 + torch.rand(2, 4, generator=g, dtype=torch.float64)
        amplitude = torch.rand(2, 4, generator=g, dtype=torch.float64)
        out = render_markers(points, variance, amplitude, 6, 6)
        q = pixel_centres(6, 6, dtype=torch.float64)
        for b in range(2):
            for p in range(36):
                values = [float(amplitude[b, k]) * math.exp(-float(((q[p] - points[b, k]) ** 2).sum()) / float(variance[b, k])) for k in range(4)]
                assert float(out[b].reshape(-1)[p]) == pytest.approx(max(values), abs=1e-12)

    def test_bad_input(self):
        with pytest.raises(ValueError):
            render_markers(torch.zeros(1, 3, 2), torch.zeros(1, 2), torch.zeros(1, 3), 4, 4)

    def test_gradcheck(self):
        g = torch.Generator().manual_seed(2)
        args = (torch.rand(1, 3, 2, generator=g, dtype=torch.float64) * 4,
                0.5 + torch.rand(1, 3, generator=g, dtype=torch.float64),
                torch.rand(1, 3, generator=g, dtype=torch.float64))
        for t in args:
            t.requires_grad_(True)
        assert torch.autograd.gradcheck(lambda p, v, a: render_markers(p, v, a, 4, 4), args)

    def test_module(self):
        p, v, a = torch.rand(1, 2, 2) * 4, torch.ones(1, 2), torch.ones(1, 2)
        torch.testing.assert_close(MarkerRenderer(4, 4)(p, v, a), render_markers(p, v, a, 4, 4))


def test_pixel_centres():
    q = pixel_centres(2, 3)
    assert q.tolist() == [[0.5, 0.5], [1.5, 0.5], [2.5, 0.5], [0.5, 1.5], [1.5, 1.5], [2.5, 1.5]]
