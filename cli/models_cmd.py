"""``models`` and ``download``: what the zoo holds, and fetching weights for offline use."""

from __future__ import annotations

from pathlib import Path

from core import model_download, model_files, models, paths
from core.errors import UserError

from .common import emit_json, progress

#: Extra download targets that are data sets, not classifiers: name → job factory.
DATASET_DOWNLOADS: dict = {}


def register(sub) -> None:
    p = sub.add_parser("models", help="list the classifiers and whether each can be used offline")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("convert", help="check a state dict against its architecture and save it as .safetensors")
    p.add_argument("weights", help="a state dict (.pt / .pth) for one of the listed architectures")
    p.add_argument("--arch", default=None, choices=[n for n in models.model_names()],
                   help="the architecture (default: recognised from the layer names)")
    p.add_argument("--out", default=None, help="the .safetensors file to write (default: beside the input)")
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("download", help="fetch model weights (or data) for offline use")
    p.add_argument("names", nargs="+", metavar="NAME", help="model names (see “models”), or mnist")
    p.set_defaults(func=cmd_download)


def cmd_models(args) -> int:
    rows = models.describe_models()
    if args.json:
        emit_json(rows)
        return 0
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        state = "ready  " if r["available"] else "missing"
        line = f"{r['name']:<{width}}  {state}  {r['title']}"
        if not r["available"]:
            line += f" — {r['reason']}"
        print(line)
    return 0


def cmd_convert(args) -> int:
    src = paths.check_input_file(args.weights, "weights file")
    default_name = Path(src).stem + ".safetensors"
    out = paths.check_output_file(args.out or Path(src).with_name(default_name), default_name=default_name,
                                  suffix=".safetensors", what="safetensors file")
    if out.resolve() == Path(src).resolve():
        raise UserError("the output would overwrite the input; name another file with --out.")
    saved, arch = model_files.convert_to_safetensors(src, out, args.arch)
    progress(f"saved {saved} ({models.get_spec(arch).title} weights, safetensors: data only, no code)")
    return 0


def cmd_download(args) -> int:
    for name in args.names:
        factory = DATASET_DOWNLOADS.get(name)
        if factory is None:
            if name not in models.model_names():  # unknown names fail before any network traffic
                raise UserError(f"unknown name “{name}”; download takes a model ({', '.join(models.model_names())})"
                                f" or a data set ({', '.join(DATASET_DOWNLOADS)}).")
            job = model_download.download_job(name)
        else:
            job = factory()
        last = None
        for frame in job:
            last = frame
            if frame.done:
                break
            total = getattr(frame, "size", 0) or frame.total
            got = getattr(frame, "received", frame.step)
            if total:
                filled = int(30 * got / total)
                progress(f"\r{name}: [{'#' * filled}{'.' * (30 - filled)}] {got / 2**20:6.1f} / "
                         f"{total / 2**20:.1f} MB", end="")
            else:
                progress(f"\r{name}: {got / 2**20:6.1f} MB", end="")
        progress("")
        if last is None:
            raise UserError(f"nothing was downloaded for {name}.")
        progress(last.message)
    return 0
