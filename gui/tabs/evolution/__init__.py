"""The Evolution tab (black-box fooling): a package of pages.

- :mod:`.tab` — :class:`EvolutionTab`, the controls and the glue;
- :mod:`.session` — the tab's state (class names, the run's settings, the newest frame);
- :mod:`.views` — what a run looks like: population, best image, class cells, curve, read-outs;
- :mod:`.targets` — the target-class field;
- :mod:`.inspect` — one image enlarged, saved or sent to another tab.
"""

from .inspect import InspectDialog
from .session import EvolutionSession
from .tab import EvolutionTab

__all__ = ["EvolutionSession", "EvolutionTab", "InspectDialog"]
