"""Forward passes without gradients, as fast as the CPU allows, returning the same numbers.

The black-box query (evolution) only ever needs a classifier's logits, never a gradient. On a CPU,
ONNX Runtime runs the same weights several times faster than eager PyTorch (EfficientNet-Lite0 on
2 cores: ×2, the MNIST CNN ×3.4; ``bench/evolution.py --only throughput``). :func:`query_engine` exports the model to ONNX once per
process, runs it with ONNX Runtime and **checks** it before use: on a probe batch the softmax
probabilities must agree with eager torch to within :data:`TOLERANCE`, or the engine is refused
and the caller keeps torch. The black box therefore stays the same network; only the time changes.

Only models that say they are plain layers (``exportable``, see ``core.models.Classifier``) are
exported. The project installs ``onnxruntime`` and ``onnx``, but nothing depends on them: without
them, on a GPU, or when the export fails (a model torch cannot export), :func:`query_engine` says
why and the caller runs eager torch. Within 1e-5 is not bit for bit: a seeded run is repeated
exactly on the same engine, and the engine in use is reported (``Engine.name``). Only the newest
model's session is kept (a second copy of the weights; VGG-16 would hold 0.5 GB more).

ONNX Runtime's threads follow :func:`core.runtime.ensure_threads` (torch's count), and they sleep
between calls instead of spinning (the same reason as ``OMP_WAIT_POLICY=PASSIVE`` in
``core/runtime``: spinning threads starve the window and the other pool on a 2-core machine).
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
import weakref
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from . import runtime

log = logging.getLogger("fooling_lab.inference")

ENGINES = ("auto", "onnx", "torch")
#: The largest difference in any softmax probability allowed between the engine and eager torch.
TOLERANCE = 1e-5
#: ONNX operator set of the export (supported by ONNX Runtime ≥ 1.14).
OPSET = 17


@dataclass(frozen=True)
class Engine:
    """``logits(images)``: N×C×H×W float32 in [0, 1] → N×K float32 logits. ``name`` says which
    runtime answers; ``note`` why it is not the fast one, when it is not."""

    name: str
    logits: Callable[[np.ndarray], np.ndarray]
    note: str = ""


_lock = threading.Lock()
#: One checked ONNX Runtime session per model object (``load_classifier`` caches models, so a
#: second run in the same window reuses the export), or the reason it was refused.
_sessions: "weakref.WeakKeyDictionary[torch.nn.Module, object]" = weakref.WeakKeyDictionary()


def torch_engine(model: torch.nn.Module, note: str = "") -> Engine:
    device = model_device(model)

    def logits(images: np.ndarray | torch.Tensor) -> np.ndarray:
        x = images if isinstance(images, torch.Tensor) else torch.from_numpy(images)
        with torch.inference_mode():
            return model(x.to(device)).float().cpu().numpy()

    return Engine("torch", logits, note)


def query_engine(model: torch.nn.Module, engine: str = "auto") -> Engine:
    """The fastest checked way to compute ``model``'s logits without gradients.

    ``engine``: ``"auto"`` (ONNX Runtime on a CPU when available and checked, else torch),
    ``"onnx"`` (the same, but the reason is logged as a warning when it cannot be used) or
    ``"torch"`` (eager PyTorch, always).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    if engine == "torch":
        return torch_engine(model)
    got: object
    if model_device(model).type != "cpu":
        got = "a GPU runs the model itself"
    elif not getattr(model, "exportable", False):
        # Export traces forward once: side effects (a spy, a sandboxed script's other process)
        # would be lost. Only the app's own classifiers, plain layers, say they may be traced.
        got = "only plain-layer classifiers are exported"
    else:
        with _lock:
            got = _sessions.get(model)
            if got is None:
                got = _build(model)
                _sessions.clear()  # one model's session at a time: each holds a copy of the weights
                _sessions[model] = got
    if isinstance(got, str):
        (log.warning if engine == "onnx" else log.info)("ONNX Runtime not used: %s", got)
        return torch_engine(model, got)
    return Engine("onnx", _runner(got))


def model_device(model: torch.nn.Module) -> torch.device:
    """A classifier says where it runs (``Classifier.device``); any other module: where its
    tensors are."""
    device = getattr(model, "device", None)
    if isinstance(device, torch.device):
        return device
    tensor = next(iter(model.state_dict().values()), None)
    return tensor.device if tensor is not None else torch.device("cpu")


def _runner(session) -> Callable[[np.ndarray], np.ndarray]:
    def logits(images: np.ndarray) -> np.ndarray:
        return session.run(None, {"images": np.ascontiguousarray(images, dtype=np.float32)})[0]

    return logits


def _probe(model: torch.nn.Module) -> np.ndarray:
    """Images the check runs on: random 8-bit noise, flat greys and a smooth pattern."""
    channels = int(getattr(model, "channels", 3))
    h, w = tuple(getattr(model, "input_size", (224, 224)))
    rng = np.random.default_rng(0)
    noise = np.round(rng.random((3, channels, h, w)) * 255) / 255
    flat = np.stack([np.full((channels, h, w), v) for v in (0.0, 0.5, 1.0)])
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    smooth = (0.5 + 0.5 * np.sin(12 * xx + 5 * yy))[None].repeat(channels, 0)[None]
    return np.concatenate([noise, flat, smooth]).astype(np.float32)


def _build(model: torch.nn.Module) -> object:
    """An ONNX Runtime session checked against eager torch, or the reason there is none."""
    try:
        import onnxruntime as ort
    except Exception:  # noqa: BLE001 - not installed, or a broken install: torch does the work
        return "onnxruntime is not installed"
    probe = _probe(model)
    buf = io.BytesIO()
    try:
        with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (torch.from_numpy(probe[:2]),), buf, input_names=["images"],
                              output_names=["logits"], dynamic_axes={"images": {0: "n"}, "logits": {0: "n"}},
                              opset_version=OPSET, dynamo=False)
    except Exception as exc:  # noqa: BLE001 - missing onnx package, an op without an export, …
        return f"the model could not be exported ({type(exc).__name__}: {str(exc)[:120]})"
    try:
        options = ort.SessionOptions()
        options.intra_op_num_threads = runtime.ensure_threads()
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        session = ort.InferenceSession(buf.getvalue(), options, providers=["CPUExecutionProvider"])
        fast = session.run(None, {"images": probe})[0]
    except Exception as exc:  # noqa: BLE001
        return f"ONNX Runtime could not run the model ({type(exc).__name__})"
    with torch.inference_mode():
        ref = model(torch.from_numpy(probe)).double().softmax(-1).numpy()
    got = torch.from_numpy(np.asarray(fast)).double().softmax(-1).numpy()
    diff = float(np.abs(ref - got).max()) if got.shape == ref.shape else float("inf")
    if not diff <= TOLERANCE:  # NaN fails too
        return f"its probabilities differ from PyTorch's by {diff:.1e} (allowed {TOLERANCE:.0e})"
    log.info("ONNX Runtime runs %s (probabilities within %.1e of PyTorch)", getattr(model, "name", "the model"), diff)
    return session


def forget(model: torch.nn.Module) -> None:
    """Drop the cached session of ``model`` (tests; a model whose weights changed in place)."""
    with _lock:
        _sessions.pop(model, None)
