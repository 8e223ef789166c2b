"""Manifold tab benchmark: seconds to retrain the 2-D toy and to run the dimension sweep.

    python bench/manifold.py            # prints the figures for docs/benchmarks.md

Goal: retraining the 2-D toy (300 epochs, 200 points, 32-32 MLP, 12 live probability maps) takes
< 0.5 s on a CPU. Timings are medians of repeated runs, with torch on one thread as in the window's
worker when the machine is shared.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from core import manifold as m  # noqa: E402
from core.jobs import run_to_end  # noqa: E402


def timed(fn, repeats: int) -> tuple[float, object]:
    """Median CPU seconds of this process (on one thread: the time a free core would take, whatever
    the machine's load) and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.process_time()
        out = fn()
        times.append(time.process_time() - t0)
    return statistics.median(times), out


def main() -> int:
    threads = int(os.environ.get("BENCH_THREADS", "1"))
    torch.set_num_threads(threads)
    print(f"torch {torch.__version__}, {threads} thread(s), CPU")
    run_to_end(m.train_job(m.ToyParams(epochs=20)))  # warm-up: first-call set-up is not retraining
    print("\n2-D toy: retrain after a change (data, training, 12 maps of 160×160)")
    print("(CPU seconds of this process; wall-clock is longer when other programs share the cores)")
    print(f"{'curve':<8} {'train s':>8} {'+ analysis s':>13} {'accuracy':>9} {'adv L2':>7} {'walk':>6} {'ratio':>6}")
    for curve in m.CURVES:
        p = m.ToyParams(curve=curve)
        t_train, _ = timed(lambda: run_to_end(m.train_job(p, analyse=False)), 5)
        t_all, last = timed(lambda: run_to_end(m.train_job(p)), 3)
        ok = np.isfinite(last.adv_distance)
        adv, walk = float(np.mean(last.adv_distance[ok])), float(np.mean(last.on_manifold[ok]))
        print(f"{curve:<8} {t_train:>8.3f} {t_all:>13.3f} {last.accuracy:>9.1%} {adv:>7.3f} {walk:>6.3f} {walk / adv:>6.1f}")

    print("\nOne clicked point (minimal step, split, walk): ", end="")
    last = run_to_end(m.train_job(m.ToyParams()))
    curve = m.Curve("sine")
    data = m.ToyData(x=last.data_x, y=last.data_y, u=last.data_u)
    t_click, _ = timed(lambda: m.analyse_point(last.net, curve, data, (0.1, 0.3)), 20)
    print(f"{t_click * 1000:.1f} ms")

    for extra in (0.0, 0.02):
        params = m.SweepParams(curve="sine", extra_noise=extra)
        print(f"\nDimension sweep, sine, {params.n_points} points, MLP {params.hidden}, {params.epochs} epochs, "
              f"noise in extra dimensions {extra}")
        print(f"{'D':>5} {'acc':>6} {'adv L2':>7} {'walk L2':>7} {'ratio':>6} {'normal':>7} {'adv L∞':>7} "
              f"{'walk L∞':>7} {'ratio':>6} {'flip@ε':>7} {'s':>6}")
        t0, c0 = time.perf_counter(), time.process_time()
        for frame in m.dimension_sweep_job(params):
            if frame.results and len(frame.results) == frame.step:
                r = frame.results[-1]
                print(f"{r.dim:>5} {r.accuracy:>6.1%} {r.mean_adv:>7.3f} {r.mean_on_manifold:>7.3f} {r.ratio:>6.1f} "
                      f"{r.normal_fraction:>7.1%} {r.mean_adv_linf:>7.4f} {r.mean_on_manifold_linf:>7.3f} "
                      f"{r.ratio_linf:>6.1f} {r.flipped_at_eps:>7.1%} {r.seconds:>6.2f}", flush=True)
        print(f"whole sweep ({len(params.dims)} dimensions): {time.process_time() - c0:.1f} CPU s, "
              f"{time.perf_counter() - t0:.1f} s wall-clock")
    return 0


if __name__ == "__main__":
    sys.exit(main())
