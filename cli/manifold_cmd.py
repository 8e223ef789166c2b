"""``manifold``: the dimension experiment of the Manifold tab, from the command line."""

from __future__ import annotations

import argparse

from core import manifold

from .common import emit_json, positive_int, progress, seed


def _dims(text: str) -> tuple[int, ...]:
    try:
        dims = tuple(int(t) for t in text.replace(" ", "").split(",") if t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a comma-separated list of whole numbers") from None
    if not dims:
        raise argparse.ArgumentTypeError("give at least one dimension")
    return dims


def register(sub) -> None:
    p = sub.add_parser("manifold", help="embed the toy curve in D dimensions and compare the smallest "
                       "fooling step with the walk along the curve")
    p.add_argument("--curve", default="sine", choices=manifold.CURVES)
    p.add_argument("--dims", type=_dims, default=(2, 10, 100, 1000),
                   help="dimensions, comma-separated, each 2 to 1000 (default 2,10,100,1000)")
    p.add_argument("--seed", type=seed, default=0)
    p.add_argument("--points", type=positive_int, default=200, help="training points (default 200)")
    p.add_argument("--epochs", type=positive_int, default=manifold.SweepParams.epochs)
    p.add_argument("--extra-noise", type=float, default=0.0,
                   help="noise in each extra dimension (standard deviation, default 0)")
    p.add_argument("--eps", type=float, default=manifold.SweepParams.eps,
                   help="per-coordinate step for “fraction flipped” (default 0.05)")
    p.add_argument("--json", action="store_true", help="print one JSON line with every dimension")
    p.set_defaults(func=cmd_manifold)


def cmd_manifold(args) -> int:
    params = manifold.SweepParams(curve=args.curve, dims=args.dims, seed=args.seed, n_points=args.points,
                                  epochs=args.epochs, extra_noise=args.extra_noise, eps=args.eps).validated()
    results = []
    if not args.json:
        print(f"curve {args.curve}, seed {args.seed}; distances in the curve's units "
              "(L2: straight length; L∞: largest change of any one coordinate)")
        print(f"{'D':>5} {'accuracy':>8} {'adv L2':>8} {'walk L2':>8} {'ratio':>6} {'normal':>7} "
              f"{'adv L∞':>8} {'walk L∞':>8} {'ratio':>6} {'flip@ε':>7}")
    for frame in manifold.dimension_sweep_job(params):
        if not frame.results or len(frame.results) == len(results):
            continue
        r = frame.results[-1]
        results.append(r)
        progress(frame.message)
        if not args.json:
            print(f"{r.dim:>5} {r.accuracy:>8.1%} {r.mean_adv:>8.3f} {r.mean_on_manifold:>8.3f} {r.ratio:>6.1f} "
                  f"{r.normal_fraction:>7.1%} {r.mean_adv_linf:>8.4f} {r.mean_on_manifold_linf:>8.3f} "
                  f"{r.ratio_linf:>6.1f} {r.flipped_at_eps:>7.1%}", flush=True)
    if args.json:
        emit_json({"curve": args.curve, "seed": args.seed, "eps_linf": args.eps, "extra_noise": args.extra_noise,
                   "results": [r.as_dict() for r in results]})
    return 0
