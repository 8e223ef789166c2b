"""``autoencoder train`` and ``autoencoder score``: the Autoencoder tab's work without Qt.

Also registers ``download mnist`` (the full 70,000 digits, cached for offline use).
"""

from __future__ import annotations

import sys

from core import autoencoders as ae
from core import data, imaging, paths, runtime
from core.errors import UserError

from . import models_cmd
from .common import add_device_option, emit_json, finite, fraction, positive_int, progress, seed

models_cmd.DATASET_DOWNLOADS.setdefault("mnist", data.download_mnist_job)


def register(sub) -> None:
    p = sub.add_parser("autoencoder", help="train an MNIST autoencoder, or score images with it")
    asub = p.add_subparsers(dest="ae_command", metavar="ACTION", required=True,
                            parser_class=type(p))

    t = asub.add_parser("train", help="train an autoencoder on MNIST digits")
    t.add_argument("--arch", default="dense", choices=ae.ARCHS, help="architecture (default dense)")
    t.add_argument("--latent", type=positive_int, default=32, help="code size (default 32)")
    t.add_argument("--epochs", type=positive_int, default=50, help="epochs (default 50)")
    t.add_argument("--noise", type=fraction, default=0.0,
                   help="denoising: noise factor in [0, 1] (default 0, a plain autoencoder)")
    t.add_argument("--noise-kind", default="gaussian", choices=ae.NOISE_KINDS)
    t.add_argument("--loss", default="bce", choices=ae.LOSSES, help="bce (default) or mse")
    t.add_argument("--batch-size", type=positive_int, default=None,
                   help="digits per step (default: 16 for dense and deep, 32 for conv)")
    t.add_argument("--lr", type=finite, default=None, help="Adam learning rate (default: per architecture)")
    t.add_argument("--data", default="sample",
                   help="sample (bundled 10,000 digits, default), full (downloaded MNIST) or an IDX folder")
    t.add_argument("--seed", type=seed, default=0)
    t.add_argument("--out", default=None, help="where to save the weights (default: autoencoder_NAME.pt)")
    t.add_argument("--json", action="store_true", help="print a final JSON summary line")
    add_device_option(t)
    t.set_defaults(func=cmd_train)

    s = asub.add_parser("score", help="judge images: digit (OK) or off the digit manifold (LIAR)")
    s.add_argument("images", nargs="+", metavar="IMAGE", help="image files (any size; made MNIST-style)")
    s.add_argument("--weights", default=None, help="autoencoder weights (default: the shipped dense one)")
    s.add_argument("--k", type=finite, default=ae.DEFAULT_K,
                   help=f"threshold = mean + k·std of the validation losses (default {ae.DEFAULT_K:g})")
    s.add_argument("--json", action="store_true", help="print the results as JSON")
    add_device_option(s)
    s.set_defaults(func=cmd_score)


def cmd_train(args) -> int:
    config = ae.AEConfig(arch=args.arch, latent=args.latent, noise=args.noise, noise_kind=args.noise_kind,
                         loss=args.loss).validated()
    overrides = {k: v for k, v in (("batch_size", args.batch_size), ("lr", args.lr)) if v is not None}
    params = ae.default_params(config.arch, args.epochs, **overrides)
    default_name = f"autoencoder_{config.name}.pt"
    out = paths.check_output_file(args.out or default_name, default_name=default_name, what="weights")
    digits = data.load_digits(args.data)
    device = runtime.pick_device(args.device)
    progress(f"training {config.title} on {digits.source}, {args.epochs} epochs, on {device.type}")
    last = None
    for frame in ae.train_job(digits, config, params, seed=args.seed, device=device):
        last = frame
        if frame.batch == 0 and frame.epoch > 0:
            progress(f"epoch {frame.epoch:4d}/{frame.epochs}  train {frame.train_loss:.4f}  "
                     f"validation {frame.val_loss:.4f}  {frame.samples_per_s:,.0f} digits/s")
    result = last.result
    result.model.to("cpu")
    saved = result.save(out)
    progress(f"saved {saved}: validation {config.loss} {result.val_loss:.4f} after {result.epochs} epochs, "
             f"{result.seconds:.1f} s; digits' loss mean {result.mean:.4f}, std {result.std:.4f}")
    if args.json:
        emit_json({
            "arch": config.arch, "latent": config.latent, "noise": config.noise, "loss": config.loss,
            "train_loss": result.train_loss, "val_loss": result.val_loss, "epochs": result.epochs,
            "seconds": round(result.seconds, 3), "weights": str(saved),
            "val_mean": result.mean, "val_std": result.std, "data": digits.source,
        })
    return 0


def cmd_score(args) -> int:
    device = runtime.pick_device(args.device)
    trained = ae.TrainedAE.load(args.weights, device) if args.weights else ae.load_default(device=device)
    rows, failed = [], []
    for spec in args.images:
        try:  # one unreadable file must not cost the verdicts on all the others
            prepared = ae.mnist_style(imaging.load_image(spec))
        except UserError as exc:
            failed.append(spec)
            rows.append({"image": spec, "error": str(exc)})
            print(f"error: {exc}", file=sys.stderr)
            continue
        v = ae.judge(trained, prepared.image, args.k)
        rows.append({"image": spec, "loss": v.loss, "z": v.z, "threshold": v.threshold, "verdict": v.word,
                     "inverted": prepared.inverted})
    if args.json:
        emit_json({"weights": trained.path, "loss_name": trained.config.loss, "mean": trained.mean,
                   "std": trained.std, "k": args.k, "images": rows})
    else:
        print(f"# {trained.config.title}; digits' loss mean {trained.mean:.3f}, std {trained.std:.3f}; "
              f"threshold {trained.threshold(args.k):.3f} (k = {args.k:g})")
        for r in rows:
            if "error" not in r:
                print(f"loss = {r['loss']:.3f}  z = {r['z']:+5.1f}  {r['verdict'] + '!':6s} {r['image']}")
    return 2 if failed else 0
