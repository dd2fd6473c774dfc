"""Training across processes: DistributedDataParallel on CPU (gloo), as under torchrun."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch.multiprocessing as mp


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rank(rank: int, world: int, port: int, folder: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), WORLD_SIZE=str(world), RANK=str(rank))
    import torch

    from strokebot.datasets import hershey_glyphs, normalised_sample
    from strokebot.model import ModelConfig
    from strokebot.model.train import TrainConfig, _glyph_set, train

    torch.set_num_threads(1)
    config = ModelConfig(hidden=(32,), steps=8)
    samples = [normalised_sample(s) for s in hershey_glyphs(64, seed=1, sizes=(40, 48))]
    data = _glyph_set(np.stack([s.image for s in samples]), [s.label for s in samples], 8, [s.strokes for s in samples])
    result = train(config, TrainConfig(epochs=2, batch_size=8, threads=1), data, out=Path(folder) / "model.npz")
    np.savez(Path(folder) / f"rank{rank}.npz", **result["weights"])
    torch.distributed.destroy_process_group()


@pytest.mark.slow
def test_two_ranks_agree_and_only_rank_zero_writes(tmp_path):
    mp.spawn(_rank, args=(2, free_port(), str(tmp_path)), nprocs=2, join=True)
    with np.load(tmp_path / "rank0.npz") as a, np.load(tmp_path / "rank1.npz") as b:
        assert a.files == b.files
        for key in a.files:
            np.testing.assert_array_equal(a[key], b[key])
    assert (tmp_path / "model.npz").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz", "model.npz.checkpoint.pt", "rank0.npz", "rank1.npz"]


@pytest.mark.slow
def test_the_command_runs_under_torchrun(tmp_path):
    out = tmp_path / "m.npz"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", f"--master-port={free_port()}",
         "-m", "strokebot", "train", "--kind", "gesture", "--data", "hershey:64", "--limit", "64", "--epochs", "1", "--batch-size", "8",
         "--steps", "8", "--threads", "1", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    from strokebot.model.checkpoint import read_model

    assert read_model(out).metrics["history"][0]["epoch"] == 1
