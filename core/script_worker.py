"""The child process that runs a trusted TorchScript file (started by :mod:`core.script_sandbox`).

This file is run as a script (``python -I script_worker.py MODEL``), never imported by the app: it
imports only torch. Requests and answers travel over the process's stdin/stdout as frames of a
4-byte length, a JSON header and raw float32 bytes, so the app never unpickles anything the child
sends. The scripted model's own printing goes to stderr, not into the answers.
"""

import json
import os
import struct
import sys


def _read_exact(stream, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = stream.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _recv(stream):
    head = _read_exact(stream, 4)
    if head is None:
        return None, b""
    header = json.loads(_read_exact(stream, struct.unpack("<I", head)[0]).decode("utf-8"))
    payload = _read_exact(stream, int(header.get("nbytes", 0))) or b""
    return header, payload


def _send(stream, header, payload=b""):
    header = dict(header, nbytes=len(payload))
    raw = json.dumps(header).encode("utf-8")
    stream.write(struct.pack("<I", len(raw)) + raw + payload)
    stream.flush()


def _failure(exc):
    text = str(exc)
    if isinstance(exc, MemoryError) or "can't allocate memory" in text or "out of memory" in text.lower():
        return {"ok": False, "error": "memory"}
    return {"ok": False, "error": type(exc).__name__, "detail": text.splitlines()[0][:200] if text else ""}


def _limit(memory_bytes, cpu_seconds):
    """Cap this process's memory and CPU time, and die with the app (POSIX; skipped elsewhere)."""
    try:
        import resource
    except ImportError:
        return
    kind = resource.RLIMIT_DATA if sys.platform.startswith("linux") else resource.RLIMIT_AS
    for what, value in ((kind, memory_bytes), (resource.RLIMIT_CPU, cpu_seconds), (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(what, (value, value))
        except (ValueError, OSError):
            pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def main():
    path = sys.argv[1]
    threads = int(sys.argv[2])
    _limit(int(sys.argv[3]), int(sys.argv[4]))
    # The answers get their own descriptor; whatever the model prints (C++ std::cout included)
    # lands on stderr instead of corrupting them.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer
    import torch

    torch.set_num_threads(max(1, threads))
    try:
        net = torch.jit.load(path, map_location="cpu")
        net.eval()
    except BaseException as exc:  # noqa: BLE001 - reported to the app in words
        _send(answers, _failure(exc))
        return
    _send(answers, {"ok": True})
    kept = None  # (id, input, output) of the last forward pass that will be differentiated
    while True:
        header, payload = _recv(requests)
        if header is None:
            return
        try:
            shape = [int(s) for s in header["shape"]]
            x = torch.frombuffer(bytearray(payload), dtype=torch.float32).reshape(shape)
            if header["op"] == "forward":
                if header.get("grad"):
                    x.requires_grad_(True)
                    with torch.enable_grad():
                        y = net(x)
                    kept = (header["id"], x, y)
                else:
                    with torch.inference_mode():
                        y = net(x)
                if not isinstance(y, torch.Tensor):
                    raise TypeError("the model's output is not a tensor")
                out = y.detach().float().contiguous()
            elif header["op"] == "backward":
                if kept is None or kept[0] != header["id"]:
                    raise RuntimeError("no forward pass to differentiate")
                _, xin, y = kept
                (out,) = torch.autograd.grad(y, xin, x.reshape(y.shape))
                out = out.detach().float().contiguous()
                kept = None
            else:
                raise ValueError("unknown request")
            _send(answers, {"ok": True, "shape": list(out.shape)}, out.numpy().tobytes())
        except BaseException as exc:  # noqa: BLE001 - reported to the app in words
            _send(answers, _failure(exc))


if __name__ == "__main__":
    main()
