"""``evolve``: the Evolution tab's black-box fooling from the command line."""

from __future__ import annotations

import re
import signal
import time

from core import evolution, imaging, models, paths, runtime
from core.jobs import CancelToken

from . import movie_opt
from .common import (
    add_device_option, add_model_options, add_params, emit_json, params_from_args, positive_int, progress,
    resolve_model,
)


def register(sub) -> None:
    p = sub.add_parser("evolve", help="evolve images a classifier labels with near-certainty (black box)")
    add_model_options(p, "mnist_cnn", "classifier (default mnist_cnn)")
    add_params(p, evolution.EvolutionParams)
    p.add_argument("--out", default=None, help="folder for the best image per target (PNG) and the grid")
    p.add_argument("--threads", type=positive_int, default=None, help="CPU threads for the model")
    p.add_argument("--json", action="store_true", help="print a final JSON summary line")
    movie_opt.add_movie_option(p)
    add_device_option(p)
    p.set_defaults(func=cmd_evolve)


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "class"


class _StopOnInterrupt:
    """Ctrl+C asks the job to stop (it ends within one batch and keeps what it found); a second
    Ctrl+C interrupts at once."""

    def __init__(self, token: CancelToken) -> None:
        self.token, self.interrupted, self._old = token, False, None

    def _handle(self, signum, frame) -> None:
        if self.interrupted:
            raise KeyboardInterrupt
        self.interrupted = True
        self.token.cancel()
        progress("interrupted: stopping after this batch and saving what was found (Ctrl+C again to quit now)")

    def __enter__(self) -> "_StopOnInterrupt":
        try:
            self._old = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread (tests): no handler
            self._old = None
        return self

    def __exit__(self, *exc) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


def cmd_evolve(args) -> int:
    if args.threads:
        runtime.configure_threads(args.threads)
    args.model = resolve_model(args)
    spec = models.get_spec(args.model)
    params = params_from_args(evolution.EvolutionParams, args)
    targets = evolution.parse_targets(spec.labels, params.target)
    params.check_targets(targets, len(spec.labels))
    out = paths.check_output_folder(args.out, what="evolved images") if args.out else None
    clf = models.load_classifier(args.model, runtime.pick_device(args.device))
    what = "all classes" if len(targets) == clf.num_classes else ", ".join(clf.labels[t] for t in targets[:5]) + (
        f" and {len(targets) - 5} more" if len(targets) > 5 else "")
    progress(f"evolving {params.encoding} images for {clf.name} ({params.algorithm}, population "
             f"{params.population_size}, seed {params.seed}): {what}")
    rec = movie_opt.recorder(args)
    last = None
    shown = 0.0
    token = CancelToken()
    with _StopOnInterrupt(token) as guard:
        for frame in evolution.evolution_job(clf, targets, params, cancel=token):
            last = frame
            movie_opt.add(rec, [frame.cell_mosaic], f"generation {frame.generation}: best "
                          f"“{clf.labels[frame.best_target]}” {frame.best_prob:.1%}")
            now = time.perf_counter()
            if frame.done or now - shown > 1.0:
                shown = now
                progress(f"generation {frame.generation:5d}  queries {frame.queries:8,d}  "
                         f"{frame.images_per_second:7.0f} images/s  best “{clf.labels[frame.best_target]}” "
                         f"{frame.best_prob:.4%}  {frame.at_goal}/{len(targets)} at ≥ {frame.goal:.2%}")
    assert last is not None
    result = evolution.summary(last)
    result.update({"model": clf.name, "population": params.population_size, "seed": params.seed,
                   "stop_at": params.stop_at, "classes_at_99": int((last.cell_probs >= 0.99).sum()),
                   "interrupted": guard.interrupted})
    if out is not None:
        saved = 0
        for row, img in zip(result["targets"], last.cell_images):
            # With many targets only the classes worth showing are written: those at ≥ 1 %.
            if img is not None and (len(targets) <= 100 or row["best_prob"] >= 0.01):
                path = imaging.save_png(out / f"{row['index']:04d}-{safe_name(row['name'])}.png", img)
                row["png"] = str(path)
                saved += 1
        result["grid_png"] = str(imaging.save_png(out / "grid.png", last.cell_mosaic))
        result["pngs"] = saved
    movie_opt.finish(rec, "evolve", args, params)
    progress(f"done after {result['generations']} generations, {result['queries']:,} images queried, "
             f"{result['seconds']:.1f} s: {last.stop_reason}; {result['classes_at_99']} class{'' if result['classes_at_99'] == 1 else 'es'} at ≥ 99 %"
             + (f", median best {result['median_best_prob']:.1%}" if len(targets) > 1 else ""))
    if args.json:
        if len(targets) > 100:  # all 1,000 ImageNet classes: list the ones that got somewhere
            result["targets"] = [r for r in result["targets"] if r["best_prob"] >= 0.01]
        emit_json(result)
    else:
        rows = sorted(result["targets"], key=lambda r: -r["best_prob"])[:50 if len(targets) > 100 else None]
        for row in rows:
            print(f"{row['best_prob']:9.4%}  {row['index']:4d}  {row['name']}  "
                  f"(generation {row['generation']}, after {row['queries']:,} queries)")
    return 130 if guard.interrupted else 0
