"""``classify`` and ``fool``: the white-box tab's work from the command line."""

from __future__ import annotations

import time
from pathlib import Path

from core import imaging, models, paths, runtime, whitebox

from . import movie_opt
from .common import (
    add_device_option, add_model_options, add_params, emit_json, params_from_args, progress, resolve_model, seed,
)


def register(sub) -> None:
    p = sub.add_parser("classify", help="print a classifier's top-5 for an image")
    p.add_argument("image", help="image file (PNG, JPEG, BMP, WebP, TIFF, GIF)")
    add_model_options(p, models.DEFAULT_MODEL)
    add_params(p, imaging.FitParams)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_device_option(p)
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("fool", help="morph an image until the classifier sees a chosen class")
    p.add_argument("--image", required=True, help="image file, a bundled sample name, or “noise”")
    p.add_argument("--target", required=True, help="target class name or index (e.g. “tiger shark”, 3)")
    add_model_options(p, models.DEFAULT_MODEL)
    add_params(p, whitebox.AttackParams)
    add_params(p, imaging.FitParams)
    p.add_argument("--seed", type=seed, default=0, help="seed for --image noise")
    p.add_argument("--out", default=None, help="where to save the adversarial PNG")
    p.add_argument("--json", action="store_true", help="print a final JSON summary line")
    movie_opt.add_movie_option(p)
    add_device_option(p)
    p.set_defaults(func=cmd_fool)


def _classifier(args) -> models.Classifier:
    args.model = resolve_model(args)
    return models.load_classifier(args.model, runtime.pick_device(args.device))


def load_input(spec: str, size: tuple[int, int], seed: int = 0, fit: str = "crop"):
    """An image argument: ``noise``, a bundled sample's name, or a file path (aspect kept: ``fit``)."""
    from core.resources import sample_images

    if spec == "noise":
        return imaging.noise_image(size, seed), "noise"
    samples = sample_images()
    if spec in samples and not Path(spec).exists():
        return imaging.fit_image(imaging.load_image(samples[spec]), size, fit), spec
    return imaging.fit_image(imaging.load_image(spec), size, fit), Path(spec).name


def cmd_classify(args) -> int:
    clf = _classifier(args)
    img, _ = load_input(args.image, clf.input_size, fit=args.fit)
    top = whitebox.classify(clf, img)
    if args.json:
        emit_json({"model": clf.name, "top5": [{"index": i, "name": n, "prob": p} for i, n, p in top]})
    else:
        for i, n, p in top:
            print(f"{p:7.2%}  {i:4d}  {n}")
    return 0


def cmd_fool(args) -> int:
    if args.out:  # a bad place to write is found before the model loads, not after the attack
        paths.check_output_file(args.out, default_name="adversarial.png", suffix=".png", what="adversarial image")
    clf = _classifier(args)
    target = models.resolve_class(clf.labels, args.target)
    img, source = load_input(args.image, clf.input_size, args.seed, fit=args.fit)
    params = params_from_args(whitebox.AttackParams, args)
    default_name = f"{Path(source).stem}-{clf.labels[target].replace(' ', '_')}.png"
    out = paths.check_output_file(args.out or default_name, default_name=default_name, suffix=".png",
                                  what="adversarial image")
    progress(f"fooling {clf.name} into “{clf.labels[target]}” ({args.method}, {args.norm}, ε={args.eps:g})")
    rec = movie_opt.recorder(args)
    t0 = time.perf_counter()
    last = None
    for frame in whitebox.attack_job(clf, img, target, params):
        last = frame
        movie_opt.add(rec, [frame.image, frame.perturbation],
                      f"step {frame.step}: “{clf.labels[target]}” {frame.target_prob:.1%}")
        if not frame.done:
            progress(f"step {frame.step:4d}/{frame.total}  target {frame.target_prob:7.2%}  "
                     f"top-1 {clf.labels[frame.top_indices[0]]} ({frame.top_probs[0]:.1%})")
    seconds = time.perf_counter() - t0
    saved = imaging.save_png(out, last.image)
    # Everything reported is measured on the file as written, read back.
    reread = imaging.load_image(saved)
    top = whitebox.classify(clf, reread, k=clf.num_classes)
    probs = {i: p for i, _, p in top}
    summary = {
        "model": clf.name,
        "method": args.method, "norm": args.norm, "eps_levels": args.eps,
        "target_index": target, "target_name": clf.labels[target], "target_prob": probs[target],
        "original_index": last.original_class, "original_name": clf.labels[last.original_class],
        "original_prob": probs[last.original_class], "original_start_prob": last.original_start_prob,
        "top1_index": top[0][0], "top1_name": top[0][1], "top1_prob": top[0][2],
        "linf_255": int(abs(reread.astype(int) - img.astype(int)).max()),
        "l2": float(((reread.astype(float) - img.astype(float)) / 255).__pow__(2).sum() ** 0.5),
        "steps": last.step, "seconds": round(seconds, 3), "out": str(saved),
    }
    progress(f"saved {saved}: “{summary['top1_name']}” at {summary['top1_prob']:.2%} "
             f"(target {summary['target_prob']:.2%}) after {summary['steps']} steps, {seconds:.1f} s")
    movie_opt.finish(rec, "fool", args, params)
    if args.json:
        emit_json(summary)
    return 0
