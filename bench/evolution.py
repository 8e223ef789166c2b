"""Figures for the Evolution tab (black-box fooling); prints them, paste into docs/benchmarks.md.

    python bench/evolution.py                                  # everything (~1.5 h on 2 quiet cores)
    python bench/evolution.py --only throughput window         # a part
    python bench/evolution.py --imagenet-queries 3000          # a smaller ImageNet budget

Every ImageNet figure is printed for the default setting (MAP-Elites with focused climbing,
crossover and the overlay climb for the last mile) beside the same without the overlay (mutation
only, the setting before it) and the reference (the paper's MAP-Elites: parents drawn uniformly
from the archive, no crossover), same seed, same budget; all use one CPPN coordinate range:

1. throughput: images per second through the black box (automatic batch, 64 a pass, one at a time),
   eager PyTorch against ONNX Runtime on the same weights, and the largest difference in probability;
2. mnist: MAP-Elites until all ten digits are at ≥ 99.99 %;
3. archive: all 1,000 ImageNet classes, classes with an image at ≥ 99 % after the budget, and how
   many of those images, saved as PNG and read back, eager PyTorch still puts at ≥ 99 %;
4. showcase / random20: median best confidence over ``IMAGENET_SHOWCASE`` and over 20 classes drawn
   at random (seed 20), after the budget, for each seed;
5. easy: queries until one easy class has an image at ≥ 99 %, for each of a few classes and seeds,
   with the genetic algorithm (the one-class tool) beside MAP-Elites' settings;
6. climb: the overlay climbs alone, from the best of 1,000 random patterns for each showcase class,
   as many images each: the coordinate search (8 × 8 and 16 × 16) against the gradient estimate;
   field: the overlay's resolution in the last mile; elites of an all-class run without it, between 90 and 99 %,
   climbed by overlays of 4 × 4 to 32 × 32 alone, as many images each;
7. window: images per second in the window (offscreen, the real tab and runner) against the same
   job headless, interleaved, MNIST and ImageNet.
Runs are seeded: the same command gives the same queries and probabilities (times vary, and on a
shared machine they vary a lot: read ratios measured side by side).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import evolution as ev  # noqa: E402
from core import models, runtime  # noqa: E402
from core.jobs import CancelToken  # noqa: E402

PARTS = ("throughput", "mnist", "archive", "showcase", "random20", "easy", "climb", "field", "window")
SETTINGS = {"new": {}, "no-overlay": {"overlay": False},
            "paper": {"focus": 0.0, "multiscale": False, "crossover_rate": 0.0}}


def throughput(clf, n: int, n_single: int, rounds: int = 3) -> dict[str, float]:
    """Images per second through the black box for each engine (PyTorch eager, ONNX Runtime),
    interleaved round by round; and the largest difference between their probabilities."""
    rng = np.random.default_rng(0)
    imgs = ev.quantise(rng.random((n, clf.channels, *clf.input_size), dtype=np.float32))
    boxes = {}
    for engine in ("torch", "onnx"):
        for label, bs in (("auto", None), ("64", 64), ("single", 1)):
            box = boxes[engine, label] = ev.BlackBox(clf, batch_size=bs, engine=engine)
            box(imgs[: box.batch_size])  # warm-up at this batch size
    seconds = dict.fromkeys(boxes, 0.0)
    for _ in range(rounds):
        for (engine, label), box in boxes.items():
            calls = [imgs[i : i + 1] for i in range(n_single)] if label == "single" else [imgs]
            t0 = time.perf_counter()
            for c in calls:
                box(c)
            seconds[engine, label] += time.perf_counter() - t0
    rates = {f"{e} {lab}": rounds * (n_single if lab == "single" else n) / t for (e, lab), t in seconds.items()}
    rates["auto_size"] = boxes["torch", "auto"].batch_size
    rates["engine"] = boxes["onnx", "auto"].engine.name
    k = min(n, 16)
    rates["max_diff"] = float(np.abs(boxes["torch", "auto"](imgs[:k]) - boxes["onnx", "auto"](imgs[:k])).max())
    return rates


def run(clf, targets, **kw) -> ev.EvolutionFrame:
    last = None
    for last in ev.evolution_job(clf, targets, ev.EvolutionParams(**kw)):
        pass
    return last


def imagenet(clf, targets, budget: int, setting: str, **kw) -> ev.EvolutionFrame:
    return run(clf, targets, max_queries=budget, generations=10_000_000, stop_at=0.99, goal_classes=None,
               **{"seed": 0, **SETTINGS[setting], **kw})


def read_back(clf, f: ev.EvolutionFrame, cells) -> int:
    """How many of the ``cells``' images, written as PNG and read again, eager PyTorch (not the
    query engine) still puts at ≥ 99 % for their class."""
    import tempfile

    from core import imaging

    ok = 0
    with tempfile.TemporaryDirectory() as tmp:
        for c in cells:
            path = imaging.save_png(Path(tmp) / f"{c}.png", f.cell_images[c])
            img = imaging.load_image(path)
            x = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1), dtype=np.float32) / 255)[None]
            ok += float(clf.probabilities(x)[0, f.targets[c]]) >= 0.99
    return ok


def field_sizes(clf, f: ev.EvolutionFrame, sizes, queries: int, limit: int) -> tuple[list[int], dict]:
    """Climbs each of the archive's elites between 90 and 99 % (at most ``limit``, the highest
    first) with a fresh overlay of each size, ``queries`` images at most each, through the same
    black box as the job; per size, the images each climb took to reach 99 % (None: not within)."""
    from core.evolution.overlay import FieldClimb, render
    from core.evolution.search import log_odds

    box = ev.BlackBox(clf)
    cells = [int(c) for c in np.argsort(-f.cell_probs) if 0.9 <= f.cell_probs[c] < 0.99][:limit]
    spent: dict[int, list] = {}
    for size in sizes:
        rng = np.random.default_rng(0)
        spent[size] = []
        for c in cells:
            climb, target, used, got = FieldClimb(None, f.cell_images[c], size=size), f.targets[c], 0, None
            while got is None and used + FieldClimb.batch() <= queries:
                kids = climb.ask(rng)
                probs = box(render(kids))
                used += len(kids)
                if probs[:, target].max() >= 0.99:
                    got = used
                climb.tell(log_odds(probs[:, target]))
            spent[size].append(got)
    return cells, spent


def climbs(clf, targets, pool: int, queries: int) -> dict[str, tuple[list[float], list[float]]]:
    """Each target's best of ``pool`` random CPPN images (queried once for all of them), climbed by
    each overlay alone through the same black box as the job, ``queries`` images each, 9 moves a
    step; per climb, the start and the best probability reached for every target."""
    from core.evolution.overlay import FieldClimb, FieldSearch, render
    from core.evolution.search import log_odds

    box = ev.BlackBox(clf)
    enc = ev.make_encoding("cppn", clf.channels, clf.input_size)
    rng = np.random.default_rng(0)
    images, probs = [], []
    for i in range(0, pool, 50):  # kept as uint8: a thousand float images would take 600 MB
        batch = np.stack([enc.render(g) for g in enc.random(rng, min(50, pool - i))])
        probs.append(box(batch))
        images += [ev.to_u8(x) for x in batch]
    probs = np.concatenate(probs)
    kinds = {"search 8×8": (FieldSearch, 8), "search 16×16": (FieldSearch, 16), "estimate 8×8": (FieldClimb, 8)}
    out = {}
    for name, (kind, size) in kinds.items():
        starts, ends = [], []
        for t in targets:
            j = int(np.argmax(probs[:, t]))
            climb, r, best = kind(None, images[j], size=size), np.random.default_rng(t), float(probs[j, t])
            for _ in range(queries // kind.batch(9)):
                p = box(render(climb.ask(r, 9)).numpy())[:, t]
                best = max(best, float(p.max()))
                climb.tell(log_odds(p))
            starts.append(float(probs[j, t]))
            ends.append(best)
        out[name] = (starts, ends)
    return out


def window_rate(model: str, targets: str, seconds: float, **kw) -> float:
    """Images per second of the tab's run in a real (offscreen) window, measured after warm-up."""
    import tempfile

    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings)
    w.resize(1280, 720)
    w.show()
    w.select_tab("evolution")
    tab = w.tab_widgets["evolution"]
    tab.model_combo.setCurrentIndex(tab.model_combo.findData(model))
    tab.target_field.set_text(targets)
    # as headless: no goal, no generation limit (a run that ended early would dilute the rate)
    for name, value in {"stop_at": None, "generations": 10_000_000, **kw}.items():
        form = tab.search_form if name in tab.search_form.names else tab.genome_form
        form.set_params(form.params().replace(**{name: value}))
    # The window's own event loop runs while the job does (a polling loop here would wake the
    # interpreter hundreds of times a second and slow the job in a way the real window does not).
    marks: list[tuple[float, int]] = []
    loop = QEventLoop()
    ended: list[str] = []

    def on_frame(f) -> None:
        if f.done:
            ended.append(f.stop_reason)
            loop.quit()
        elif f.generation >= 2:
            if not marks:
                QTimer.singleShot(int(seconds * 1000), loop.quit)
            marks.append((time.perf_counter(), f.queries))

    def on_failed(message: str) -> None:
        ended.append(f"failed: {message}")
        loop.quit()

    tab.session.frame_changed.connect(on_frame)
    tab.runner.job_failed.connect(on_failed)
    QTimer.singleShot(int((seconds + 300) * 1000), loop.quit)  # never hang: loading, then the run
    tab.start()
    loop.exec()
    tab.session.frame_changed.disconnect(on_frame)
    tab.runner.job_failed.disconnect(on_failed)
    if len(marks) < 2:
        ended.append("no frames came within the time allowed")
    if ended:
        raise RuntimeError(f"the window's run ended early ({ended[0]}); the rate would be wrong")
    tab.stop()
    deadline = time.perf_counter() + 120
    while tab.runner.is_running and time.perf_counter() < deadline:  # let the batch in flight end
        app.processEvents()
        time.sleep(0.01)
    w.close()
    (t0, q0), (t1, q1) = marks[0], marks[-1]
    return (q1 - q0) / max(t1 - t0, 1e-9)


