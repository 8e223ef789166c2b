"""Figures for the Evolution tab (black-box fooling); prints them, paste into docs/benchmarks.md.

    OMP_NUM_THREADS=2 python bench/evolution.py                      # everything (~10 min on 2 cores)
    python bench/evolution.py --skip-imagenet                        # MNIST figures only (~2 min)
    python bench/evolution.py --imagenet-queries 10000               # the issue's full ImageNet budget

1. Throughput: images evaluated per second through the black-box query, batched (the automatic
   batch size, and 64 a pass) versus one image per call, on the MNIST CNN and EfficientNet-Lite0.
2. MNIST CNN, MAP-Elites over the ten digits, stop once every digit has an image at ≥ 99.99 %:
   generations, queries and seconds, direct and CPPN encodings, three seeds each.
3. EfficientNet-Lite0, CPPN + MAP-Elites over 20 fixed classes (``IMAGENET_SHOWCASE``): median best
   confidence after a budget of queried images (with checkpoints on the way).
Every run is seeded: the same command gives the same generations and queries (times vary).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import evolution as ev  # noqa: E402
from core import models  # noqa: E402


def throughput(clf, n: int, n_single: int) -> dict[str, float]:
    """Images per second through the black box: one call of ``n`` images in the automatic batch
    size, the same in batches of 64, and ``n_single`` calls of one image each."""
    rng = np.random.default_rng(0)
    imgs = ev.quantise(rng.random((n, clf.channels, *clf.input_size), dtype=np.float32))
    rates = {}
    for label, box, calls in (("auto", ev.BlackBox(clf), [imgs]),
                              ("64", ev.BlackBox(clf, batch_size=64), [imgs]),
                              ("single", ev.BlackBox(clf, batch_size=1), [imgs[i : i + 1] for i in range(n_single)])):
        box(calls[0][: min(len(calls[0]), 64)])  # warm-up at this batch size
        t0 = time.perf_counter()
        for c in calls:
            box(c)
        rates[label] = sum(len(c) for c in calls) / (time.perf_counter() - t0)
    rates["auto_size"] = ev.BlackBox(clf).auto_batch_size()
    return rates


def print_throughput(name: str, r: dict[str, float]) -> None:
    print(f"  {name:19s} batched ({r['auto_size']} a pass) {r['auto']:7.1f}/s   in 64s {r['64']:7.1f}/s   "
          f"one at a time {r['single']:7.1f}/s   ratio batched / one at a time {r['auto'] / r['single']:4.1f}×")


def mnist_runs(clf, encoding: str, seeds: list[int], population: int) -> list[dict]:
    rows = []
    for seed in seeds:
        params = ev.EvolutionParams(encoding=encoding, algorithm="map-elites", population=population,
                                    generations=100_000, stop_at=0.9999, seed=seed)
        last = None
        for last in ev.evolution_job(clf, range(10), params):
            pass
        rows.append({"seed": seed, "generations": last.generation, "queries": last.queries,
                     "seconds": last.seconds, "reached": last.reached,
                     "min_prob": float(last.cell_probs.min())})
        print(f"  {encoding:6s} seed {seed}: all ten digits ≥ 99.99 %: {last.reached}  "
              f"generations {last.generation:5d}  queries {last.queries:7,d}  {last.seconds:6.1f} s  "
              f"(lowest digit {last.cell_probs.min():.5%})", flush=True)
    return rows


def imagenet_run(clf, budget: int, population: int, seed: int, checkpoints: list[int]) -> dict:
    labels = clf.labels
    targets = [models.resolve_class(labels, name) for name in ev.IMAGENET_SHOWCASE]
    params = ev.EvolutionParams(encoding="cppn", algorithm="map-elites", population=population,
                                generations=1_000_000, max_queries=budget, stop_at=0.99, seed=seed)
    marks = {}
    last = None
    pending = sorted(c for c in checkpoints if c <= budget)
    for last in ev.evolution_job(clf, targets, params):
        while pending and last.queries >= pending[0]:
            q = pending.pop(0)
            marks[q] = float(np.median(last.cell_probs))
            print(f"  after {last.queries:6,d} queries ({last.seconds:6.0f} s, {last.generation} generations): "
                  f"median best confidence {marks[q]:.1%}", flush=True)
    per = {labels[t]: float(p) for t, p in zip(last.targets, last.cell_probs)}
    return {"queries": last.queries, "generations": last.generation, "seconds": last.seconds,
            "median": float(np.median(last.cell_probs)), "per_class": per, "marks": marks, "last": last}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--skip-imagenet", action="store_true")
    p.add_argument("--imagenet-queries", type=int, default=10_000)
    p.add_argument("--imagenet-population", type=int, default=20)
    p.add_argument("--grid-out", default=None, help="save the ImageNet elites' grid as this PNG")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")

    mnist = models.load_classifier("mnist_cnn", "cpu")
    print("\n1. Throughput through the black-box query (images evaluated per second)")
    print_throughput("MNIST CNN:", throughput(mnist, 2048, 300))
    lite = None
    if not args.skip_imagenet:
        lite = models.load_classifier("efficientnet_lite0", "cpu")
        print_throughput("EfficientNet-Lite0:", throughput(lite, 128, 40))

    print("\n2. MNIST CNN, MAP-Elites over the ten digits until all are at ≥ 99.99 % (population 50)")
    for enc in ("direct", "cppn"):
        rows = mnist_runs(mnist, enc, args.seeds, 50)
        sec = [r["seconds"] for r in rows]
        print(f"  {enc}: median {np.median([r['generations'] for r in rows]):.0f} generations, "
              f"{np.median([r['queries'] for r in rows]):,.0f} queries, {np.median(sec):.1f} s "
              f"(max {max(sec):.1f} s); all reached: {all(r['reached'] for r in rows)}")

    if lite is not None:
        print(f"\n3. EfficientNet-Lite0, CPPN + MAP-Elites, 20 fixed classes, {args.imagenet_queries:,} queried "
              f"images (population {args.imagenet_population}, seed 0)")
        marks = [1000, 2000, 3000, 5000, 10000, 20000]
        res = imagenet_run(lite, args.imagenet_queries, args.imagenet_population, 0, marks)
        print(f"  median best confidence over the 20 classes: {res['median']:.1%} after {res['queries']:,} "
              f"queries, {res['generations']} generations, {res['seconds']:.0f} s "
              f"({res['queries'] / res['seconds']:.1f} images/s)")
        for name, prob in sorted(res["per_class"].items(), key=lambda kv: -kv[1]):
            print(f"    {prob:7.2%}  {name}")
        if args.grid_out:
            from core import imaging

            print(f"  grid: {imaging.save_png(args.grid_out, res['last'].cell_mosaic)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
