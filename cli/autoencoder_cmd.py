"""``autoencoder train`` and ``autoencoder score``: the Autoencoder tab's work without Qt.

Their options come from the parameter dataclasses in ``core.autoencoders`` (``add_params``), so the
CLI, the tab and the saved settings share one default and one limit per setting.
Also registers ``download mnist`` (the full 70,000 digits, cached for offline use).
"""

from __future__ import annotations

import math
import sys

from core import autoencoders as ae
from core import data, imaging, runtime
from core.errors import UserError

from . import models_cmd
from .common import add_device_option, add_params, emit_json, params_from_args, progress

models_cmd.DATASET_DOWNLOADS.setdefault("mnist", data.download_mnist_job)


def register(sub) -> None:
    p = sub.add_parser("autoencoder", help="train an MNIST autoencoder, or score images with it")
    asub = p.add_subparsers(dest="ae_command", metavar="ACTION", required=True,
                            parser_class=type(p))

    t = asub.add_parser("train", help="train an autoencoder on MNIST digits")
    add_params(t, ae.AEConfig)
    add_params(t, ae.TrainParams)
    t.add_argument("--data", default="sample",
                   help="sample (bundled 10,000 digits, default), full (downloaded MNIST) or an IDX folder")
    t.add_argument("--out", default=None,
                   help="where to save the weights, .pt or .safetensors (default: autoencoder_NAME.pt; "
                        "a folder: that file inside it)")
    t.add_argument("--json", action="store_true", help="print a final JSON summary line")
    add_device_option(t)
    t.set_defaults(func=cmd_train)

    s = asub.add_parser("score", help="judge images: digit (OK) or off the digit manifold (LIAR)")
    s.add_argument("images", nargs="+", metavar="IMAGE", help="image files (any size; made MNIST-style)")
    s.add_argument("--weights", default=None,
                   help="autoencoder weights, .pt or .safetensors (default: the shipped dense one)")
    add_params(s, ae.DetectorParams, skip=("images_per_kind",))
    s.add_argument("--json", action="store_true", help="print the results as JSON")
    add_device_option(s)
    s.set_defaults(func=cmd_score)


def cmd_train(args) -> int:
    config = params_from_args(ae.AEConfig, args)
    params = params_from_args(ae.TrainParams, args)
    # the output is checked before any long work: a bad path costs no training
    default_name = f"autoencoder_{config.name}.pt"
    out = ae.check_out_path(args.out or default_name, default_name=default_name)  # its suffix rules too
    digits = data.load_digits(args.data)
    device = runtime.pick_device(args.device)
    batch, lr = params.resolved(config.arch)
    progress(f"training {config.title} on {digits.source}, {params.epochs} epochs "
             f"(batch {batch}, learning rate {lr:g}), on {device.type}")
    last, shown = None, 0
    for frame in ae.train_job(digits, config, params, device=device):
        last = frame
        if frame.batch == 0 and frame.epoch > shown:  # every finished epoch once, the last one too
            shown = frame.epoch
            progress(f"epoch {frame.epoch:4d}/{frame.epochs}  train {frame.train_loss:.4f}  "
                     f"validation {frame.val_loss:.4f}  {frame.samples_per_s:,.0f} digits/s")
    result = last.result
    if result is None:
        raise UserError(f"{last.failure}; nothing was saved.")
    result.model.to("cpu")
    saved = result.save(out)
    progress(f"saved {saved}: validation {config.loss} {result.val_loss:.4f} after {result.epochs} epochs, "
             f"{result.seconds:.1f} s; digits' loss mean {result.mean:.4f}, std {result.std:.4f}")
    if args.json:
        emit_json({
            "arch": config.arch, "latent": config.latent, "noise": config.noise, "loss": config.loss,
            "train_loss": _json_number(result.train_loss), "val_loss": result.val_loss, "epochs": result.epochs,
            "seconds": round(result.seconds, 3), "weights": str(saved),
            "val_mean": result.mean, "val_std": result.std, "data": digits.source,
            "diverged": last.failure or None,
        })
    if last.failure:
        print(f"error: {last.failure} (saved to {saved}).", file=sys.stderr)
        return 2
    return 0


def _json_number(x: float) -> float | None:
    return x if math.isfinite(x) else None


def cmd_score(args) -> int:
    detector = params_from_args(ae.DetectorParams, args)
    k = detector.k
    device = runtime.pick_device(args.device)
    trained = ae.TrainedAE.load(args.weights, device) if args.weights else ae.load_default(device=device)
    if trained.unfit:
        raise UserError(f"this autoencoder cannot judge images: {trained.unfit}.")
    rows, failed = [], []
    for spec in args.images:
        try:  # one unreadable file must not cost the verdicts on all the others
            prepared = ae.mnist_style(imaging.load_image(spec))
        except UserError as exc:
            failed.append(spec)
            rows.append({"image": spec, "error": str(exc)})
            print(f"error: {exc}", file=sys.stderr)
            continue
        v = ae.judge(trained, prepared.image, k)
        if not v.judged:
            failed.append(spec)
            print(f"error: cannot judge “{spec}”: {v.reason}.", file=sys.stderr)
        rows.append({"image": spec, "loss": _json_number(v.loss), "z": _json_number(v.z),
                     "threshold": v.threshold, "verdict": v.word, "inverted": prepared.inverted,
                     **({"reason": v.reason} if v.reason else {})})
    if args.json:
        emit_json({"weights": trained.path, "loss_name": trained.config.loss, "mean": trained.mean,
                   "std": trained.std, "k": k, "images": rows})
    else:
        print(f"# {trained.config.title}; digits' loss mean {trained.mean:.3f}, std {trained.std:.3f}; "
              f"threshold {trained.threshold(k):.3f} (k = {k:g})")
        for r in rows:
            if "error" not in r and r["loss"] is not None:
                word = "cannot judge" if "reason" in r else r["verdict"] + "!"
                print(f"loss = {r['loss']:.3f}  z = {r['z'] if r['z'] is not None else float('nan'):+5.1f}  {word:6s} {r['image']}")
    return 2 if failed else 0
