"""A classifier's anatomy, read from the model itself: its stages from pixels to class scores.

One traced forward pass records, in call order, every top-level part of the network (and the parts
inside a top-level ``Sequential``/``ModuleList`` of blocks) with the shape it outputs. The parts are
then grouped into *stages* the way a lecture draws them:

- a part without weights of its own (an activation, a pooling layer, dropout) or a normalisation
  layer joins the stage before it, unless it turns a picture into a vector (global pooling);
- inside a container of blocks, a block that changes the shape starts a new stage and the blocks
  after it with the same shape join it (EfficientNet's MBConv stages, ResNet's layers, VGG's blocks);
- every dense (``Linear``) part is a stage of its own.

Each stage knows where its output is taken (a module and which of its calls), so feature maps can
be read there and a forward pass can stop there (:class:`Probe`). Nothing here is specific to one
architecture: EfficientNet-Lite0, GoogLeNet, Inception V3, ResNet, VGG and MobileNet all work.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import numpy as np
import torch
from torch import nn

from .errors import UserError
from .models import Classifier

CONV, POOL, DENSE = "conv", "pool", "dense"
_NORMS = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm, nn.LocalResponseNorm)


@dataclass(frozen=True)
class Stage:
    """One stage of a network, as the anatomy page draws it and the CLI names it."""

    index: int
    name: str  # short and unique: "blocks3", "Mixed_5b", "fc"
    kind: str  # "conv" (extracts features), "pool" (picture → vector) or "dense" (exploits them)
    title: str  # "MBConvBlock ×2"
    shape: tuple[int, ...]  # output without the batch: (C, H, W) or (N,)
    parameters: int
    module: str  # dotted path of the module whose output is this stage's output
    call: int  # which call of that module in one forward pass (a shared activation is called often)

    @property
    def channels(self) -> int:
        return int(self.shape[0])

    @property
    def spatial(self) -> bool:
        return len(self.shape) == 3 and (self.shape[1] > 1 or self.shape[2] > 1)

    def shape_text(self) -> str:
        return "×".join(str(s) for s in self.shape)

    def to_dict(self) -> dict:
        return {"index": self.index, "name": self.name, "kind": self.kind, "title": self.title,
                "shape": list(self.shape), "channels": self.channels, "parameters": self.parameters,
                "module": self.module}


@dataclass
class _Part:
    path: str
    module: nn.Module
    call: int
    shape: tuple[int, ...]
    container: str  # the expanded container's name, "" for a top-level part
    weighted: bool


def _is_helper(module: nn.Module) -> bool:
    return isinstance(module, _NORMS) or not any(True for _ in module.parameters())


def _parts(net: nn.Module) -> list[tuple[str, nn.Module, str]]:
    """(path, module, container) for the top-level parts and the blocks of top-level containers."""
    out = []
    for name, child in net.named_children():
        if child is None:
            continue
        if isinstance(child, (nn.Sequential, nn.ModuleList)) and len(child) > 0:
            for sub, block in child.named_children():
                out.append((f"{name}.{sub}", block, name))
        else:
            out.append((name, child, ""))
    return out


def _vector_shape(shape: tuple[int, ...]) -> bool:
    return len(shape) == 1 or (len(shape) == 3 and shape[1] == 1 and shape[2] == 1)


def _trace(model: Classifier) -> list[_Part]:
    records: list[_Part] = []
    calls: dict[str, int] = {}
    hooks = []
    owner = threading.get_ident()  # another tab may run the same shared model meanwhile
    for path, module, container in _parts(model.net):
        def hook(mod, _inp, out, path=path, container=container):
            if threading.get_ident() != owner:
                return
            if not isinstance(out, torch.Tensor):
                out = getattr(out, "logits", None)
                if not isinstance(out, torch.Tensor):
                    return
            k = calls.get(path, 0)
            calls[path] = k + 1
            records.append(_Part(path, mod, k, tuple(out.shape[1:]), container, not _is_helper(mod)))
        hooks.append(module.register_forward_hook(hook))
    try:
        with torch.inference_mode():
            model(torch.full((1, model.channels, *model.input_size), 0.5, device=model.device))
    finally:
        for h in hooks:
            h.remove()
    return records


def _pretty(cls_name: str) -> str:
    for tail in ("StaticSamePadding", "DynamicSamePadding"):
        cls_name = cls_name.replace(tail, "")
    return cls_name


def _clean(name: str) -> str:
    return name.strip("_") or name


def stages(model: Classifier) -> list[Stage]:
    """The model's stages in the order the picture flows through them (cached per model)."""
    with _CACHE_LOCK:
        cached = _CACHE.get(id(model))
        if cached is not None and cached[0] is model:
            return cached[1]
    groups: list[list[_Part]] = []
    for part in _trace(model):
        prev = groups[-1][-1] if groups else None
        starts = prev is None
        if prev is not None:
            was_spatial = not _vector_shape(prev.shape)
            if not part.weighted:
                starts = was_spatial and _vector_shape(part.shape)  # global pooling
            elif isinstance(part.module, _NORMS):
                starts = False
            elif part.container and part.container == prev.container and len(part.shape) == 3:
                starts = part.shape != groups[-1][0].shape or _vector_shape(part.shape)
            else:
                starts = True
        if starts:
            groups.append([part])
        else:
            groups[-1].append(part)

    per_container: dict[str, int] = {}
    for g in groups:
        if g[0].container:
            per_container[g[0].container] = per_container.get(g[0].container, 0) + 1
    counter: dict[str, int] = {}
    out: list[Stage] = []
    seen_vector = False
    for i, g in enumerate(groups):
        head, last = g[0], g[-1]
        if head.container:
            counter[head.container] = counter.get(head.container, 0) + 1
            name = _clean(head.container)
            if per_container[head.container] > 1:
                name += str(counter[head.container])
        else:
            name = _clean(head.path)
        weighted = [p for p in g if p.weighted and not isinstance(p.module, _NORMS)]
        kinds = [_pretty(type(p.module).__name__) for p in (weighted or g)]
        title = kinds[0] if len(set(kinds)) == 1 else "+".join(dict.fromkeys(kinds))
        if len(weighted) > 1 and len(set(kinds)) == 1:
            title += f" ×{len(weighted)}"
        shape = tuple(int(s) for s in last.shape)
        if _vector_shape(shape):
            kind = DENSE if (seen_vector or isinstance(head.module, nn.Linear)) else POOL
            seen_vector = True
            shape = (shape[0],)
        else:
            kind = CONV
        modules = {id(p.module): p.module for p in g}
        params = sum(q.numel() for m in modules.values() for q in m.parameters())
        out.append(Stage(i, name, kind, title, shape, int(params), last.path, last.call))
    names = [s.name for s in out]
    if len(set(names)) != len(names):  # never expected, but names must be unique for the CLI
        out = [dataclasses.replace(s, name=f"{s.name}_{s.index}") for s in out]
    with _CACHE_LOCK:
        _CACHE[id(model)] = (model, out)
    return out


