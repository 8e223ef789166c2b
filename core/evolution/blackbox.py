"""The black box: the only door from the evolution job to the network.

Images in, class probabilities out, every image counted. Only logits come back from the model
(ONNX Runtime on a CPU, checked against eager torch, see ``core/inference``; torch under
``torch.inference_mode()`` otherwise): no autograd graph exists, so no gradient can be taken.
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np
import torch

from .. import inference
from ..errors import UserError
from ..jobs import CancelToken
from ..models import resolve_class

#: On a CPU, a forward pass takes at most this many bytes of input images (4 ImageNet images).
CPU_BATCH_BYTES = 4 * 4 * 3 * 224 * 224

#: Twenty ImageNet classes, most of them from the paper's figures of fooling images: the
#: benchmark's fixed set and the window's default choice for ImageNet models.
IMAGENET_SHOWCASE = (
    "king penguin", "starfish", "baseball", "electric guitar", "freight car", "remote control",
    "peacock", "African chameleon", "school bus", "computer keyboard", "robin", "cheetah",
    "jellyfish", "lesser panda", "goldfish", "volcano", "pizza", "accordion", "tiger shark", "monarch",
)


def parse_targets(labels: Sequence[str], spec: str) -> list[int]:
    """``all``, one class (name or index), or several separated by commas → class indices."""
    text = spec.strip()
    if text.lower() == "all":
        return list(range(len(labels)))
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise UserError("no target class given.")
    targets = [resolve_class(tuple(labels), p) for p in parts]
    if len(set(targets)) != len(targets):
        raise UserError("a target class is listed twice.")
    return targets


def quantise(x: np.ndarray) -> np.ndarray:
    """Round to the 8-bit grid, so what is queried is exactly what a PNG would hold."""
    return np.round(np.clip(x, 0.0, 1.0) * 255.0).astype(np.float32) / 255.0


def to_u8(img: np.ndarray) -> np.ndarray:
    """C×H×W float in [0, 1] (or already uint8) → H×W (grey) or H×W×3 uint8."""
    arr = img if img.dtype == np.uint8 else np.round(np.clip(img, 0.0, 1.0) * 255.0).astype(np.uint8)
    # Always a copy of its own: ``img`` may be a view into a whole generation's images.
    return np.array(arr[0] if arr.shape[0] == 1 else arr.transpose(1, 2, 0), order="C")


class BlackBox:
    """Images in, class probabilities out, every image counted.

    ``images`` is an N×C×H×W float32 array in [0, 1] (or a tensor, already on the model's device
    when the model is on a GPU); the answer is an N×K float64 array of
    softmax probabilities (computed in double precision so that 99.99 % and 99.999 % still rank).
    With a ``cancel`` token the images are sent in batches and a Stop between two batches ends the
    call early: the answer then holds the rows of the images actually queried (a prefix).
    """

    def __init__(self, model: torch.nn.Module, *, batch_size: int | None = None, engine: str = "auto") -> None:
        self._device = inference.model_device(model)
        self.engine = inference.query_engine(model, engine)
        self.channels: int = int(model.channels)
        self.input_size: tuple[int, int] = tuple(model.input_size)
        self._batch_size = max(1, int(batch_size)) if batch_size else self.auto_batch_size()
        self.queries = 0
        self.calls = 0
        self.seconds = 0.0
        self.labels: tuple[str, ...] = tuple(model.labels)
        self.name: str = str(model.name)

    def auto_batch_size(self) -> int:
        """Images per forward pass. A GPU wants large batches; on a CPU a batch whose activations
        outgrow the caches is slower per image than small ones (EfficientNet-Lite0 on 2 cores: 55
        images/s in batches of 4, 25/s in batches of 64; the MNIST CNN: 2.3× faster batched)."""
        if self._device.type != "cpu":
            return 256
        image_bytes = 4 * self.channels * self.input_size[0] * self.input_size[1]
        return max(1, min(64, CPU_BATCH_BYTES // image_bytes))

    @property
    def device(self) -> torch.device:
        return self._device

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @property
    def num_classes(self) -> int:
        return len(self.labels)

    def __call__(self, images: np.ndarray | torch.Tensor, cancel: CancelToken | None = None) -> np.ndarray:
        if isinstance(images, torch.Tensor) and self.engine.name != "torch":
            images = images.cpu().numpy()
        if not isinstance(images, torch.Tensor):
            images = np.ascontiguousarray(images, dtype=np.float32)
        if images.ndim != 4 or images.shape[1] != self.channels or tuple(images.shape[2:]) != self.input_size:
            raise ValueError(f"expected N×{self.channels}×{self.input_size[0]}×{self.input_size[1]} images, "
                             f"got {images.shape}")
        t0 = time.perf_counter()
        outs = []
        for i in range(0, len(images), self._batch_size):
            if i and cancel is not None and cancel.cancelled:
                break
            x = images[i : i + self._batch_size]
            outs.append(torch.from_numpy(self.engine.logits(x)).double().softmax(-1))
            self.queries += len(x)
        self.calls += 1
        self.seconds += time.perf_counter() - t0
        return torch.cat(outs).numpy() if outs else np.zeros((0, self.num_classes))
