"""Fooling Lab's command line: the same core jobs as the window, without Qt.

Every command prints human-readable progress on stderr and, with ``--json``, one JSON object on
stdout. A :class:`~core.errors.UserError` becomes ``error: <sentence>`` on stderr and exit status 2.
"""
