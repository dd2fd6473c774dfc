import dataclasses

import numpy as np
import pytest
import torch
from tests_data import mnist_or_synthetic
from tests_tolerance import assert_float32_close, summed_terms

from strokebot.model import GestureModel, ModelConfig, stroke_codes
from strokebot.model.checkpoint import expected_shapes, read_model, write_model
from strokebot.model.inference import Model

SMALL = dict(hidden=(32, 16), steps=6)


@pytest.mark.parametrize(
    "kw", [{"encoder": "rnn"}, {"renderer": "pixels"}, {"size": 4}, {"steps": 0}, {"hidden": ()}, {"encoder": "cnn", "size": 30}]
)
def test_config_rejects_nonsense(kw):
    with pytest.raises(ValueError):
        ModelConfig(**kw)


def test_config_json_round_trip():
    config = ModelConfig(start=(0.1, 0.5), **SMALL)
    import json

    assert ModelConfig.from_dict(json.loads(config.to_json())) == config
    with pytest.raises(ValueError, match="unknown"):
        ModelConfig.from_dict({"size": 28, "colour": 1})


@pytest.mark.parametrize("encoder", ["mlp", "cnn"])
@pytest.mark.parametrize("start", [None, (0.1, 0.5)])
def test_shapes_and_ranges(encoder, start):
    config = ModelConfig(encoder=encoder, start=start, **SMALL)
    model = GestureModel(config)
    gesture = model(torch.rand(3, 28, 28))
    assert gesture.start.shape == (3, 2) and gesture.velocity.shape == (3, 6, 2)
    assert gesture.pressure.shape == gesture.intensity.shape == (3, 6)
    assert gesture.velocity.abs().max() <= config.step_size
    assert gesture.positions().shape == (3, 7, 2)
    assert model.render(gesture).shape == (3, 28, 28)
    assert model.render(gesture, size=56).shape == (3, 56, 56)
    assert stroke_codes(gesture).shape == (3, 3 * 6)
    if start is not None:
        assert gesture.start[0].tolist() == pytest.approx([2.8, 14.0])
    names = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert names == expected_shapes(dataclasses.asdict(config))


def test_markers_renderer():
    model = GestureModel(ModelConfig(renderer="markers", **SMALL))
    assert model.render(model(torch.rand(2, 28, 28))).shape == (2, 28, 28)


def test_positions_are_the_running_sum():
    model = GestureModel(ModelConfig(**SMALL))
    g = model(torch.rand(1, 28, 28))
    torch.testing.assert_close(g.positions()[:, -1], g.start + g.velocity.sum(1))


#: A square hidden layer, so that its matrix transposed still loads (and must still be caught).
RUNNER = dict(hidden=(32, 32), steps=6)


def assert_runner_matches(runner: Model, module: GestureModel, images: torch.Tensor) -> None:
    """The numpy runner's gestures against torch's, within what float32 rounding allows.

    Both add the same products in different orders through sums ``summed_terms`` deep (3,497 for
    the cnn below). The outputs in pixels are scaled to the frame's size, which bounds the slopes
    from the raw sums to them (size / 4 for the start, step_size for a velocity); positions add the
    steps' running sum; pressure and intensity lie in 0..1.
    """
    with torch.no_grad():
        expected = module(images)
    got = runner.gestures(images.numpy())
    terms, size = summed_terms(runner.file.weights), runner.size
    for name, scale in (("start", size), ("velocity", size), ("pressure", 1), ("intensity", 1)):
        assert_float32_close(getattr(got, name), getattr(expected, name).numpy(), scale=scale, terms=terms, err_msg=name)
    positions = expected.positions().numpy()
    assert_float32_close(got.positions(), positions, scale=size, terms=terms + runner.steps, err_msg="positions")
    assert_float32_close(got.codes(), stroke_codes(expected).numpy(), scale=size, terms=terms, err_msg="codes")


