"""Black-box fooling by evolution, after Nguyen, Yosinski and Clune, "Deep Neural Networks are
Easily Fooled" (CVPR 2015).

The network is a black box: the job reaches it only through a :class:`BlackBox`, a query function
that takes a batch of images and returns class probabilities, under ``torch.inference_mode()``,
counting every image it is shown. No gradient is ever computed.

- :mod:`.blackbox` — the query, the 8-bit grid, target parsing;
- :mod:`.encodings` — direct (pixels) and CPPN (pattern network) genomes;
- :mod:`.params` — :class:`EvolutionParams`, every setting declared once;
- :mod:`.search` — one archive of elites and two strategies over it: a GA and MAP-Elites
  (the paper's, or focused on the most promising classes);
- :mod:`.frames` — what the window draws, mosaics, the run's summary;
- :mod:`.job` — :func:`evolution_job`, the generator that ties them together.

Everything random comes from one ``numpy.random.Generator`` seeded by ``seed``: the same seed gives
the same run.
"""

from .blackbox import CPU_BATCH_BYTES, IMAGENET_SHOWCASE, BlackBox, parse_targets, quantise, to_u8
from .encodings import (
    CPPN_IMAGENET_SCALE, CPPN_IMAGENET_SCALES, CROSSOVER_NOTE, ENCODINGS, MUTATIONS, Cppn, CppnEncoding,
    DirectEncoding, make_encoding,
)
from .frames import MAX_SHOWN_CELLS, PAPER_QUERIES, EvolutionFrame, grid_cols, paste, summary, thumbnail, tile
from .job import evolution_job
from .params import ALGORITHM_TITLES, ALGORITHMS, DEFAULT_POPULATION, ENCODING_TITLES, SELECTIONS, EvolutionParams
from .search import Archive, GeneticAlgorithm, MapElites

__all__ = [
    "ALGORITHMS", "ALGORITHM_TITLES", "Archive", "BlackBox", "CPPN_IMAGENET_SCALE", "CPPN_IMAGENET_SCALES",
    "CPU_BATCH_BYTES", "CROSSOVER_NOTE", "Cppn", "CppnEncoding", "DEFAULT_POPULATION", "DirectEncoding",
    "ENCODINGS", "ENCODING_TITLES", "EvolutionFrame", "EvolutionParams", "GeneticAlgorithm", "IMAGENET_SHOWCASE",
    "MAX_SHOWN_CELLS", "MUTATIONS", "MapElites", "PAPER_QUERIES", "SELECTIONS", "evolution_job", "grid_cols",
    "make_encoding", "parse_targets", "paste", "quantise", "summary", "thumbnail", "tile", "to_u8",
]
