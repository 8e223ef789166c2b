"""Train the autoencoders that ship in ``resources/models/`` (the Autoencoder tab opens with them).

Each is trained from scratch on the bundled MNIST sample (8,000 training digits; the 2,000
validation digits give the detector's mean and standard deviation), with a fixed seed, by the same
``core.autoencoders.train_job`` that the tab's "Train from scratch" runs.

Usage (run once; the results are committed):
    OMP_NUM_THREADS=2 python scripts/train_autoencoders.py            # all shipped models
    python scripts/train_autoencoders.py dense32 conv32               # some of them
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import autoencoders as ae  # noqa: E402
from core.data import mnist_sample  # noqa: E402

#: name → (config, epochs)
SHIPPED = {
    "dense32": (ae.AEConfig("dense", 32), 50),
    "deep32": (ae.AEConfig("deep", 32), 50),
    "conv32": (ae.AEConfig("conv", 32), 50),
    "dense32-denoise": (ae.AEConfig("dense", 32, noise=0.5), 50),
    "dense2": (ae.AEConfig("dense", 2), 30),
    "deep2": (ae.AEConfig("deep", 2), 30),
}


def main(names: list[str]) -> None:
    digits = mnist_sample()
    for name in names or list(SHIPPED):
        config, epochs = SHIPPED[name]
        assert config.name == name, (config.name, name)
        t0 = time.perf_counter()
        last = None
        for last in ae.train_job(digits, config, ae.default_params(config.arch, epochs), seed=0):
            pass
        out = last.result.save(ae.shipped_weights(config))
        r = last.result
        print(f"{name}: {epochs} epochs, validation loss {r.val_loss:.4f}, digits' detector score "
              f"{r.mean:.4f} ± {r.std:.4f}, {time.perf_counter() - t0:.0f} s, "
              f"{out.stat().st_size / 1e6:.2f} MB → {out}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
