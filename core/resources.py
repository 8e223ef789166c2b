"""The one way to find files shipped in ``resources/``."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource, e.g. ``resource_path("samples", "chelsea.png")``."""
    return ROOT.joinpath(*parts)


def sample_images() -> dict[str, Path]:
    """The bundled sample photos by short name (file stem), in a stable order."""
    folder = resource_path("samples")
    exts = {".png", ".jpg", ".jpeg"}
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix.lower() in exts}
