"""Run a TorchScript model the user chose to trust in a separate process with time and memory limits.

TorchScript is a program: loading it runs the file's ``__setstate__`` and every forward pass runs its
code, which may read or write files, allocate gigabytes or loop forever. Fooling Lab refuses such
files unless the user trusts them, and even then runs them here: in a child process (started from
``core/script_worker.py``) whose memory is capped with ``setrlimit`` (POSIX), whose every answer has a
deadline, and which is killed when it overruns. Inputs go as float32 arrays, answers come back as
float32 arrays with a JSON header: nothing from the child is ever unpickled.

Gradients work too (the white-box attacks need them): the child keeps the graph of the last forward
pass made with ``grad=True`` and answers a ``backward`` request with the input's gradient.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import select
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .errors import UserError

#: Seconds the file may take to load, and each forward or backward pass to answer.
LOAD_TIMEOUT_S = 60.0
CALL_TIMEOUT_S = 60.0
#: Memory the child may use beyond what it needs to hold the model file itself.
MEMORY_ALLOWANCE = 2 * 2**30
#: CPU seconds the child may use in all (a guard should the app itself be gone).
CPU_SECONDS = 3600
WORKER = Path(__file__).with_name("script_worker.py")



def _timeout(which: str, default: float) -> float:
    """``FOOLING_LAB_SCRIPT_{LOAD,CALL}_TIMEOUT`` (seconds) override the defaults (tests, slow PCs)."""
    try:
        value = float(os.environ.get(f"FOOLING_LAB_SCRIPT_{which}_TIMEOUT", default))
    except ValueError:
        return default
    return value if value > 0 else default


_LIVE: "weakref.WeakSet[ScriptSandbox]" = weakref.WeakSet()


class ScriptSandbox:
    """One child process holding one TorchScript model; thread-safe, one request at a time."""

    def __init__(self, path: str | os.PathLike, *, load_timeout: float | None = None,
                 call_timeout: float | None = None, memory_bytes: int | None = None, threads: int = 1) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.call_timeout = _timeout("CALL", CALL_TIMEOUT_S) if call_timeout is None else call_timeout
        self.load_timeout = _timeout("LOAD", LOAD_TIMEOUT_S) if load_timeout is None else load_timeout
        size = self.path.stat().st_size
        self.memory_bytes = memory_bytes or (MEMORY_ALLOWANCE + 3 * size)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._workdir = tempfile.TemporaryDirectory(prefix="fooling-lab-script-")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LD_PRELOAD"))}
        env.update(CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS=str(threads))
        # The child caps its own memory and CPU time before it touches the file; in its own session,
        # Ctrl+C in a terminal reaches only the app, which then stops the child itself.
        self._proc = subprocess.Popen(
            [sys.executable, "-I", str(WORKER), str(self.path.resolve()), str(threads),
             str(self.memory_bytes), str(CPU_SECONDS)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=self._workdir.name, env=env, start_new_session=True,
        )
        _LIVE.add(self)
        try:
            header, _ = self._answer(self.load_timeout, "load")
        except BaseException:
            self.close()
            raise
        if not header.get("ok"):
            self.close()
            raise self._error(header, "cannot be loaded")

    # -- requests
    def forward(self, x: torch.Tensor, *, keep_graph: bool = False) -> tuple[torch.Tensor, int]:
        """Logits for a CPU float batch; with ``keep_graph`` the child keeps it for :meth:`backward`."""
        ident = next(self._ids)
        out = self._request({"op": "forward", "id": ident, "grad": bool(keep_graph)}, x)
        return out, ident

    def backward(self, ident: int, grad_out: torch.Tensor) -> torch.Tensor:
        return self._request({"op": "backward", "id": ident}, grad_out)

    def _request(self, header: dict, x: torch.Tensor) -> torch.Tensor:
        arr = np.ascontiguousarray(x.detach().to("cpu", torch.float32).numpy())
        with self._lock:
            if self._proc.poll() is not None:
                raise UserError(f"“{self.name}” is no longer running; open the model file again.")
            header = dict(header, shape=list(arr.shape), nbytes=arr.nbytes)
            raw = json.dumps(header).encode("utf-8")
            try:
                self._proc.stdin.write(struct.pack("<I", len(raw)) + raw + arr.tobytes())
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError):
                self.close()
                raise UserError(f"“{self.name}” stopped working (its process ended).") from None
            answer, payload = self._answer(self.call_timeout, "answer")
        if not answer.get("ok"):
            raise self._error(answer, "failed on this input")
        shape = answer.get("shape")
        if (not isinstance(shape, list) or len(shape) > 8 or not all(isinstance(s, int) and s >= 0 for s in shape)
                or int(np.prod(shape, dtype=np.int64)) * 4 != len(payload)):
            raise UserError(f"“{self.name}” gave an answer that is not a table of numbers.")
        return torch.from_numpy(np.frombuffer(payload, dtype=np.float32).reshape(shape).copy())

    # -- reading answers with a deadline
    def _answer(self, timeout: float, what: str) -> tuple[dict, bytes]:
        deadline = time.monotonic() + timeout
        try:
            head = self._read(4, deadline, what)
            size = struct.unpack("<I", head)[0]
            if size > 1 << 20:
                raise UserError(f"“{self.name}” gave an answer that is not a table of numbers.")
            header = json.loads(self._read(size, deadline, what).decode("utf-8"))
            if not isinstance(header, dict):
                raise ValueError
            nbytes = int(header.get("nbytes", 0))
            if not 0 <= nbytes <= 1 << 31:
                raise ValueError
            return header, self._read(nbytes, deadline, what)
        except (ValueError, UnicodeDecodeError):
            self.close()
            raise UserError(f"“{self.name}” gave an answer that is not a table of numbers.") from None
        except BaseException:  # a timeout, a crash, or Ctrl+C while waiting: the child goes
            self.close()
            raise

    def _read(self, n: int, deadline: float, what: str) -> bytes:
        out = bytearray()
        fd = self._proc.stdout.fileno()
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                verb = "finish loading" if what == "load" else "answer"
                raise UserError(f"“{self.name}” did not {verb} within {self._seconds(what)} s "
                                "(it may loop forever), so it was stopped.")
            ready, _, _ = select.select([fd], [], [], min(left, 0.25))
            if not ready:
                continue
            chunk = os.read(fd, min(n - len(out), 1 << 20))
            if not chunk:
                code = self._proc.wait(timeout=5)
                if code is not None and code < 0 and -code in (9, 24):  # SIGKILL / SIGXCPU
                    raise UserError(f"“{self.name}” used more than its share of time or memory, so it was stopped.")
                raise UserError(f"“{self.name}” stopped working (its process ended).")
            out += chunk
        return bytes(out)

    def _seconds(self, what: str) -> str:
        return f"{(self.load_timeout if what == 'load' else self.call_timeout):g}"

    def _error(self, header: dict, doing: str) -> UserError:
        if header.get("error") == "memory":
            self.close()
            return UserError(f"“{self.name}” tried to use more than {self.memory_bytes / 2**30:.1f} GB of memory, "
                             "so it was stopped.")
        detail = str(header.get("detail") or header.get("error") or "")[:160]
        return UserError(f"“{self.name}” {doing}" + (f" ({detail})." if detail else "."))

    # -- lifetime
    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def close(self) -> None:
        proc = getattr(self, "_proc", None)
        if proc is not None and proc.poll() is None:
            proc.kill()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        for stream in (getattr(proc, "stdin", None), getattr(proc, "stdout", None)):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        workdir = getattr(self, "_workdir", None)
        if workdir is not None:
            workdir.cleanup()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


@atexit.register
def _close_all() -> None:
    for box in list(_LIVE):
        box.close()


class _Remote(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, box: ScriptSandbox) -> torch.Tensor:  # noqa: D102
        y, ident = box.forward(x, keep_graph=bool(ctx.needs_input_grad[0]))
        ctx.box, ctx.ident, ctx.device = box, ident, x.device
        return y.to(x.device)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # noqa: D102
        return ctx.box.backward(ctx.ident, grad).to(ctx.device), None


class SandboxedNet(nn.Module):
    """An ``nn.Module`` whose forward pass runs in the sandbox (gradients included)."""

    #: Never traced into an ONNX graph (``core/inference``): its forward talks to another process.
    traceable = False

    def __init__(self, box: ScriptSandbox) -> None:
        super().__init__()
        self.box = box

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _Remote.apply(x, self.box)
