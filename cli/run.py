"""The ``main.py`` sub-commands: one parser, each command in its own module."""

from __future__ import annotations

import logging
import os
import sys
from typing import Sequence

from core import runtime
from core.errors import UserError

from . import autoencoder_cmd, evolve_cmd, inside_cmd, manifold_cmd, models_cmd, scenes_cmd, whitebox_cmd
from .common import ArgumentParser

#: Modules with ``register(subparsers)``; each command sets ``func(args) -> int`` as its default.
COMMAND_MODULES = [models_cmd, whitebox_cmd, evolve_cmd, inside_cmd, manifold_cmd, autoencoder_cmd, scenes_cmd]

log = logging.getLogger("fooling_lab.cli")


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="main.py", description="Fooling Lab: how neural networks are fooled. "
                            "Without a command, the window opens.",
                            epilog="window: main.py [--presentation] [--scene NAME|NUMBER|FILE.json]; "
                                   "desktop launcher: main.py --install-launcher | --uninstall-launcher")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def run(argv: Sequence[str]) -> int:
    """Run one CLI command; returns the process exit status."""
    try:
        args = build_parser().parse_args(list(argv))
        runtime.configure_threads()  # once per process: torch's threads and numpy's BLAS
        if os.environ.get("FOOLING_LAB_DEVICE"):
            runtime.pick_device(None)  # a bad FOOLING_LAB_DEVICE is one sentence, before any work
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (``| head``): nothing more to say
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 0
    except KeyboardInterrupt:
        print("error: interrupted.", file=sys.stderr)
        return 130
    except MemoryError:
        print("error: this computer ran out of memory; try a smaller model or image.", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug: one line for the user, the traceback to the log
        log.exception("unexpected error in %s", list(argv))
        print(f"error: unexpected internal error ({type(exc).__name__}: {exc}).", file=sys.stderr)
        return 1
