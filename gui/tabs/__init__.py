"""One module per tab; the window shows them in the order of ``TAB_CLASSES``."""

from .evolution import EvolutionTab
from .whitebox import WhiteboxTab

TAB_CLASSES = [
    WhiteboxTab,
    EvolutionTab,
]