_CACHE: dict[int, tuple[Classifier, list[Stage]]] = {}
_CACHE_LOCK = threading.Lock()


def find_stage(model: Classifier, name: str | int) -> Stage:
    """A stage by name (case-insensitive) or index, or a :class:`UserError` listing them."""
    all_stages = stages(model)
    text = str(name).strip()
    if text.lstrip("-").isdigit():
        i = int(text)
        if 0 <= i < len(all_stages):
            return all_stages[i]
    for s in all_stages:
        if s.name.lower() == text.lower():
            return s
    raise UserError(f"{model.name} has no stage “{name}”; its stages are "
                    f"{', '.join(s.name for s in all_stages)}.")


def dream_default(model: Classifier) -> Stage:
    """A stage a little past the middle of the convolutional part: parts of things, not yet classes."""
    conv = [s for s in stages(model) if s.kind == CONV]
    return conv[min(len(conv) - 1, int(len(conv) * 0.6))]


def check_channel(stage: Stage, channel: int) -> int:
    if not 0 <= channel < stage.channels:
        raise UserError(f"stage {stage.name} has channels 0–{stage.channels - 1}; {channel} is not one of them.")
    return channel


# ------------------------------------------------------------------------------------- probes
class _Reached(Exception):
    """Raised by a probe's hook to end a forward pass once every wanted output is in hand."""


class Probe:
    """Catch the outputs of some stages during a forward pass, optionally stopping after the last.

    Hooks act only in the thread that made the probe, so another tab running the same shared model
    at the same time is never affected. Use as a context manager::

        with Probe(model, [stage]) as probe:
            acts = probe.run(x)   # {stage.name: tensor}
    """

    def __init__(self, model: Classifier, wanted: Sequence[Stage], *, stop_early: bool = True) -> None:
        self.model = model
        self.wanted = list(wanted)
        self.stop_early = stop_early
        self._owner = threading.get_ident()
        self._modules = dict(model.net.named_modules())
        self._hooks: list = []
        self._calls: dict[str, int] = {}
        self._got: dict[str, torch.Tensor] = {}

    def __enter__(self) -> "Probe":
        for path in {s.module for s in self.wanted}:
            self._hooks.append(self._modules[path].register_forward_hook(self._hook(path)))
        return self

    def __exit__(self, *exc) -> None:
        for h in self._hooks:
            h.remove()
        self._hooks.clear()

    def _hook(self, path: str):
        def hook(_mod, _inp, out):
            if threading.get_ident() != self._owner:
                return
            k = self._calls.get(path, 0)
            self._calls[path] = k + 1
            for s in self.wanted:
                if s.module == path and s.call == k:
                    t = out if isinstance(out, torch.Tensor) else out.logits
                    self._got[s.name] = t.flatten(1) if len(s.shape) == 1 else t
            if self.stop_early and len(self._got) == len(self.wanted):
                raise _Reached
        return hook

    def run(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Forward ``x`` (pixels in [0, 1]); the wanted stages' outputs by stage name."""
        self._calls.clear()
        self._got = {}
        try:
            self.model(x)
        except _Reached:
            pass
        missing = [s.name for s in self.wanted if s.name not in self._got]
        if missing:
            raise RuntimeError(f"stages {missing} produced no output")
        return self._got


def activations(model: Classifier, image: np.ndarray, stage: Stage) -> torch.Tensor:
    """One picture's output at ``stage`` (C×H×W or N), computed without gradients."""
    from .jobs import from_uint8_image

    x = from_uint8_image(_rgb_for(model, image), model.device)
    with torch.inference_mode(), Probe(model, [stage]) as probe:
        return probe.run(x)[stage.name][0].float().cpu()


def _rgb_for(model: Classifier, image: np.ndarray) -> np.ndarray:
    from .imaging import fit_image

    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    if image.shape[:2] != tuple(model.input_size):
        image = fit_image(image, model.input_size, "crop")
    return image


def channel_means(model: Classifier, images: Iterable[np.ndarray], stage: Stage) -> np.ndarray:
    """Mean activation of every channel of ``stage`` for each picture: (pictures, channels)."""
    rows = []
    for img in images:
        a = activations(model, img, stage)
        rows.append((a.mean((1, 2)) if a.dim() == 3 else a).numpy())
    return np.stack(rows)


def iter_stage_names(model: Classifier) -> Iterator[str]:
    for s in stages(model):
        yield s.name
