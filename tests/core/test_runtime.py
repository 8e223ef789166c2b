"""The thread pools are owned by core.runtime: torch's intra-op threads and numpy's BLAS."""

import os
import threading

import numpy as np
import pytest
import torch

from core import runtime
from core.whitebox import AttackParams, attack_job


def test_configure_threads_limits_blas_and_reaches_other_threads():
    runtime.configure_threads(1)
    try:
        seen = {}
        t = threading.Thread(target=lambda: seen.update(runtime.thread_settings()))
        t.start()
        t.join()
        assert seen["torch"] == 1  # a job's worker thread computes with the same pool size
        if "blas" in seen:
            assert seen["blas"] == 1  # numpy's BLAS never adds a second, spinning pool
    finally:
        runtime.configure_threads()
    assert runtime.thread_settings()["torch"] == (os.cpu_count() or 1)


def test_openmp_threads_sleep_when_idle():
    assert os.environ.get("OMP_WAIT_POLICY", "").upper() in ("PASSIVE", "ACTIVE")
    assert runtime.thread_settings()["omp_wait_policy"] == os.environ["OMP_WAIT_POLICY"]


class _Tiny(torch.nn.Module):
    """A 3-class colour classifier on 8×8 images, enough to drive the attack job."""

    name = "tiny"
    channels = 3
    input_size = (8, 8)
    num_classes = 3
    device = torch.device("cpu")

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.lin = torch.nn.Linear(192, 3)
        with torch.no_grad():
            self.lin.weight.copy_(torch.randn(3, 192, generator=g))

    def forward(self, x):
        return self.lin(x.flatten(1))


def test_frame_l2_is_the_exact_norm_of_the_8bit_change():
    img = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    frames = list(attack_job(_Tiny().eval(), img, 2, AttackParams(eps=3, steps=5, stop_at=None)))
    last = frames[-1]
    d = last.image.astype(np.float64) - img
    assert last.l2 == pytest.approx(np.sqrt((d ** 2).sum()) / 255, rel=1e-12)
    assert last.linf_255 == np.abs(d).max() <= 3


def test_cuda_keeps_float32_in_float32(monkeypatch):
    flags = (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32)
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = True
    monkeypatch.setattr(runtime, "available_devices", lambda: ["cuda", "cpu"])
    try:
        assert runtime.pick_device("cuda").type == "cuda"
        assert not torch.backends.cudnn.allow_tf32 and not torch.backends.cuda.matmul.allow_tf32
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = flags
