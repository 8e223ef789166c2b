"""Errors a user can act on.

A :class:`UserError` carries one sentence a lecturer understands. The window shows it in the status
bar or a dialog, the CLI prints it after ``error:`` and exits with status 2. Anything else that
escapes a job is a bug: it is logged with its traceback and reported in general words.
"""


class UserError(Exception):
    """A problem with the user's input or environment, explained in one plain sentence."""


class ImageError(UserError):
    """An image file that cannot be opened or used."""


class ModelUnavailable(UserError):
    """A classifier whose weights are not on this machine and cannot be fetched now."""
