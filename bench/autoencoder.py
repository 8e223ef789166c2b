"""Autoencoder figures: seconds per epoch on the 10k digits, validation BCE, detector AUROC.

Trains each architecture from scratch on the bundled MNIST sample (8,000 training / 2,000
validation digits) with the tab's default settings, then tests the "LIAR!" detector (threshold
mean + 3·std) against off-manifold images. Prints one table; the goals from the issue are shown
beside the measured figures.

    OMP_NUM_THREADS=2 python bench/autoencoder.py                  # 50 epochs, all three
    python bench/autoencoder.py --epochs 10 --archs dense deep     # shorter
    python bench/autoencoder.py --shipped                          # detector figures only
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from core import autoencoders as ae  # noqa: E402
from core import runtime  # noqa: E402
from core.data import mnist_sample  # noqa: E402

GOALS = {"dense": 0.100, "deep": 0.090, "conv": 0.090}


def detector_figures(trained: ae.TrainedAE, digits, n: int) -> ae.DetectorReport:
    off = ae.off_manifold_set(digits, ae.OFF_MANIFOLD_KINDS, n=n, seed=7)
    return ae.evaluate_detector(trained, off, k=3.0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--archs", nargs="+", default=list(ae.ARCHS), choices=ae.ARCHS)
    p.add_argument("--latent", type=int, default=32)
    p.add_argument("--n-off", type=int, default=300, help="off-manifold images of each kind")
    p.add_argument("--device", default="cpu")
    p.add_argument("--shipped", action="store_true", help="only test the shipped default model's detector")
    args = p.parse_args()
    device = runtime.pick_device(args.device)
    digits = mnist_sample()
    print(f"device: {runtime.describe_device(device)}; data: {digits.source}; "
          f"torch threads: {torch.get_num_threads()}")

    runs: list[tuple[str, ae.TrainedAE, float]] = []
    if args.shipped:
        trained = ae.load_default()
        runs.append((f"shipped {trained.config.name} ({trained.epochs} ep)", trained, float("nan")))
    else:
        for arch in args.archs:
            config = ae.AEConfig(arch, args.latent)
            params = ae.default_params(arch, epochs=args.epochs)
            t0 = time.perf_counter()
            last = None
            for last in ae.train_job(digits, config, params, seed=0, device=device):
                pass
            seconds = time.perf_counter() - t0
            trained = last.result
            trained.model.to("cpu")
            runs.append((config.name, trained, seconds / max(trained.epochs, 1)))
            print(f"  trained {config.name}: {trained.epochs} epochs in {seconds:.0f} s "
                  f"(batch {params.batch_size}, lr {params.lr:g})", flush=True)

    print()
    print(f"{'model':<26} {'s/epoch':>8} {'val BCE':>8} {'goal':>6} {'mean±std (clean)':>18}   "
          f"AUROC: {'noise':>6} {'fool':>6} {'blobs':>6} {'shift':>6} {'rot':>6} {'all':>6}   "
          f"flagged noise/fool, false alarms (k=3)")
    for name, trained, spe in runs:
        rep = detector_figures(trained, digits, args.n_off)
        goal = GOALS.get(trained.config.arch, float("nan"))
        a = rep.aurocs
        print(f"{name:<26} {spe:8.2f} {trained.val_loss:8.4f} {goal:6.3f} "
              f"{trained.mean:8.4f} ± {trained.std:.4f}   "
              f"       {a['noise']:6.3f} {a['fooling']:6.3f} {a['blobs']:6.3f} {a['shifted']:6.3f} "
              f"{a['rotated']:6.3f} {rep.auroc_all:6.3f}   "
              f"{rep.flagged['noise']:.0%}/{rep.flagged['fooling']:.0%}, {rep.false_alarms:.1%}", flush=True)


if __name__ == "__main__":
    main()
