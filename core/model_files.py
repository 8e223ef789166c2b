"""A user's own classifier file: weights as data, code only by explicit consent.

* ``.safetensors`` — tensors and nothing else; the format cannot carry code.
* a PyTorch state dict (``.pt``/``.pth``) — read with ``torch.load(weights_only=True)``, which
  unpickles tensors and plain containers only.
Either is matched to one of the listed architectures by its keys, then checked layer by layer
(shapes, finite numbers) before a single weight is copied.

* TorchScript — a program: loading it runs its ``__setstate__`` and every forward pass runs its code.
  Refused unless the caller passes ``trust_code=True`` (``--trust-model-code`` on the command line,
  a confirmation dialog in the window); then it runs in a separate process with time and memory
  limits (:mod:`core.script_sandbox`), never in the app's own.
"""

from __future__ import annotations

import json
import os
import re
import struct
import zipfile
from pathlib import Path

import torch

from .errors import UserError
from .models import ModelSpec, get_spec, model_names, register_spec

#: What the file dialogs and the CLI take as a model file.
MODEL_SUFFIXES = (".safetensors", ".pt", ".pth", ".ts", ".bin")
OPEN_FILTER = "Model files (" + " ".join(f"*{s}" for s in MODEL_SUFFIXES) + ")"
#: Larger than any listed architecture's weights (VGG-16: 528 MB).
MAX_FILE_BYTES = 2 * 2**30

SCRIPT_REFUSED = ("“{name}” is TorchScript, which is a program: opening it would run the code inside it. "
                  "Fooling Lab opens it only if you trust where it came from ({how}).")


class TorchScriptRefused(UserError):
    """A TorchScript file offered without the user's consent to run its code."""


def looks_like_model_file(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in MODEL_SUFFIXES


def is_torchscript(path: Path) -> bool:
    """A zip archive with TorchScript's ``code/`` folder or its ``constants.pkl``."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return any(n.split("/", 1)[-1].startswith(("code/", "constants.pkl")) for n in names)


def _is_safetensors(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(9)
    except OSError:
        return False
    return len(head) == 9 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] < (100 << 20)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise UserError(f"“{path}” does not exist.")
    if path.is_dir():
        raise UserError(f"“{path.name}” is a folder, not a model file.")
    if not path.is_file():
        raise UserError(f"“{path.name}” is not a regular file.")
    size = path.stat().st_size
    if size == 0:
        raise UserError(f"“{path.name}” is empty (0 bytes).")
    if size > MAX_FILE_BYTES:
        raise UserError(f"“{path.name}” is {size / 2**30:.1f} GB, larger than any model Fooling Lab knows.")


def read_state_dict(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file or a state dict, without running any code."""
    path = Path(path)
    _check_file(path)
    if path.suffix.lower() == ".safetensors" or _is_safetensors(path):
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            obj = load_file(str(path), device="cpu")
        except (SafetensorError, OSError, ValueError, RuntimeError, json.JSONDecodeError) as exc:
            raise UserError(f"“{path.name}” is not a readable safetensors file.") from exc
    else:
        if is_torchscript(path):
            raise TorchScriptRefused(SCRIPT_REFUSED.format(name=path.name, how="--trust-model-code"))
        try:
            obj = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - any failure means "not a weights file we accept"
            raise UserError(f"“{path.name}” is not a weights file that can be loaded safely.") from exc
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not obj or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in obj.items()):
        raise UserError(f"“{path.name}” does not hold a state dict of tensors.")
    return {re.sub(r"^(module|_orig_mod)\.", "", k): v for k, v in obj.items()}


def _shape(t) -> str:
    return "×".join(str(s) for s in t.shape) or "a single number"


def check_fits(state: dict[str, torch.Tensor], spec: ModelSpec, filename: str) -> None:
    """Refuse, naming the first layer that is wrong, a state dict that does not fit ``spec``."""
    expected = _expected_tensors(spec)
    for key, want in expected.items():
        got = state.get(key)
        if got is None:
            raise UserError(f"the weights in “{filename}” do not fit {spec.title}: layer “{key}” is missing.")
        if tuple(got.shape) != tuple(want.shape):
            raise UserError(f"the weights in “{filename}” do not fit {spec.title}: layer “{key}” is "
                            f"{_shape(got)}, the architecture needs {_shape(want)}.")
        if want.is_floating_point() and not got.is_floating_point():
            raise UserError(f"the weights in “{filename}” do not fit {spec.title}: layer “{key}” holds "
                            f"{str(got.dtype).replace('torch.', '')} numbers, not real numbers.")
        if got.is_floating_point() and got.numel() and not bool(torch.isfinite(got).all()):
            raise UserError(f"the weights in “{filename}” are broken: layer “{key}” contains NaN or "
                            "infinite numbers.")
    extra = [k for k in state if k not in expected]
    if extra:
        raise UserError(f"the weights in “{filename}” do not fit {spec.title}: it has no layer “{extra[0]}”.")


