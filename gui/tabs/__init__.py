"""One module per tab; the window shows them in the order of ``TAB_CLASSES``."""

from .autoencoder import AutoencoderTab
from .manifold import ManifoldTab
from .whitebox import WhiteboxTab

TAB_CLASSES = [
    WhiteboxTab,
    ManifoldTab,
    AutoencoderTab,
]
