"""Scenes: the lecture as one click each, stored as versioned JSON (no Qt here).

A scene names the tab to show, a one-line caption and, per tab, the state that
``LabTab.scene_state()`` produces: ``{"page": 0 or "page title", "params": {form: Params.to_dict()},
"extra": {...}}``. Applying a scene first resets every tab to the lecture's defaults and then
applies what the scene lists, so a scene file may hold only what differs from the defaults (the
shipped lecture does) or everything (a scene saved from the window does); either way the screen
ends up the same every time.

File form::

    {"format": "fooling-lab-scene", "version": 1, "name": "Elephant → tiger shark",
     "caption": "…", "tab": "whitebox", "tabs": {"whitebox": {"page": 0, "params": {...}}}}

The shipped lecture is ``resources/scenes/lecture.json``: ``{"format": "fooling-lab-lecture",
"version": 1, "scenes": [scene, ...]}`` in lecture order. Unknown keys are reported as problems; a
wrong type or a newer version is a :class:`~core.errors.UserError` sentence.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import UserError
from .resources import resource_path

SCENE_FORMAT = "fooling-lab-scene"
LECTURE_FORMAT = "fooling-lab-lecture"
VERSION = 1
SCENE_KEYS = {"format", "version", "name", "caption", "tab", "tabs"}
TAB_KEYS = {"page", "params", "extra"}
SUFFIX = ".json"


@dataclass(frozen=True)
class Scene:
    name: str
    tab: str
    caption: str = ""
    tabs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return slugify(self.name)

    def to_dict(self) -> dict[str, Any]:
        return {"format": SCENE_FORMAT, "version": VERSION, "name": self.name, "caption": self.caption,
                "tab": self.tab, "tabs": {k: dict(v) for k, v in self.tabs.items()}}


def slugify(name: str) -> str:
    """``"Invisible: ε = 1"`` → ``"invisible-e-1"``: a name one can type on a command line."""
    text = unicodedata.normalize("NFKD", name.replace("ε", "e").replace("→", "to"))
    text = text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# ---------------------------------------------------------------------------------- reading
def scene_from_dict(data: Any, *, source: str = "the scene") -> tuple[Scene, list[str]]:
    """A scene from its JSON form, and the problems that did not stop it (unknown keys)."""
    if not isinstance(data, Mapping):
        raise UserError(f"{source} is not a JSON object.")
    problems = [f"{source}: unknown key “{k}” ignored" for k in data if k not in SCENE_KEYS]
    fmt = data.get("format", SCENE_FORMAT)
    if fmt != SCENE_FORMAT:
        raise UserError(f"{source} is not a Fooling Lab scene (its format is {fmt!r}).")
    version = data.get("version", VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UserError(f"{source} has a bad version {version!r}; it must be a whole number.")
    if version > VERSION:
        raise UserError(f"{source} is scene version {version}; this Fooling Lab reads up to {VERSION}.")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise UserError(f"{source} has no name; give it a \"name\" text.")
    where = f"scene “{name}”"
    caption = data.get("caption", "")
    if not isinstance(caption, str):
        raise UserError(f"The caption of {where} must be text.")
    tab = data.get("tab")
    if not isinstance(tab, str) or not tab:
        raise UserError(f"{where} does not say which tab to show (\"tab\": \"whitebox\", …).")
    tabs = data.get("tabs", {})
    if not isinstance(tabs, Mapping):
        raise UserError(f"“tabs” of {where} must be a JSON object of tab states.")
    clean: dict[str, dict[str, Any]] = {}
    for key, state in tabs.items():
        if not isinstance(state, Mapping):
            raise UserError(f"the {key} tab's state in {where} must be a JSON object.")
        problems += [f"{where}, tab {key}: unknown key “{k}” ignored" for k in state if k not in TAB_KEYS]
        page = state.get("page", 0)
        if isinstance(page, bool) or not isinstance(page, (int, str)) or (isinstance(page, int) and page < 0):
            raise UserError(f"the {key} tab's page in {where} must be a page number (0, 1, …) or its title.")
        params = state.get("params", {})
        if not isinstance(params, Mapping) or not all(isinstance(v, Mapping) for v in params.values()):
            raise UserError(f"the {key} tab's “params” in {where} must map each form to its settings.")
        extra = state.get("extra", {})
        if not isinstance(extra, Mapping):
            raise UserError(f"the {key} tab's “extra” in {where} must be a JSON object.")
        clean[key] = {k: v for k, v in state.items() if k in TAB_KEYS}
        problems += _check_params(params, f"{where}, tab {key}")
    return Scene(name=name.strip(), tab=tab, caption=caption.strip(), tabs=clean), problems


def _check_params(params: Mapping[str, Mapping[str, Any]], where: str) -> list[str]:
    """Forms named after a known ``Params`` schema are checked against it (strictly)."""
    known = schemas()
    problems: list[str] = []
    for form, values in params.items():
        cls = known.get(form)
        if cls is None:
            continue
        try:
            _params, more = cls.from_dict(values, strict=True)
        except UserError as exc:
            raise UserError(f"{where}: {exc}") from None
        problems += [f"{where}: {p}" for p in more]
    return problems


#: Modules that declare the jobs' ``Params`` (imported on first use: they bring torch with them).
PARAM_MODULES = ("core.whitebox", "core.evolution", "core.manifold", "core.autoencoders", "core.featurevis")


def schemas() -> dict[str, type]:
    """Every ``Params`` subclass with a ``SCHEMA`` name, by that name."""
    import importlib

    from .params import Params

    for name in PARAM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass

    out: dict[str, type] = {}
    todo = list(Params.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if getattr(cls, "SCHEMA", ""):
            out.setdefault(cls.SCHEMA, cls)
    return out


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"There is no scene file “{path}”.") from None
    except OSError as exc:
        raise UserError(f"“{path}” cannot be read ({exc.strerror or exc}).") from None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"“{path.name}” is not valid JSON ({exc}).") from None


def load_scene(path: str | os.PathLike) -> tuple[Scene, list[str]]:
    path = Path(path)
    return scene_from_dict(_read_json(path), source=f"“{path.name}”")


def save_scene(scene: Scene, path: str | os.PathLike) -> Path:
    """Write atomically (a crash never leaves half a file); returns the path written."""
    path = Path(path)
    if path.suffix.lower() != SUFFIX:
        path = path.with_name(path.name + SUFFIX)
    text = json.dumps(scene.to_dict(), indent=2, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".scene-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError(f"The scene cannot be saved to “{path}” ({exc.strerror or exc}).") from None
    return path


# ---------------------------------------------------------------------------------- the lecture
def lecture_path() -> Path:
    return resource_path("scenes", "lecture.json")


def lecture_scenes(path: str | os.PathLike | None = None) -> list[Scene]:
    """The shipped lecture, in order. A broken shipped file is a bug: it raises."""
    path = Path(path) if path is not None else lecture_path()
    data = _read_json(path)
    if not isinstance(data, Mapping) or data.get("format") != LECTURE_FORMAT:
        raise UserError(f"“{path.name}” is not a Fooling Lab lecture.")
    if data.get("version", VERSION) > VERSION:
        raise UserError(f"“{path.name}” is lecture version {data.get('version')}; this Fooling Lab reads {VERSION}.")
    items = data.get("scenes")
    if not isinstance(items, list):
        raise UserError(f"“{path.name}” has no list of scenes.")
    return [scene_from_dict(item, source=f"scene {i + 1} of “{path.name}”")[0] for i, item in enumerate(items)]


def find_scene(name_or_file: str, scenes: list[Scene] | None = None) -> Scene:
    """A lecture scene by name, slug or number (1-based), or a scene file."""
    scenes = lecture_scenes() if scenes is None else scenes
    wanted = name_or_file.strip()
    for scene in scenes:
        if wanted.casefold() in (scene.name.casefold(), scene.slug):
            return scene
    if wanted.isdigit() and 1 <= int(wanted) <= len(scenes):
        return scenes[int(wanted) - 1]
    slug = slugify(wanted)
    matches = [s for s in scenes if slug and slug in s.slug]
    if len(matches) == 1:
        return matches[0]
    path = Path(wanted).expanduser()
    if path.suffix.lower() == SUFFIX or path.exists():
        return load_scene(path)[0]
    names = ", ".join(f"“{s.name}”" for s in scenes)
    if len(matches) > 1:
        raise UserError(f"“{wanted}” matches several scenes: " + ", ".join(f"“{s.name}”" for s in matches) + ".")
    raise UserError(f"There is no scene “{wanted}”. The lecture's scenes are {names}; or give a .json file.")
