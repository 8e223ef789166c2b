"""``manifold``: the dimension experiment of the Manifold tab, from the command line."""

from __future__ import annotations

from core import manifold

from .common import add_params, emit_json, params_from_args, progress


def register(sub) -> None:
    p = sub.add_parser("manifold", help="embed the toy curve in D dimensions and compare the smallest "
                       "fooling step with the walk along the curve")
    add_params(p, manifold.SweepParams)
    p.add_argument("--json", action="store_true", help="print one JSON line with every dimension")
    p.set_defaults(func=cmd_manifold)


def cmd_manifold(args) -> int:
    params = params_from_args(manifold.SweepParams, args)
    results = []
    last = None
    if not args.json:
        print(f"curve {params.curve}, seed {params.seed}; distances in the curve's units "
              "(L2: straight length; L∞: largest change of any one coordinate)")
        print(f"{'D':>5} {'accuracy':>8} {'adv L2':>8} {'walk L2':>8} {'ratio':>6} {'normal':>7} "
              f"{'adv L∞':>8} {'walk L∞':>8} {'ratio':>6} {'flip@ε':>7}")
    for frame in manifold.dimension_sweep_job(params):
        last = frame
        if not frame.results or len(frame.results) == len(results):
            continue
        r = frame.results[-1]
        results.append(r)
        progress(frame.message)
        if not args.json:
            print(f"{r.dim:>5} {r.accuracy:>8.1%} {r.mean_adv:>8.3f} {r.mean_on_manifold:>8.3f} {r.ratio:>6.1f} "
                  f"{r.normal_fraction:>7.1%} {r.mean_adv_linf:>8.4f} {r.mean_on_manifold_linf:>8.3f} "
                  f"{r.ratio_linf:>6.1f} {r.flipped_at_eps:>7.1%}", flush=True)
    if not args.json and last is not None and last.results:
        print(last.summary)
    if args.json:
        emit_json({"curve": params.curve, "seed": params.seed, "eps_linf": params.eps,
                   "extra_noise": params.extra_noise, "results": [r.as_dict() for r in results]})
    return 0
