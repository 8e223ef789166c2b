"""``evolve``: the Evolution tab's black-box fooling from the command line."""

from __future__ import annotations

import re
import time
from pathlib import Path

from core import evolution, imaging, models, runtime
from core.errors import UserError

from . import movie_opt
from .common import add_device_option, emit_json, positive_int, probability, progress, seed


def register(sub) -> None:
    p = sub.add_parser("evolve", help="evolve images a classifier labels with near-certainty (black box)")
    p.add_argument("--model", default="mnist_cnn", help="classifier (see “models”; default mnist_cnn)")
    p.add_argument("--encoding", default="cppn", choices=evolution.ENCODINGS,
                   help="direct: the genome is the pixels; cppn: a small pattern-producing network")
    p.add_argument("--algorithm", default="map-elites", choices=evolution.ALGORITHMS,
                   help="ga: one target class; map-elites: many classes at once")
    p.add_argument("--target", default="all",
                   help="class name or index, several separated by commas, or “all” (default all)")
    p.add_argument("--population", type=positive_int, default=None,
                   help="images per generation (default 24 for ga, 50 for map-elites)")
    p.add_argument("--generations", type=positive_int, default=1000, help="most generations (default 1000)")
    p.add_argument("--max-queries", type=positive_int, default=None, help="stop after this many images queried")
    p.add_argument("--stop-at", type=probability, default=0.9999,
                   help="end once every target has an image at this probability (default 0.9999)")
    p.add_argument("--elite", type=int, default=2, help="ga: best images kept unchanged (default 2)")
    p.add_argument("--selection", default="tournament", choices=evolution.SELECTIONS)
    p.add_argument("--mutation-rate", type=probability, default=None,
                   help="direct: fraction of pixels mutated (0.1); cppn: chance per weight (0.3)")
    p.add_argument("--mutation", default="polynomial", choices=evolution.MUTATIONS,
                   help="direct encoding's pixel mutation (default polynomial)")
    p.add_argument("--crossover-rate", type=float, default=0.2, help="chance a child has two parents (0.2)")
    p.add_argument("--seed", type=seed, default=0, help="same seed, same run (default 0)")
    p.add_argument("--out", default=None, help="folder for the best image per target (PNG) and the grid")
    p.add_argument("--threads", type=positive_int, default=None, help="CPU threads for the model")
    p.add_argument("--json", action="store_true", help="print a final JSON summary line")
    movie_opt.add_movie_option(p)
    add_device_option(p)
    p.set_defaults(func=cmd_evolve)


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "class"


def cmd_evolve(args) -> int:
    if args.threads:
        runtime.configure_threads(args.threads)
    if args.model.endswith((".pt", ".pth", ".ts")) and Path(args.model).is_file():
        args.model = models.register_model_file(args.model)
    spec = models.get_spec(args.model)
    targets = evolution.parse_targets(spec.labels, args.target)
    if args.algorithm == "ga" and len(targets) != 1:
        raise UserError("the genetic algorithm evolves one target class; use --algorithm map-elites for several.")
    population = args.population or (24 if args.algorithm == "ga" else 50)
    params = evolution.EvolutionParams(
        encoding=args.encoding, algorithm=args.algorithm, population=population,
        generations=args.generations, max_queries=args.max_queries, stop_at=args.stop_at,
        elite=args.elite, selection=args.selection,
        tournament=min(3, population), mutation_rate=args.mutation_rate, mutation=args.mutation,
        crossover_rate=args.crossover_rate, seed=args.seed,
    ).validated()
    out = Path(args.out) if args.out else None
    if out is not None:
        if out.exists() and not out.is_dir():
            raise UserError(f"“{out}” is a file, not a folder.")
        if not out.parent.is_dir():
            raise UserError(f"the folder “{out.parent}” does not exist.")
        out.mkdir(exist_ok=True)
    clf = models.load_classifier(args.model, runtime.pick_device(args.device))
    what = "all classes" if len(targets) == clf.num_classes else ", ".join(clf.labels[t] for t in targets[:5]) + (
        f" and {len(targets) - 5} more" if len(targets) > 5 else "")
    progress(f"evolving {args.encoding} images for {clf.name} ({args.algorithm}, population {population}, "
             f"seed {args.seed}): {what}")
    rec = movie_opt.recorder(args)
    last = None
    shown = 0.0
    for frame in evolution.evolution_job(clf, targets, params):
        last = frame
        movie_opt.add(rec, [frame.cell_mosaic], f"generation {frame.generation}: best "
                      f"“{clf.labels[frame.best_target]}” {frame.best_prob:.1%}")
        now = time.perf_counter()
        if frame.done or now - shown > 1.0:
            shown = now
            reached = int((frame.cell_probs >= params.stop_at).sum()) if params.stop_at else 0
            progress(f"generation {frame.generation:5d}  queries {frame.queries:8,d}  "
                     f"{frame.images_per_second:7.0f} images/s  best “{clf.labels[frame.best_target]}” "
                     f"{frame.best_prob:.4%}  median {float(_median(frame.cell_probs)):.2%}"
                     + (f"  {reached}/{len(targets)} at ≥ {params.stop_at:.2%}" if params.stop_at else ""))
    assert last is not None
    result = evolution.summary(last)
    result.update({"model": clf.name, "population": population, "seed": args.seed, "stop_at": args.stop_at})
    if out is not None:
        for row, img in zip(result["targets"], last.cell_images):
            if img is not None:
                path = imaging.save_png(out / f"{row['index']:04d}-{safe_name(row['name'])}.png", img)
                row["png"] = str(path)
        result["grid_png"] = str(imaging.save_png(out / "grid.png", last.cell_mosaic))
    movie_opt.finish(rec, "evolve", args, params)
    progress(f"done after {result['generations']} generations, {result['queries']:,} images queried, "
             f"{result['seconds']:.1f} s: {last.stop_reason}")
    if args.json:
        emit_json(result)
    else:
        for row in result["targets"]:
            print(f"{row['best_prob']:9.4%}  {row['index']:4d}  {row['name']}  "
                  f"(generation {row['generation']}, after {row['queries']:,} queries)")
    return 0


def _median(values) -> float:
    import numpy as np

    return float(np.median(values)) if len(values) else 0.0
