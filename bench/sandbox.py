"""What running a trusted TorchScript model apart costs: in-process vs the sandboxed child process.

    python bench/sandbox.py

Scripts the MNIST CNN and EfficientNet-Lite0, then times forward passes (batch 1 and 64 for MNIST,
batch 1 and 8 for Lite0) interleaved — in this process, then in the sandbox — and prints the
median milliseconds and their ratio, plus the time to start the sandbox (import torch, load, probe).
Absolute figures depend on the machine's load; the ratios are the point.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import models  # noqa: E402


def main() -> int:
    torch.set_num_threads(1)
    folder = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    print("| model | batch | in process (ms) | sandboxed (ms) | ratio |")
    print("|---|---|---|---|---|")
    starts = []
    for name, batches in (("mnist_cnn", (1, 64)), ("efficientnet_lite0", (1, 8))):
        base = models.load_classifier(name)
        path = folder / f"{name}.pt"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.jit.trace(base.net, torch.rand(1, base.channels, *base.input_size)).save(str(path))
        t = time.perf_counter()
        reg = models.register_model_file(path, trust_code=True)
        boxed = models.load_classifier(reg)
        starts.append((name, time.perf_counter() - t))
        # The reference: the same program in this process. Safe only because this bench traced it
        # itself from a shipped model two lines up; a user's file is never loaded this way.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            local = torch.jit.load(str(path))
        for b in batches:
            x = torch.rand(b, base.channels, *base.input_size)
            a, s = [], []
            for _ in range(15):
                t = time.perf_counter()
                with torch.inference_mode():
                    local(x)
                a.append(time.perf_counter() - t)
                t = time.perf_counter()
                with torch.inference_mode():
                    boxed.net(x)
                s.append(time.perf_counter() - t)
            ma, ms = statistics.median(a) * 1e3, statistics.median(s) * 1e3
            print(f"| {name} | {b} | {ma:.1f} | {ms:.1f} | {ms / ma:.2f} |")
        boxed.net.box.close()
    for name, secs in starts:
        print(f"# starting the sandbox for {name} (new process, import torch, load, probe): {secs:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