def headless_rate(clf, targets, seconds: float, **kw) -> float:
    token = CancelToken()
    marks = []
    t_end = None
    for f in ev.evolution_job(clf, targets, ev.EvolutionParams(generations=10_000_000, stop_at=None, **kw),
                              cancel=token):
        if f.generation >= 2:
            marks.append((time.perf_counter(), f.queries))
            t_end = t_end or time.perf_counter() + seconds
        if t_end is not None and time.perf_counter() > t_end:
            token.cancel()
    (t0, q0), (t1, q1) = marks[0], marks[-1]
    return (q1 - q0) / max(t1 - t0, 1e-9)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    p.add_argument("--settings", nargs="+", choices=tuple(SETTINGS), default=list(SETTINGS))
    p.add_argument("--imagenet-queries", type=int, default=10_000)
    p.add_argument("--mnist-queries", type=int, default=500_000)
    p.add_argument("--easy-classes", default="maze,coil,baseball,jellyfish", help="comma-separated class names")
    p.add_argument("--easy-seeds", type=int, default=4)
    p.add_argument("--easy-kinds", default="ga,ga-no-overlay,new,no-overlay,paper",
                   help="comma-separated: ga, ga-no-overlay and the settings")
    p.add_argument("--easy-queries", type=int, default=2_000)
    p.add_argument("--climb-queries", type=int, default=450)
    p.add_argument("--field-queries", type=int, default=550)
    p.add_argument("--field-cells", type=int, default=12)
    p.add_argument("--window-seconds", type=float, default=20.0)
    p.add_argument("--window-models", nargs="+", default=["mnist_cnn", "efficientnet_lite0"])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = p.parse_args(argv)
    runtime.configure_threads(args.threads)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; parts: {' '.join(args.only)}", flush=True)
    mnist = models.load_classifier("mnist_cnn", "cpu")
    lite = models.load_classifier("efficientnet_lite0", "cpu")
    labels = lite.labels
    budget = args.imagenet_queries

    if "throughput" in args.only:
        print("\nThroughput through the black-box query (images per second)")
        for name, clf, n, single in (("MNIST CNN", mnist, 2048, 300), ("EfficientNet-Lite0", lite, 128, 40)):
            r = throughput(clf, n, single)
            for e in ("torch", "onnx"):
                print(f"  {name:19s} {e:5s} batched ({r['auto_size']} a pass) {r[e + ' auto']:7.1f}/s   "
                      f"in 64s {r[e + ' 64']:7.1f}/s   one at a time {r[e + ' single']:7.1f}/s", flush=True)
            print(f"  {'':19s} ONNX Runtime / PyTorch: batched ×{r['onnx auto'] / r['torch auto']:.2f}, in 64s "
                  f"×{r['onnx 64'] / r['torch 64']:.2f}, one at a time ×{r['onnx single'] / r['torch single']:.2f}; "
                  f"max |Δp| {r['max_diff']:.1e} (engine in use: {r['engine']})", flush=True)

    if "mnist" in args.only:
        print(f"\nMNIST CNN, CPPN + MAP-Elites, until all ten digits are at ≥ 99.99 % (population 50, "
              f"at most {args.mnist_queries:,} queries)")
        for setting in args.settings:
            rows = [run(mnist, range(10), encoding="cppn", stop_at=0.9999, generations=10_000_000,
                        max_queries=args.mnist_queries, seed=s, **SETTINGS[setting]) for s in args.seeds]
            got = [f"{r.queries:,}" if r.reached else f"— (lowest digit {r.cell_probs.min():.2%})" for r in rows]
            done = [r.queries for r in rows if r.reached]
            median = f"median of those reached {np.median(done):,.0f}" if done else "none reached"
            print(f"  {setting:10s} queries per seed {', '.join(got)}; {len(done)}/{len(rows)} reached, {median} "
                  f"({np.median([r.seconds for r in rows]):.1f} s)", flush=True)

    if "archive" in args.only:
        print(f"\nEfficientNet-Lite0, all 1,000 classes, {budget:,} queries: classes with an image at ≥ 99 % "
              f"(seeds {', '.join(map(str, args.seeds))})")
        for setting in args.settings:
            counts = []
            for seed in args.seeds:
                f = imagenet(lite, range(1000), budget, setting, seed=seed)
                at = np.flatnonzero(f.cell_probs >= 0.99)
                counts.append(len(at))
                names = ", ".join(labels[f.targets[c]] for c in at[np.argsort(-f.cell_probs[at])][:30])
                print(f"  {setting:10s} seed {seed}: {len(at):3d} classes at ≥ 99 %, {read_back(lite, f, at)} of them "
                      f"read back from PNG at ≥ 99 % ({f.seconds:.0f} s, {f.queries / f.seconds:.1f} images/s): "
                      f"{names}", flush=True)
            print(f"  {setting:10s} median over seeds {np.median(counts):.1f} (min {min(counts)}, max {max(counts)})",
                  flush=True)

    sets = {"showcase": [models.resolve_class(labels, n) for n in ev.IMAGENET_SHOWCASE],
            "random20": sorted(np.random.default_rng(20).choice(1000, 20, replace=False).tolist())}
    for part, targets in sets.items():
        if part not in args.only:
            continue
        print(f"\nEfficientNet-Lite0, {part} (20 classes), {budget:,} queries: median best confidence "
              f"(seeds {', '.join(map(str, args.seeds))})")
        for setting in args.settings:
            medians = []
            for seed in args.seeds:
                f = imagenet(lite, targets, budget, setting, seed=seed)
                medians.append(float(np.median(f.cell_probs)))
                per = ", ".join(f"{labels[t]} {p:.1%}" for t, p in sorted(zip(f.targets, f.cell_probs), key=lambda x: -x[1]))
                print(f"  {setting:10s} seed {seed}: median {medians[-1]:.1%}, {int((f.cell_probs >= 0.88).sum())} at ≥ 88 %, "
                      f"{int((f.cell_probs >= 0.99).sum())} at ≥ 99 % ({f.seconds:.0f} s): {per}", flush=True)
            print(f"  {setting:10s} median over seeds {np.median(medians):.1%} (min {min(medians):.1%}, "
                  f"max {max(medians):.1%})", flush=True)

    if "easy" in args.only:
        print(f"\nOne easy class: queries until an image is at ≥ 99 % (budget {args.easy_queries:,}), "
              f"seeds 0–{args.easy_seeds - 1}")
        kinds = {"ga": {"algorithm": "ga"}, "ga-no-overlay": {"algorithm": "ga", "overlay": False}, **SETTINGS}
        kinds = {k: v for k, v in kinds.items() if k in args.easy_kinds.split(",")}
        reached = {k: 0 for k in kinds}
        for name in args.easy_classes.split(","):
            t = models.resolve_class(labels, name.strip())
            for kind, extra in kinds.items():
                got = []
                for seed in range(args.easy_seeds):
                    f = run(lite, [t], target=str(t), stop_at=0.99, max_queries=args.easy_queries,
                            generations=10_000_000, seed=seed, **extra)
                    reached[kind] += bool(f.reached)
                    got.append(f"{int(f.cell_queries[0]):,}" if f.reached else f"— ({f.cell_probs[0]:.1%})")
                print(f"  {labels[t]:12.12s} {kind:13s} " + ", ".join(got), flush=True)
        runs = len(args.easy_classes.split(",")) * args.easy_seeds
        print("  reached: " + ", ".join(f"{k} {n}/{runs}" for k, n in reached.items()), flush=True)

    if "climb" in args.only:
        targets = sets["showcase"]
        print(f"\nThe overlay's climbs alone: each showcase class from its best of 1,000 random patterns, "
              f"{args.climb_queries} images each")
        for name, (starts, ends) in climbs(lite, targets, 1000, args.climb_queries).items():
            per = ", ".join(f"{labels[t]} {a:.1%}→{b:.1%}" for t, a, b in sorted(zip(targets, starts, ends), key=lambda x: -x[2]))
            print(f"  {name:13s} median {np.median(starts):.1%} → {np.median(ends):.1%}, "
                  f"{sum(e >= 0.88 for e in ends)} of 20 at ≥ 88 %: {per}", flush=True)

    if "field" in args.only:
        f = imagenet(lite, range(1000), budget, "no-overlay")
        sizes = (4, 8, 16, 32)
        cells, spent = field_sizes(lite, f, sizes, args.field_queries, args.field_cells)
        print(f"\nThe overlay's size: {len(cells)} elites between 90 and 99 % (all classes, no overlay, seed 0, "
              f"{budget:,} queries) climbed by an overlay alone, up to {args.field_queries:,} images each")
        for size in sizes:
            done = [q for q in spent[size] if q is not None]
            median = f"median {np.median(done):,.0f} images" if done else ""
            print(f"  {size:2d} × {size:<2d} {len(done):2d}/{len(cells)} reached 99 % {median}", flush=True)

    if "window" in args.only:
        print(f"\nImages per second in the window (offscreen, 1280×720) against headless, {args.window_seconds:.0f} s "
              "each, interleaved")
        for name, clf, spec in (("mnist_cnn", mnist, "all"), ("efficientnet_lite0", lite, "all")):
            if name not in args.window_models:
                continue
            targets = ev.parse_targets(clf.labels, spec)
            a1 = headless_rate(clf, targets, args.window_seconds, seed=0)
            b1 = window_rate(name, spec, args.window_seconds, seed=0)
            a2 = headless_rate(clf, targets, args.window_seconds, seed=1)
            b2 = window_rate(name, spec, args.window_seconds, seed=1)
            head, win = (a1 + a2) / 2, (b1 + b2) / 2
            print(f"  {name:19s} headless {head:7.1f}/s   window {win:7.1f}/s   ratio {win / head:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
