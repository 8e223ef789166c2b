"""The Autoencoder tab, one module per page: training, denoising, the LIAR! detector, the latent map;
a session object owns the trained autoencoder and the digits."""

from .session import AutoencoderSession
from .tab import PAGES, AutoencoderTab

__all__ = ["AutoencoderSession", "AutoencoderTab", "PAGES"]
