"""``--movie FILE.gif|FILE.mp4`` for the commands that animate (fool, evolve)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import movie

from .common import progress


def add_movie_option(p) -> None:
    p.add_argument("--movie", default=None, metavar="FILE.gif|FILE.mp4",
                   help="also write the run as an animation for slides, with its settings as JSON beside it")


def recorder(args, fps: float = 10.0) -> movie.MovieRecorder | None:
    """A recorder when ``--movie`` was given (its name checked before the run starts), else None."""
    return movie.MovieRecorder(args.movie, fps=fps) if getattr(args, "movie", None) else None


def add(rec: movie.MovieRecorder | None, images: list[np.ndarray], caption: str) -> None:
    if rec is not None:
        rec.add(movie.compose(images, caption))


def finish(rec: movie.MovieRecorder | None, command: str, args, params: Any = None) -> None:
    if rec is None:
        return
    options = {k: v for k, v in vars(args).items() if k != "func" and not callable(v)}
    meta = {"command": command, "options": options}
    if params is not None and hasattr(params, "to_dict"):
        meta["params"] = {getattr(params, "SCHEMA", "") or type(params).__name__: params.to_dict()}
    path = rec.write(meta)
    progress(f"movie: {path} ({len(rec.frames)} frames) and {path.with_suffix('.json').name}")
