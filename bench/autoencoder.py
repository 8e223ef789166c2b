"""Autoencoder figures: seconds per epoch on the 10k digits, validation BCE, detector AUROC.

Trains each architecture from scratch on the bundled MNIST sample (8,000 training / 2,000
validation digits) with the tab's default settings, then tests the "LIAR!" detector (threshold
mean + 3·std) against off-manifold images. Prints one table; the goals from the issue are shown
beside the measured figures.

    OMP_NUM_THREADS=2 python bench/autoencoder.py                  # 50 epochs, all three
    python bench/autoencoder.py --epochs 10 --archs dense deep     # shorter
    python bench/autoencoder.py --shipped                          # detector figures only
    python bench/autoencoder.py --overhead --epochs 6              # the job's epoch vs a bare loop

``--overhead`` times the training job's epochs against a plain, honest training loop doing the
same arithmetic (same network, Adam, cosine schedule, batches, loss, one validation pass an epoch),
in the same process and thread, epoch by epoch interleaved, and prints the ratio of the medians.
"""

from __future__ import annotations

import argparse
import math
import statistics
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


def bare_epochs(digits, config: ae.AEConfig, params: ae.TrainParams, device):
    """The plainest loop for the same training: yields after each epoch (the validation loss)."""
    batch, lr = params.resolved(config.arch)
    torch.manual_seed(params.seed)
    g = torch.Generator().manual_seed(params.seed)
    model = ae.AutoEncoder(config).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    x = ae.to_tensor(digits.x_train, device)
    x_val = ae.to_tensor(digits.x_val, device)
    batches = math.ceil(len(x) / batch)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=params.epochs * batches, eta_min=lr * 0.05)
    for _ in range(params.epochs):
        model.train()
        order = torch.randperm(len(x), generator=g)
        with torch.enable_grad():
            for b in range(batches):
                xb = x[order[b * batch:(b + 1) * batch]]
                loss = ae.per_image_loss(model(xb), xb, config.loss).mean()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
        model.eval()
        with torch.inference_mode():
            val = float(ae.per_image_loss(model(x_val), x_val, config.loss).mean())
        yield val


def overhead(digits, arch: str, epochs: int, device) -> tuple[float, float, list[float], list[float]]:
    """Seconds per epoch of the job and of the bare loop (medians after the first epoch), interleaved."""
    config = ae.AEConfig(arch, 32)
    params = ae.default_params(arch, epochs=epochs)
    job = ae.train_job(digits, config, params, device=device)
    bare = bare_epochs(digits, config, params, device)
    next(job)  # the untrained frame
    job_t, bare_t = [], []
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        for f in job:
            if f.done or (f.batch == 0 and f.epoch == epoch):
                break
        job_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        next(bare)
        bare_t.append(time.perf_counter() - t0)
    for _ in job:
        pass
    return statistics.median(job_t[1:]), statistics.median(bare_t[1:]), job_t, bare_t


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--archs", nargs="+", default=list(ae.ARCHS), choices=ae.ARCHS)
    p.add_argument("--latent", type=int, default=32)
    p.add_argument("--n-off", type=int, default=300, help="off-manifold images of each kind")
    p.add_argument("--device", default="cpu")
    p.add_argument("--shipped", action="store_true", help="only test the shipped default model's detector")
    p.add_argument("--overhead", action="store_true", help="time the job's epoch against a bare loop")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: every core)")
    args = p.parse_args()
    runtime.configure_threads(args.threads)  # the CLI's and the window's thread pools (torch: every core; BLAS: 1)
    device = runtime.pick_device(args.device)
    digits = mnist_sample()
    print(f"device: {runtime.describe_device(device)}; data: {digits.source}; "
          f"thread pools: {runtime.thread_settings()}")
    if args.overhead:
        print(f"{'arch':<6} {'job s/epoch':>12} {'bare s/epoch':>13} {'ratio':>6} {'min ratio':>9}   (medians of "
              f"epochs 2–{args.epochs}, interleaved, same thread; min ratio: fastest job epoch / fastest bare one)")
        for arch in args.archs:
            job_s, bare_s, job_t, bare_t = overhead(digits, arch, args.epochs, device)
            print(f"{arch:<6} {job_s:12.3f} {bare_s:13.3f} {job_s / bare_s:6.3f} {min(job_t[1:]) / min(bare_t[1:]):9.3f}   "
                  f"job {' '.join(f'{t:.2f}' for t in job_t)} | bare {' '.join(f'{t:.2f}' for t in bare_t)}",
                  flush=True)
        return

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
