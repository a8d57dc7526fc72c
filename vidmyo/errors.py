"""Typed errors: the core raises these, the command line maps them to exit codes.

Each message is one line that says what is wrong and what to do about it.
"""

from __future__ import annotations


class VidmyoError(Exception):
    """Base class; ``exit_code`` is what the command line exits with."""

    exit_code = 1


class UsageError(VidmyoError):
    """Bad options or arguments."""

    exit_code = 2


class InputError(VidmyoError):
    """An input that cannot be read, decoded or analysed (contract exit code 3)."""

    exit_code = 3


class NoPersonError(InputError):
    """The video was read, but nobody could be seen in it; results are still written."""


class TruncatedVideoError(InputError):
    """The video stops decoding before its stated end; results for the readable part are
    written."""


class ModelError(VidmyoError):
    """A pose model bundle is missing or cannot be loaded."""


class OutputError(VidmyoError):
    """Results cannot be written (disk full, no permission)."""

    exit_code = 4
