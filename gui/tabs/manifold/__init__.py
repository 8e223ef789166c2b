"""The Manifold tab: the 2-D toy, the dimension sweep and random images, one module per page."""

from .tab import ManifoldTab

__all__ = ["ManifoldTab"]