def random_model(encoder: str) -> tuple[ModelConfig, GestureModel]:
    torch.manual_seed(0)
    config = ModelConfig(encoder=encoder, **RUNNER)
    module = GestureModel(config)
    # Give the head real weight so the comparison covers the whole range of outputs.
    torch.nn.init.normal_(module.head.weight, std=0.5)
    return config, module


def runner_for(path, config: ModelConfig, weights: dict[str, np.ndarray]) -> Model:
    write_model(path, dataclasses.asdict(config), weights)
    return Model(read_model(path))


@pytest.mark.parametrize("encoder", ["mlp", "cnn"])
def test_numpy_runner_matches_torch(tmp_path, encoder):
    config, module = random_model(encoder)
    runner = runner_for(tmp_path / "m.npz", config, {k: v.numpy() for k, v in module.state_dict().items()})
    images = torch.rand(5, 28, 28)
    assert_runner_matches(runner, module, images)
    back = runner.to_torch()
    with torch.no_grad():
        torch.testing.assert_close(back(images).velocity, module(images).velocity)


def test_bundled_fast_model_matches_torch(fast_model):
    """The weights users run with --fast, on glyphs like theirs: trained weights can sum with more cancellation."""
    assert_runner_matches(fast_model, fast_model.to_torch(), torch.from_numpy(mnist_or_synthetic(200)))


def _one_weight_off(weights, module, name):
    """Each matrix in turn: one weight off by the typical size of that layer's weights."""
    w = weights[name].copy()
    w[tuple(n // 2 for n in w.shape)] += np.abs(w).mean()
    return {**weights, name: w}, module


def _matrix_transposed(weights, module, name):
    return {**weights, name: weights[name].T.copy()}, module


def _kernel_transposed(weights, module, name):
    return {**weights, name: weights[name].swapaxes(-1, -2).copy()}, module  # x and y of a 3×3 kernel swapped


def _activation_missing(weights, module, name):
    """One SiLU left out, here on the torch side: the comparison cannot tell which side is wrong."""
    if name.startswith("convs"):
        module.convs[int(name.split(".")[1]) + 1] = torch.nn.Identity()
    else:
        block = module.blocks[int(name.split(".")[1])]
        block.forward = lambda x: block.norm(block.linear(x))
    return weights, module


@pytest.mark.parametrize(
    ("encoder", "mutation", "names"),
    [
        ("mlp", _one_weight_off, ["blocks.0.linear.weight", "blocks.1.linear.weight", "head.weight"]),
        ("cnn", _one_weight_off, ["convs.0.weight", "convs.2.weight", "blocks.0.linear.weight", "blocks.1.linear.weight", "head.weight"]),
        ("mlp", _matrix_transposed, ["blocks.1.linear.weight"]),
        ("cnn", _matrix_transposed, ["blocks.1.linear.weight"]),
        ("cnn", _kernel_transposed, ["convs.0.weight", "convs.2.weight"]),
        ("mlp", _activation_missing, ["blocks.0", "blocks.1"]),
        ("cnn", _activation_missing, ["convs.0", "convs.2", "blocks.0", "blocks.1"]),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else f"{len(v)}-layers",
)
def test_a_wrong_runner_fails_the_comparison(tmp_path, encoder, mutation, names):
    """The tolerance is not vacuous: each of these mistakes is caught, each on its own."""
    images = torch.rand(5, 28, 28, generator=torch.Generator().manual_seed(1))
    for name in names:
        config, module = random_model(encoder)
        weights, module = mutation({k: v.numpy().copy() for k, v in module.state_dict().items()}, module, name)
        runner = runner_for(tmp_path / "m.npz", config, weights)
        with pytest.raises(AssertionError, match="Not equal to tolerance"):
            assert_runner_matches(runner, module, images)


def test_bundled_fast_model_runs(fast_model):
    g = fast_model.gestures(np.zeros((2, fast_model.size, fast_model.size), np.float32))
    assert g.velocity.shape == (2, fast_model.steps, 2)
    with pytest.raises(Exception, match="shape"):
        fast_model.encode(np.zeros((2, 5, 5)))
