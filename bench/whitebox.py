"""White-box tab benchmark. Prints its figures; run: python bench/whitebox.py [--quick]

1. Per-step time of the attack job against the plainest PGD loop (same model, same maths: the
   8-bit rounding, momentum, cosine step; no frames, no history), both on the main thread of this
   process, interleaved A/B, median of several runs. Goal: job ≤ 1.10× the bare loop. Also the job
   driven through the GUI's JobRunner (a QThread, offscreen event loop), for reference.
2. Steps and seconds until EfficientNet-Lite0 sees scikit-image's "chelsea" as "tiger shark" at
   ≥ 99 %, for ε = 1, 2, 4 levels (L∞, targeted PGD with momentum, on the 8-bit grid).

Thread pools are set once by ``core.runtime.configure_threads`` (torch: every core; numpy BLAS: 1),
exactly as the CLI and the window do.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import imaging, models, runtime  # noqa: E402  (before torch: core sets OpenMP's wait policy)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from core.jobs import from_uint8_image  # noqa: E402
from core.resources import sample_images  # noqa: E402
from core.whitebox import AttackParams, attack_job, auto_step  # noqa: E402

TIGER_SHARK = 3
MOMENTUM = AttackParams().momentum  # the bare loop does exactly what the job does
STRAY_BLAS = False


def bare_loop(clf, img, steps: int, eps_levels: float = 2.0) -> float:
    """The plainest targeted PGD loop with the job's step rule: no frames, no history, no checks."""
    x0 = from_uint8_image(img)
    eps = eps_levels / 255
    step0 = auto_step("pgd", eps_levels) / 255
    target = torch.tensor([TIGER_SHARK])
    t0, c0 = time.perf_counter(), time.process_time()
    with torch.enable_grad():
        delta = torch.zeros_like(x0, requires_grad=True)
        velocity = torch.zeros_like(x0)
        for step in range(steps):
            rounded = torch.round(delta * 255) / 255
            xq = (x0 + delta + (rounded - delta).detach()).clamp(0, 1)
            loss = F.cross_entropy(clf(xq), target)
            (grad,) = torch.autograd.grad(loss, delta)
            with torch.no_grad():
                velocity.mul_(MOMENTUM).add_(grad / (grad.abs().mean() + 1e-12))
                alpha = step0 * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / (steps - 1))))
                delta.sub_(alpha * velocity.sign()).clamp_(-eps, eps)
                delta.copy_((x0 + delta).clamp(0, 1) - x0)
    return (time.perf_counter() - t0) / steps, (time.process_time() - c0) / steps


def job_alone(clf, img, steps: int) -> float:
    """The attack job consumed by a plain loop: the job's own cost (frames, history) without Qt."""
    params = AttackParams(eps=2, steps=steps, stop_at=None, momentum=MOMENTUM)
    t0, c0 = time.perf_counter(), time.process_time()
    for frame in attack_job(clf, img, TIGER_SHARK, params):
        if STRAY_BLAS:
            np.linalg.norm(frame.perturbation.astype(np.float64))
    return (time.perf_counter() - t0) / steps, (time.process_time() - c0) / steps


def through_runner(app, clf, img, steps: int) -> float:
    """The job in the GUI's JobRunner, the main thread in a Qt event loop as in the window."""
    from PySide6.QtCore import QEventLoop

    from gui.worker import JobRunner

    runner = JobRunner()
    shown = []
    runner.frame_ready.connect(shown.append)
    loop = QEventLoop()
    runner.job_finished.connect(loop.quit)
    params = AttackParams(eps=2, steps=steps, stop_at=None)
    t0, c0 = time.perf_counter(), time.process_time()
    runner.start(lambda cancel: attack_job(clf, img, TIGER_SHARK, params, cancel=cancel))
    loop.exec()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    runner.shutdown()
    # steps + 1 forward passes (step 0 is the untouched image)
    return elapsed / steps, cpu / steps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--timing-only", action="store_true", help="only the per-step timing")
    ap.add_argument("--blas", type=int, default=1, help="numpy BLAS threads (the app uses 1)")
    ap.add_argument("--stray-blas", action="store_true",
                    help="the consumer of the job's frames makes one float64 BLAS call per frame "
                         "(np.linalg.norm), as the job's frame maths once did")
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    runtime.configure_threads(blas=args.blas)
    global STRAY_BLAS
    STRAY_BLAS = args.stray_blas
    clf = models.load_classifier("efficientnet_lite0", "cpu")
    img = imaging.fit_to_size(imaging.load_image(sample_images()["chelsea"]), clf.input_size)
    print(f"torch {torch.__version__}, cpu, thread pools {runtime.thread_settings()}")

    steps, repeats = (20, 3) if args.quick else (40, 7)
    bare_loop(clf, img, 3)  # warm-up
    job_alone(clf, img, 3)
    runner_t, bare_t, job_t = [], [], []
    for i in range(repeats):  # interleaved, alternating the order, so drift hits all three alike
        if i % 2:
            job_t.append(job_alone(clf, img, steps))
            bare_t.append(bare_loop(clf, img, steps))
        else:
            bare_t.append(bare_loop(clf, img, steps))
            job_t.append(job_alone(clf, img, steps))
        runner_t.append(through_runner(app, clf, img, steps))
    print(f"per step (median of {repeats} interleaved runs of {steps} steps, same thread; "
          "wall time is what the lecture waits for, CPU time of the whole process is steadier on a busy machine):")
    for label, k in (("wall", 0), ("CPU", 1)):
        rb = statistics.median(t[k] for t in bare_t)
        rj = statistics.median(t[k] for t in job_t)
        ra = statistics.median(t[k] for t in runner_t)
        pairs = sorted(j[k] / b[k] for j, b in zip(job_t, bare_t))
        print(f"  {label:4s}: attack job {rj * 1000:6.1f} ms   bare PGD loop {rb * 1000:6.1f} ms   "
              f"ratio {rj / rb:.3f} (goal ≤ 1.10; pairs {pairs[0]:.2f}…{pairs[-1]:.2f}, median "
              f"{statistics.median(pairs):.3f})   in the GUI's JobRunner {ra * 1000:6.1f} ms, ratio {ra / rb:.3f}")

    if args.timing_only:
        return
    for eps in (1, 2, 4):
        budget = 200 if eps == 1 else 60
        t0 = time.perf_counter()
        last = list(attack_job(clf, img, TIGER_SHARK, AttackParams(eps=eps, steps=budget, stop_at=0.99)))[-1]
        secs = time.perf_counter() - t0
        saved = imaging.save_png(Path("/tmp") / f"bench-shark-eps{eps}.png", last.image)
        reread = clf.probabilities(from_uint8_image(imaging.load_image(saved)))[0, TIGER_SHARK].item()
        status = f"reached 99 % at step {last.step}" if last.reached else f"best {last.target_prob:.1%} in {budget} steps"
        print(f"ε = {eps} level{'s' if eps > 1 else ' '}: {status:32s} {secs:6.1f} s   "
              f"saved PNG re-read: {reread:.2%}   L∞ {last.linf_255:.0f}/255")


if __name__ == "__main__":
    main()
