"""``layers``, ``visualize`` and ``dream``: the inside-the-network tab's work from the command line."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from core import anatomy, dream, featurevis, imaging, models, paths, runtime
from core.errors import UserError
from core.resources import sample_images

from .common import (
    add_device_option, add_model_options, add_params, emit_json, params_from_args, progress, resolve_model,
)


def register(sub) -> None:
    p = sub.add_parser("layers", help="list a classifier's stages, from pixels to class scores")
    add_model_options(p, models.DEFAULT_MODEL)
    p.add_argument("--json", action="store_true", help="print the stages as JSON")
    add_device_option(p)
    p.set_defaults(func=cmd_layers)

    p = sub.add_parser("visualize", help="synthesise the picture a channel (or a class) responds to most")
    add_model_options(p, models.DEFAULT_MODEL)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--layer", help="stage name or number, as “layers” lists them")
    what.add_argument("--class", dest="class_name", help="class name or index: visualise the class's score")
    p.add_argument("--channel", type=int, default=None, help="channel of --layer (default: 0)")
    p.add_argument("--regularize", choices=list(featurevis.PRESETS), default=None,
                   help="regularisers at once (overrides the single switches): "
                        + "; ".join(f"{k}: {v}" for k, v in featurevis.PRESET_TITLES.items()))
    add_params(p, featurevis.VisParams)
    p.add_argument("--out", required=True, help="where to save the PNG")
    p.add_argument("--json", action="store_true", help="print a final JSON summary line")
    add_device_option(p)
    p.set_defaults(func=cmd_visualize)

    p = sub.add_parser("dream", help="DeepDream: let a stage's patterns grow in a photo")
    p.add_argument("--image", required=True, help="image file or a bundled sample name")
    add_model_options(p, models.DEFAULT_MODEL)
    p.add_argument("--layer", action="append", default=None,
                   help="stage to dream at (repeat to mix several; default: one in the middle)")
    add_params(p, dream.DreamParams)
    p.add_argument("--out", required=True, help="where to save the PNG")
    p.add_argument("--json", action="store_true", help="print a final JSON summary line")
    add_device_option(p)
    p.set_defaults(func=cmd_dream)


def _classifier(args) -> models.Classifier:
    args.model = resolve_model(args)
    return models.load_classifier(args.model, runtime.pick_device(args.device))


def _check_out(path: str) -> Path:
    """Checked (and tried) before the long work; an existing folder means a file inside it."""
    return paths.check_output_file(path, default_name="inside.png", suffix=".png", what="picture")


def cmd_layers(args) -> int:
    clf = _classifier(args)
    rows = anatomy.stages(clf)
    if args.json:
        emit_json({"model": clf.name, "input": [clf.channels, *clf.input_size],
                   "stages": [s.to_dict() for s in rows]})
        return 0
    print(f"{clf.name}: input {clf.channels}×{clf.input_size[0]}×{clf.input_size[1]} pixels")
    for s in rows:
        part = {"conv": "extracts", "pool": "pools", "dense": "exploits"}[s.kind]
        print(f"{s.index:3d}  {s.name:<16} {part:<9} {s.shape_text():>14}  {s.parameters:>10,} weights  {s.title}")
    return 0


def _photos(size: tuple[int, int]) -> dict[str, np.ndarray]:
    return {name: imaging.fit_image(imaging.load_image(path), size, "crop") for name, path in sample_images().items()}


def cmd_visualize(args) -> int:
    clf = _classifier(args)
    params = params_from_args(featurevis.VisParams, args)
    if args.regularize:
        params = params.with_preset(args.regularize)
    out = _check_out(args.out)
    t0 = time.perf_counter()
    if args.class_name is not None:
        if args.channel is not None:
            raise UserError("--channel goes with --layer, not with --class.")
        return _visualize_class(clf, args, params, out, t0)
    stage = anatomy.find_stage(clf, args.layer)
    channel = anatomy.check_channel(stage, 0 if args.channel is None else args.channel)
    progress(f"synthesising {clf.name} {stage.name} channel {channel} ({params.describe()}, {params.steps} steps)")
    last = None
    for frame in featurevis.visualize_job(clf, stage, [channel], params):
        last = frame
        if not frame.done and (frame.step % 16 == 0 or frame.step == 1):
            progress(f"step {frame.step:4d}/{frame.total}  mean activation {frame.values[0]:8.3f}")
    saved = imaging.save_png(out, last.image)
    reread = imaging.load_image(saved)
    value = float(anatomy.channel_means(clf, [reread], stage)[0, channel])
    photos = _photos(clf.input_size)
    natural = anatomy.channel_means(clf, photos.values(), stage)[:, channel]
    best = float(natural.max())
    summary = {
        "model": clf.name, "layer": stage.name, "channel": channel, "regularizers": params.describe(),
        "steps": last.step, "size": params.size, "activation": value,
        "photos": {name: float(v) for name, v in zip(photos, natural)},
        "photos_max": best, "ratio_to_photos_max": value / best if best > 0 else None,
        "seconds": round(time.perf_counter() - t0, 3), "out": str(saved),
    }
    progress(f"saved {saved}: mean activation {value:.3f} (bundled photos: up to {best:.3f})")
    if args.json:
        emit_json(summary)
    return 0


def _visualize_class(clf, args, params, out, t0) -> int:
    target = models.resolve_class(clf.labels, args.class_name)
    progress(f"synthesising “{clf.labels[target]}” for {clf.name} ({params.describe()}, {params.steps} steps)")
    last = None
    for frame in featurevis.visualize_job(clf, anatomy.stages(clf)[-1], [target], params):
        last = frame
        if not frame.done and (frame.step % 16 == 0 or frame.step == 1):
            progress(f"step {frame.step:4d}/{frame.total}  score of “{clf.labels[target]}” {frame.values[0]:8.2f}")
    saved = imaging.save_png(out, last.image)
    reread = imaging.load_image(saved)
    probs = clf.probabilities(imaging_tensor(reread, clf))[0]
    top = int(probs.argmax())
    summary = {
        "model": clf.name, "class_index": target, "class_name": clf.labels[target],
        "probability": float(probs[target]), "top1_index": top, "top1_name": clf.labels[top],
        "top1_prob": float(probs[top]), "regularizers": params.describe(), "steps": last.step,
        "size": params.size, "seconds": round(time.perf_counter() - t0, 3), "out": str(saved),
    }
    progress(f"saved {saved}: “{clf.labels[target]}” at {summary['probability']:.2%}")
    if args.json:
        emit_json(summary)
    return 0


def imaging_tensor(image: np.ndarray, clf: models.Classifier):
    from core.jobs import from_uint8_image

    return from_uint8_image(image, clf.device)


def cmd_dream(args) -> int:
    clf = _classifier(args)
    params = params_from_args(dream.DreamParams, args)
    samples = sample_images()
    source = args.image
    path = samples[source] if source in samples and not Path(source).exists() else source
    image = imaging.load_image(path)
    names = args.layer or [anatomy.dream_default(clf).name]
    chosen = [anatomy.find_stage(clf, n) for n in names]
    out = _check_out(args.out)
    progress(f"dreaming {Path(str(path)).name} at {', '.join(s.name for s in chosen)} "
             f"({params.octaves} octaves × {params.steps} steps)")
    t0 = time.perf_counter()
    last = None
    for frame in dream.dream_job(clf, image, chosen, params):
        last = frame
        if not frame.done and frame.step % params.steps == 0:
            progress(f"octave {frame.octave}/{frame.octaves} done ({frame.octave_size[1]}×{frame.octave_size[0]})")
    saved = imaging.save_png(out, last.image)
    change = np.abs(last.image.astype(np.int16) - last.original.astype(np.int16))
    summary = {
        "model": clf.name, "layers": [s.name for s in chosen], "octaves": params.octaves,
        "steps_per_octave": params.steps, "steps": last.step, "width": int(last.image.shape[1]),
        "height": int(last.image.shape[0]), "mean_change_255": float(change.mean()),
        "seconds": round(time.perf_counter() - t0, 3), "out": str(saved),
    }
    progress(f"saved {saved} ({summary['width']}×{summary['height']}), {summary['seconds']:.1f} s")
    if args.json:
        emit_json(summary)
    return 0
