"""``scenes``: the lecture's scenes in order (``main.py --scene NAME`` opens the window at one)."""

from __future__ import annotations

from core import scenes

from .common import emit_json


def register(sub) -> None:
    p = sub.add_parser("scenes", help="list the lecture's scenes (open one with: main.py --scene NAME)")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(func=cmd_scenes)


def cmd_scenes(args) -> int:
    items = scenes.lecture_scenes()
    if args.json:
        emit_json([{"number": i, "name": s.name, "slug": s.slug, "tab": s.tab, "caption": s.caption}
                   for i, s in enumerate(items, 1)])
        return 0
    width = max(len(s.slug) for s in items)
    for i, s in enumerate(items, 1):
        print(f"{i:>2}  {s.slug:<{width}}  {s.name}")
    print("\nOpen the window at one: python main.py --scene NAME (or its number, or a .json file).")
    return 0
