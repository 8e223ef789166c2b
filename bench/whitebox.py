"""White-box tab benchmark. Prints its figures; run: python bench/whitebox.py [--quick]

1. Per-step time of the attack job driven through the GUI's JobRunner (a QThread, offscreen) versus a
   bare PyTorch loop doing the same maths, same model, same process, interleaved A/B repeats.
2. Steps and seconds until EfficientNet-Lite0 sees scikit-image's "chelsea" as "tiger shark" at
   ≥ 99 %, for ε = 1, 2, 4 levels (L∞, targeted PGD with momentum, on the 8-bit grid).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from core import imaging, models  # noqa: E402
from core.jobs import from_uint8_image  # noqa: E402
from core.resources import sample_images  # noqa: E402
from core.whitebox import AttackParams, attack_job  # noqa: E402

TIGER_SHARK = 3
MOMENTUM = AttackParams().momentum  # the bare loop does exactly what the job does


def bare_loop(clf, img, steps: int, eps_levels: float = 2.0) -> float:
    """The same computation as attack_job's PGD, with no frames, no history, no runner."""
    x0 = from_uint8_image(img)
    eps = eps_levels / 255
    target = torch.tensor([TIGER_SHARK])
    t0 = time.perf_counter()
    with torch.enable_grad():
        delta = torch.zeros_like(x0, requires_grad=True)
        velocity = torch.zeros_like(x0)
        for step in range(steps):
            rounded = torch.round(delta * 255) / 255
            xq = (x0 + delta + (rounded - delta).detach()).clamp(0, 1)
            logits = clf(xq)
            loss = F.cross_entropy(logits, target)
            (grad,) = torch.autograd.grad(loss, delta)
            with torch.no_grad():
                velocity.mul_(MOMENTUM).add_(grad / (grad.abs().mean() + 1e-12))
                alpha = eps * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / (steps - 1))))
                delta.sub_(alpha * velocity.sign()).clamp_(-eps, eps)
                delta.copy_((x0 + delta).clamp(0, 1) - x0)
    return (time.perf_counter() - t0) / steps


def in_thread(fn, *args):
    """Run on a fresh thread, as the runner does: torch's per-thread OpenMP settings then match."""
    out = []
    t = threading.Thread(target=lambda: out.append(fn(*args)))
    t.start()
    t.join()
    return out[0]


def job_alone(clf, img, steps: int) -> float:
    """The attack job consumed by a plain loop: the job's own cost (frames, history) without Qt."""
    params = AttackParams(eps=2, steps=steps, stop_at=None)
    t0 = time.perf_counter()
    for _ in attack_job(clf, img, TIGER_SHARK, params):
        pass
    return (time.perf_counter() - t0) / steps


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
    t0 = time.perf_counter()
    runner.start(lambda cancel: attack_job(clf, img, TIGER_SHARK, params, cancel=cancel))
    loop.exec()
    elapsed = time.perf_counter() - t0
    runner.shutdown()
    # steps + 1 forward passes (step 0 is the untouched image) and one re-check of the best image
    return elapsed / steps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    clf = models.load_classifier("efficientnet_lite0", "cpu")
    img = imaging.fit_to_size(imaging.load_image(sample_images()["chelsea"]), clf.input_size)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, cpu")

    steps, repeats = (20, 2) if args.quick else (60, 5)
    bare_loop(clf, img, 3)  # warm-up
    runner_t, bare_t, job_t = [], [], []
    for _ in range(repeats):  # interleaved, so that the machine's drift hits all three alike
        bare_t.append(in_thread(bare_loop, clf, img, steps))
        job_t.append(in_thread(job_alone, clf, img, steps))
        runner_t.append(through_runner(app, clf, img, steps))
    ra, rb, rj = (statistics.median(t) for t in (runner_t, bare_t, job_t))
    print(f"per-step time, job runner: {ra * 1000:.1f} ms   bare loop: {rb * 1000:.1f} ms   "
          f"ratio {ra / rb:.3f}  (goal ≤ 1.05; median of {repeats} interleaved runs of {steps} steps)")
    print(f"  of which the job itself (frames, history; no Qt): {rj * 1000:.1f} ms, ratio {rj / rb:.3f}")

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
