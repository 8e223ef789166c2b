"""Inside the network: anatomy, feature visualisation, class visualisation and DeepDream."""

from .tab import InsideTab

__all__ = ["InsideTab"]
