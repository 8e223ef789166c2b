"""The fast no-gradient engine: ONNX Runtime on a CPU, used only when it returns PyTorch's numbers."""

from __future__ import annotations

import logging
import sys

import numpy as np
import pytest
import torch
from torch import nn

from core import evolution as ev
from core import inference, models


def _images(clf, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return ev.quantise(rng.random((n, clf.channels, *clf.input_size), dtype=np.float32))


@pytest.mark.parametrize("name", ["mnist_cnn", "efficientnet_lite0"])
def test_onnx_engine_returns_the_probabilities_of_pytorch(name):
    clf = models.load_classifier(name, "cpu")
    fast, ref = ev.BlackBox(clf), ev.BlackBox(clf, engine="torch")
    assert fast.engine.name == "onnx", fast.engine.note
    assert ref.engine.name == "torch"
    imgs = _images(clf, 6, seed=5)  # not the probe the check ran on
    p, q = fast(imgs), ref(imgs)
    assert p.shape == q.shape == (6, clf.num_classes) and p.dtype == np.float64
    assert np.abs(p - q).max() <= inference.TOLERANCE
    assert (p.argmax(1) == q.argmax(1)).all()
    assert fast.queries == ref.queries == 6


class _Noisy(nn.Module):
    """Exports fine, but its answer is not a function of the image (fresh noise every call)."""

    channels, input_size, name, exportable = 1, (8, 8), "noisy", True

    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(64, 10)
        self.eval()

    def forward(self, x):
        return self.head(x.flatten(1)) + 3 * torch.randn(x.shape[0], 10)


def test_an_engine_that_disagrees_with_pytorch_is_refused(caplog):
    model = _Noisy()
    with caplog.at_level(logging.WARNING, "fooling_lab.inference"):
        engine = inference.query_engine(model, "onnx")
    assert engine.name == "torch"
    assert "differ from PyTorch" in engine.note
    assert "differ from PyTorch" in caplog.text  # asked for by name: the refusal is a warning


def test_only_the_newest_models_session_is_kept():
    """Each session holds a copy of the weights: evolving another model lets the last one go."""
    mnist = models.load_classifier("mnist_cnn", "cpu")
    lite = models.load_classifier("efficientnet_lite0", "cpu")
    assert inference.query_engine(mnist).name == "onnx"
    assert mnist in inference._sessions
    assert inference.query_engine(lite).name == "onnx"
    assert mnist not in inference._sessions and lite in inference._sessions
    assert inference.query_engine(mnist).name == "onnx"  # built again when it comes back


def test_without_onnxruntime_or_an_export_torch_does_the_work(monkeypatch):
    clf = models.load_classifier("mnist_cnn", "cpu")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if not installed
    inference.forget(clf)
    try:
        engine = inference.query_engine(clf)
        assert engine.name == "torch" and "not installed" in engine.note
        imgs = _images(clf, 3, seed=1)
        with torch.inference_mode():
            want = clf(torch.from_numpy(imgs)).numpy()
        assert np.array_equal(engine.logits(imgs), want)
    finally:
        inference.forget(clf)
    monkeypatch.undo()

    def broken(*_a, **_k):
        raise RuntimeError("no exporter")

    monkeypatch.setattr(torch.onnx, "export", broken)
    inference.forget(clf)
    try:
        engine = inference.query_engine(clf)
        assert engine.name == "torch" and "could not be exported" in engine.note
    finally:
        inference.forget(clf)


class _Spy(nn.Module):
    """Counts its calls: a side effect an export would silently drop."""

    def __init__(self, clf) -> None:
        super().__init__()
        self.clf, self.calls = clf, 0

    def forward(self, x):
        self.calls += 1
        return self.clf(x)


def test_engine_choice_is_checked_and_only_plain_classifiers_are_exported():
    clf = models.load_classifier("mnist_cnn", "cpu")
    assert inference.query_engine(clf, "torch").name == "torch"
    spy = _Spy(clf)
    engine = inference.query_engine(spy)
    assert engine.name == "torch" and "plain-layer" in engine.note
    engine.logits(_images(clf, 2, seed=0))
    assert spy.calls == 1
    clf.net.traceable = False  # a part that must not be traced (as a sandboxed script's net says)
    try:
        assert not clf.exportable
        assert inference.query_engine(clf).name == "torch"
    finally:
        del clf.net.traceable
    assert clf.exportable
    from core.script_sandbox import SandboxedNet

    assert SandboxedNet.traceable is False  # a sandboxed TorchScript model is never exported
    with pytest.raises(ValueError):
        inference.query_engine(clf, "tensorrt")


def test_the_evolution_job_runs_the_same_on_either_engine():
    """Same seed, same images queried, same elites: the engine changes the time, not the run."""
    clf = models.load_classifier("mnist_cnn", "cpu")
    runs = {}
    for engine in ("onnx", "torch"):
        last = None
        for last in ev.evolution_job(clf, range(10), ev.EvolutionParams(
                population=20, generations=8, stop_at=None, seed=3, engine=engine)):
            pass
        runs[engine] = last
    a, b = runs["onnx"], runs["torch"]
    assert (a.engine, b.engine) == ("onnx", "torch")  # not torch against torch after a fallback
    assert a.queries == b.queries == 20 * 9
    assert np.abs(a.cell_probs - b.cell_probs).max() <= inference.TOLERANCE
    assert all(np.array_equal(x, y) for x, y in zip(a.cell_images, b.cell_images))
