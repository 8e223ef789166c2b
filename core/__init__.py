"""Fooling Lab's compute core: models, data, images and the demo jobs.

Nothing in this package imports Qt; every job runs the same in the window, on the command line,
in tests and in benchmarks.
"""

import os as _os

# OpenMP (torch's intra-op pool) reads its wait policy once, when torch loads, so it is set here,
# before any core module imports torch; core.runtime.configure_threads explains and sizes the pools.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
