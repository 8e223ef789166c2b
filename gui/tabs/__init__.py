"""One module per tab; the window shows them in the order of ``TAB_CLASSES``."""

from .autoencoder import AutoencoderTab
from .evolution import EvolutionTab
from .inside import InsideTab
from .manifold import ManifoldTab
from .whitebox import WhiteboxTab

TAB_CLASSES = [
    WhiteboxTab,
    EvolutionTab,
    InsideTab,
    ManifoldTab,
    AutoencoderTab,
]
