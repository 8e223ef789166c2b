import os
import sys
from pathlib import Path


def _offscreen_screen(width: int = 1920, height: int = 1080) -> str:
    """Qt's offscreen screen is 800×600 unless told; the window fits itself to the screen, so the
    GUI tests run on a full-HD one (tests/gui/fit.py checks the other sizes)."""
    import json
    import tempfile

    path = Path(tempfile.gettempdir()) / f"fooling-lab-test-screen-{width}x{height}.json"
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump({"screens": [{"name": "test", "x": 0, "y": 0, "width": width, "height": height,
                                "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}, f)
    os.replace(tmp, path)  # other test processes may be reading it
    return f"offscreen:configfile={path}"


os.environ.setdefault("QT_QPA_PLATFORM", _offscreen_screen())
os.environ.setdefault("FOOLING_LAB_DEVICE", "cpu")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core import runtime  # noqa: E402

runtime.configure_threads()  # the same thread pools as the CLI and the window
