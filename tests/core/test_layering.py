"""core/ must stay headless: it never imports Qt, pyqtgraph or the gui package."""

import ast
from pathlib import Path

FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "superqt", "gui", "qtpy")


def test_core_and_cli_never_import_qt():
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for folder in ("core", "cli"):
        for path in (root / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                offenders += [f"{path.relative_to(root)}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_every_torch_load_is_weights_only():
    root = Path(__file__).resolve().parents[2]
    for path in root.glob("**/*.py"):
        if ".venv" in path.parts or "venv" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "load" and \
                    getattr(getattr(node.func, "value", None), "id", "") == "torch":
                kw = {k.arg: k.value for k in node.keywords}
                assert "weights_only" in kw and getattr(kw["weights_only"], "value", None) is True, path
