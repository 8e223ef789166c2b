"""The gradient-ascent tab: session (state), controls (side panel), views (page), tab (wiring)."""

from .session import WhiteboxSession
from .tab import WhiteboxTab

__all__ = ["WhiteboxSession", "WhiteboxTab"]
