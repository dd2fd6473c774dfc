"""Training: path targets, escaping the blank image, reproducibility, checkpoints and resume."""

import dataclasses
import json

import numpy as np
import pytest
import torch
from tests_data import mnist_or_synthetic

from strokebot.datasets import hershey_glyphs, normalised_sample
from strokebot.model import ModelConfig
from strokebot.model.checkpoint import read_model
from strokebot.model.train import GlyphSet, TrainConfig, _glyph_set, path_targets, train

TINY = ModelConfig(hidden=(64, 32), steps=12)


def test_path_targets_walk_the_strokes_in_order():
    strokes = [np.array([[0.0, 0.0], [10.0, 0.0]]), np.array([[10.0, 10.0], [0.0, 10.0]])]
    positions, pen = path_targets(strokes, 6)  # total length 30: 5 per step
    np.testing.assert_allclose(positions[:, 0], [0, 5, 10, 10, 10, 5, 0])
    np.testing.assert_allclose(positions[:, 1], [0, 0, 0, 5, 10, 10, 10])
    np.testing.assert_array_equal(pen, [1, 1, 0, 0, 1, 1])


def test_path_targets_single_point():
    positions, pen = path_targets([np.array([[3.0, 4.0]])], 4)
    assert positions.shape == (5, 2) and (positions == [3, 4]).all() and pen.shape == (4,)


def test_escapes_the_blank_image(tmp_path):
    """The original design collapses to the blank image; a short run here must not."""
    torch.manual_seed(0)
    images = mnist_or_synthetic(384)
    data = _glyph_set(images, ["?"] * len(images), ModelConfig().steps)
    blank = float((data.images ** 2).mean())
    train(ModelConfig(), TrainConfig(epochs=4, batch_size=32, lr=2e-3, threads=2), data, out=tmp_path / "m.npz")
    from strokebot.evaluate import reconstruction
    from strokebot.model.inference import load_model

    figures = reconstruction(load_model(tmp_path / "m.npz"), images)
    # Collapsed, the MSE stays at the blank image's and the IoU at 0.
    assert figures["mse"] < 0.75 * blank, (figures, blank)
    assert figures["ink_iou"] > 0.25


def small_set(count=96):
    samples = [normalised_sample(s) for s in hershey_glyphs(count, seed=3, sizes=(40, 56))]
    return _glyph_set(np.stack([s.image for s in samples]), [s.label for s in samples], TINY.steps, [s.strokes for s in samples])


def test_same_seed_same_model_and_resume(tmp_path):
    data = small_set()
    config = TrainConfig(epochs=2, batch_size=32, threads=1, seed=5)
    train(TINY, config, data, out=tmp_path / "a.npz")
    train(TINY, config, data, out=tmp_path / "b.npz")
    a, b = read_model(tmp_path / "a.npz"), read_model(tmp_path / "b.npz")
    for key in a.weights:
        np.testing.assert_array_equal(a.weights[key], b.weights[key])
    # A run interrupted after its first epoch and resumed gives the same model as one in one go.
    def interrupt(progress):
        if progress["epoch"] == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(TINY, config, data, out=tmp_path / "d.npz", progress=interrupt)
    assert not (tmp_path / "d.npz").exists()
    train(TINY, config, data, out=tmp_path / "d.npz", resume=True)
    d = read_model(tmp_path / "d.npz")
    for key in a.weights:
        np.testing.assert_allclose(a.weights[key], d.weights[key], atol=1e-6)
    assert [h["epoch"] for h in d.metrics["history"]] == [1, 2]


def test_checkpoint_holds_tensors_only(tmp_path):
    train(TINY, TrainConfig(epochs=1, batch_size=32, threads=1), small_set(64), out=tmp_path / "m.npz")
    state = torch.load(tmp_path / "m.npz.checkpoint.pt", weights_only=True)
    assert state["epoch"] == 1 and json.loads(state["model_config"])["steps"] == 12


def test_resume_refuses_another_model(tmp_path):
    data = small_set(64)
    train(TINY, TrainConfig(epochs=1, batch_size=32, threads=1), data, out=tmp_path / "m.npz")
    from strokebot.errors import UsageError

    with pytest.raises(UsageError, match="another model"):
        train(dataclasses.replace(TINY, steps=10), TrainConfig(epochs=2, batch_size=32, threads=1),
              _glyph_set(data.images.numpy(), data.labels, 10), out=tmp_path / "m.npz", resume=True)


