import dataclasses

import numpy as np
import pytest
import torch

from strokebot.checkpoint import expected_shapes, read_model, write_model
from strokebot.inference import Model
from strokebot.model import GestureModel, ModelConfig, stroke_codes

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


@pytest.mark.parametrize("encoder", ["mlp", "cnn"])
def test_numpy_runner_matches_torch(tmp_path, encoder):
    torch.manual_seed(0)
    config = ModelConfig(encoder=encoder, **SMALL)
    module = GestureModel(config)
    # Give the head real weight so the comparison covers the whole range of outputs.
    torch.nn.init.normal_(module.head.weight, std=0.5)
    write_model(tmp_path / "m.npz", dataclasses.asdict(config), {k: v.numpy() for k, v in module.state_dict().items()})
    runner = Model(read_model(tmp_path / "m.npz"))
    images = torch.rand(5, 28, 28)
    with torch.no_grad():
        expected = module(images)
    got = runner.gestures(images.numpy())
    for name in ("start", "velocity", "pressure", "intensity"):
        np.testing.assert_allclose(getattr(got, name), getattr(expected, name).numpy(), atol=1e-5, rtol=0)
    np.testing.assert_allclose(got.positions(), expected.positions().numpy(), atol=1e-4)
    np.testing.assert_allclose(got.codes(), stroke_codes(expected).numpy(), atol=1e-4)
    back = runner.to_torch()
    with torch.no_grad():
        torch.testing.assert_close(back(images).velocity, expected.velocity)


def test_bundled_model_runs(model):
    g = model.gestures(np.zeros((2, model.size, model.size), np.float32))
    assert g.velocity.shape == (2, model.steps, 2)
    with pytest.raises(Exception, match="shape"):
        model.encode(np.zeros((2, 5, 5)))
