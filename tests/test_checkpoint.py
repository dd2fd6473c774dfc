"""Model files: round trip, and every way a file can be wrong is refused with a clear message."""

import dataclasses
import io
import pickle
import zipfile

import numpy as np
import pytest

from strokebot.errors import ModelError
from strokebot.model import ModelConfig
from strokebot.model.checkpoint import read_model, write_model
from strokebot.model.inference import load_model

CONFIG = dataclasses.asdict(ModelConfig(hidden=(8,), steps=3))


def weights(config=CONFIG):
    from strokebot.model.checkpoint import expected_shapes

    rng = np.random.default_rng(0)
    return {k: rng.normal(size=s).astype(np.float32) for k, s in expected_shapes(config).items()}


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.npz"
    write_model(path, CONFIG, weights(), {"model_version": "7"})
    return path


def test_round_trip(good):
    loaded = read_model(good)
    assert ModelConfig.from_dict(loaded.config) == ModelConfig.from_dict(CONFIG) and loaded.name == "strokebot 7"
    for key, value in weights().items():
        np.testing.assert_array_equal(loaded.weights[key], value)


def test_load_model_caches_and_reloads(good):
    first = load_model(good)
    assert load_model(good) is first
    write_model(good, CONFIG, weights(), {"model_version": "8"})
    import os

    os.utime(good, (1, 1))
    assert load_model(good).name == "strokebot 8"


def rewrite(path, **changes):
    with np.load(path) as archive:
        content = {k: archive[k] for k in archive.files}
    content.update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del content[key]
    np.savez(path, **content)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"format": np.array("something.else")}, "not a strokebot model"),
        ({"format": None}, "no 'format'"),
        ({"version": np.array(99)}, "version 99"),
        ({"config": np.array("{not json")}, "config is damaged"),
        ({"weight/head.bias": None}, "missing"),
        ({"weight/extra": np.zeros(3, np.float32)}, "unexpected"),
        ({"weight/head.bias": np.zeros(5, np.float32)}, "shape"),
        ({"weight/head.bias": np.full(14, np.nan, np.float32)}, "NaN"),
    ],
)
def test_damaged_files_are_refused(good, change, message):
    rewrite(good, **change)
    with pytest.raises(ModelError, match=message):
        read_model(good)


def test_missing_file(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        read_model(tmp_path / "nope.npz")
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "nope.npz")


@pytest.mark.parametrize("data", [b"", b"hello", b"PK\x03\x04broken"])
def test_not_a_model(tmp_path, data):
    path = tmp_path / "bad.npz"
    path.write_bytes(data)
    with pytest.raises(ModelError):
        read_model(path)


def test_truncated(good):
    data = good.read_bytes()
    good.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError):
        read_model(good)


class Payload:
    def __reduce__(self):
        return (open, ("/tmp/strokebot-pwned", "w"))


def test_pickle_payload_is_never_run(tmp_path):
    import os

    marker = "/tmp/strokebot-pwned"
    if os.path.exists(marker):
        os.unlink(marker)
    path = tmp_path / "evil.npz"
    # An object array inside the archive: numpy would unpickle it if allowed.
    np.savez(path, format=np.array("strokebot.model"), evil=np.array([Payload()], dtype=object))
    with pytest.raises(ModelError, match="pickle"):
        read_model(path)
    # A bare pickle (what torch.save writes) named like a model file.
    raw = tmp_path / "evil2.npz"
    raw.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(ModelError):
        read_model(raw)
    # A zip holding a pickle member.
    zipped = tmp_path / "evil3.npz"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("data.pkl", pickle.dumps(Payload()))
    zipped.write_bytes(buffer.getvalue())
    with pytest.raises(ModelError):
        read_model(zipped)
    assert not os.path.exists(marker)


def test_write_is_atomic(good, monkeypatch):
    before = good.read_bytes()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(np, "savez", explode)
    with pytest.raises(RuntimeError):
        write_model(good, CONFIG, weights())
    assert good.read_bytes() == before
    assert list(good.parent.glob("*.part")) == []