def test_path_term_is_used(tmp_path):
    from strokebot.model import GestureModel
    from strokebot.model.train import loss_terms

    data = small_set(16)
    terms = loss_terms(GestureModel(TINY), data.images, data, TrainConfig())
    assert {"mse", "coarse", "lifts", "path", "pen", "total"} <= set(terms)
    without = loss_terms(GestureModel(TINY), data.images, dataclasses.replace(data, has_path=torch.zeros(16, dtype=torch.bool)), TrainConfig())
    assert "path" not in without


def test_end_point_constraint_pulls_gestures_to_their_end(tmp_path):
    """Trained with an end point, gestures end near it; the reconstruction reports how near."""
    from strokebot.evaluate import reconstruction
    from strokebot.model.inference import load_model

    data = small_set(64)
    images = data.images.numpy()
    free, chained = TINY, dataclasses.replace(TINY, start=(0.15, 0.5), end=(0.85, 0.5))
    config = TrainConfig(epochs=6, batch_size=16, lr=5e-3, threads=1, path=0.0, path_end=None)
    train(free, config, data, out=tmp_path / "free.npz")
    train(chained, config, data, out=tmp_path / "chained.npz")
    assert "end_distance_median" not in reconstruction(load_model(tmp_path / "free.npz"), images)
    model = load_model(tmp_path / "chained.npz")
    assert tuple(model.config["end"]) == (0.85, 0.5)
    end = model.gestures(images).positions()[:, -1]  # (N, 2) frame pixels
    free_end = load_model(tmp_path / "free.npz").gestures(images).positions()[:, -1]
    target = np.array([0.85, 0.5]) * TINY.size
    near = np.linalg.norm(end - target, axis=1)
    assert np.median(near) < 0.25 * np.median(np.linalg.norm(free_end - target, axis=1))
    assert reconstruction(model, images)["end_distance_median"] == pytest.approx(np.median(near), abs=1e-3)


def test_snapshots(tmp_path):
    train(TINY, TrainConfig(epochs=1, batch_size=32, threads=1), small_set(64), out=tmp_path / "m.npz", snapshots=tmp_path / "snaps")
    assert (tmp_path / "snaps" / "epoch-001.png").stat().st_size > 1000


def test_glyph_set_concatenate_and_subset():
    a, b = small_set(8), small_set(4)
    both = GlyphSet.concatenate([a, b])
    assert len(both) == 12 and len(both.subset(torch.tensor([0, 11])).labels) == 2


def test_a_teacher_draws_the_paths_a_gesture_model_learns(tmp_path):
    """With a teacher, each glyph's path is the stroke model's drawing of it, in the model's frame."""
    from strokebot.model.inference import load_model
    from strokebot.model.train import load_data, teacher_paths
    from strokebot.tracing import trace

    teacher = load_model()
    samples = hershey_glyphs(4, seed=5, sizes=(48, 64))
    taught = teacher_paths(samples, teacher)
    assert [s.label for s in taught] == [s.label for s in samples]
    for sample, drawn in zip(samples, taught, strict=True):
        traced = trace(sample.image, model=teacher, clean=False, split=False, polarity="light-on-dark")
        assert [s.xy.tolist() for s in traced.strokes] == [s.tolist() for s in drawn.strokes]
    data = load_data(["hershey:4"], size=28, steps=12, seed=5, teacher=teacher)
    assert bool(data.has_path.all())
    plain = load_data(["hershey:4"], size=28, steps=12, seed=5)
    assert torch.equal(data.images, plain.images)  # the same glyphs, other paths
    assert not torch.allclose(data.paths, plain.paths)
    # MNIST-framed images are drawn as framed; a limit keeps the teacher from drawing them all.
    images = mnist_or_synthetic(6)
    framed = teacher_paths(images, teacher, framed=True)
    assert len(framed) == 6 and all(len(p) >= 1 and np.ptp(np.vstack(p)) < 28.5 for p in framed)