def _expected_tensors(spec: ModelSpec) -> dict[str, torch.Tensor]:
    """The architecture's state dict, built on the meta device (no memory, no initialisation)."""
    try:
        with torch.device("meta"):
            return dict(spec.build().state_dict())
    except Exception:  # noqa: BLE001 - an architecture that cannot be built on meta: build it for real
        return dict(spec.build().state_dict())


def _match(state: dict[str, torch.Tensor], arch: str | None, filename: str) -> ModelSpec:
    if arch:
        return get_spec(arch)
    keys = set(state)
    for name in model_names():
        spec = get_spec(name)
        if spec.source == "file":
            continue
        try:
            if set(_expected_tensors(spec)) == keys:
                return spec
        except Exception:  # noqa: BLE001 - an architecture that cannot be built is no match
            continue
    known = ", ".join(n for n in model_names() if get_spec(n).source != "file")
    raise UserError(f"the weights in “{filename}” match none of the known architectures ({known}).")


def register_model_file(path: str | os.PathLike, arch: str | None = None, *, trust_code: bool = False,
                        refusal_hint: str = "--trust-model-code") -> str:
    """Register a user's model file and return its registry name (``file:<stem>``).

    A TorchScript file raises :class:`TorchScriptRefused` unless ``trust_code``; trusted, it is
    loaded and probed in a sandboxed child process (this may take seconds: call it off the UI thread).
    """
    p = Path(path).expanduser()
    _check_file(p)
    if is_torchscript(p):
        if not trust_code:
            raise TorchScriptRefused(SCRIPT_REFUSED.format(name=p.name, how=refusal_hint))
        spec = _sandboxed_spec(p)
    else:
        state = read_state_dict(p)
        match = _match(state, arch, p.name)
        check_fits(state, match, p.name)
        spec = ModelSpec(
            name=f"file:{p.stem}", title=f"{p.name} ({match.title.split(' (')[0]} architecture)",
            input_size=match.input_size, dataset=match.dataset, source="file", build=match.build,
            weights=lambda: p, mean=match.mean, std=match.std, channels=match.channels,
            finish=match.finish, provenance=f"user file {p}",
        )
    register_spec(spec)
    return spec.name


def _sandboxed_spec(p: Path) -> ModelSpec:
    from .script_sandbox import SandboxedNet, ScriptSandbox

    box = ScriptSandbox(p)
    try:
        base = _probe(box, p.name)
    except BaseException:
        box.close()
        raise
    net = SandboxedNet(box)
    return ModelSpec(
        name=f"file:{p.stem}", title=f"{p.name} (your TorchScript model, run apart)", input_size=base.input_size,
        dataset=base.dataset, source="file", build=lambda: net, weights=lambda: p, mean=base.mean,
        std=base.std, channels=base.channels, provenance=f"user file {p} (trusted TorchScript, sandboxed)",
        load=lambda: net,
    )


def _probe(box, filename: str) -> ModelSpec:
    """Which of the standard inputs the sandboxed model accepts (its errors stay in the child)."""
    for name in ("efficientnet_lite0", "inception_v3", "mnist_cnn"):
        base = get_spec(name)
        x = torch.rand(1, base.channels, *base.input_size)
        x = (x - torch.tensor(base.mean).view(1, -1, 1, 1)) / torch.tensor(base.std).view(1, -1, 1, 1)
        try:
            out, _ = box.forward(x)
        except UserError:
            if not box.alive:  # stopped for time or memory: say so, do not try the next size
                raise
            continue
        if out.dim() == 2 and out.shape[1] == len(base.labels):
            return base
    raise UserError(f"“{filename}” takes neither 224×224 / 299×299 colour images with 1000 classes "
                    "nor 28×28 digits with 10 classes.")


def save_safetensors(state: dict[str, torch.Tensor], path: str | os.PathLike) -> Path:
    """Write tensors as a ``.safetensors`` file (atomically)."""
    from safetensors.torch import save_file

    out = Path(path)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    tensors = {k: v.detach().to("cpu").contiguous().clone() for k, v in state.items()}
    try:
        save_file(tensors, str(tmp))
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"could not write “{out.name}” ({exc.strerror or exc}).") from exc
    return out


def convert_to_safetensors(src: str | os.PathLike, dst: str | os.PathLike, arch: str | None = None) -> tuple[Path, str]:
    """Check a state dict against its architecture and write it as safetensors; returns (path, arch)."""
    p = Path(src)
    state = read_state_dict(p)
    match = _match(state, arch, p.name)
    check_fits(state, match, p.name)
    return save_safetensors(state, dst), match.name
