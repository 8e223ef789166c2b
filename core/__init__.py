"""Fooling Lab's compute core: models, data, images and the demo jobs.

Nothing in this package imports Qt; every job runs the same in the window, on the command line,
in tests and in benchmarks.
"""
