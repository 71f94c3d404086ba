"""Helpers shared by the commands that write results to stdout."""

from __future__ import annotations

import click


def binary_stdout():
    """stdout as bytes (results are UTF-8 whatever the terminal's locale)."""
    return click.get_binary_stream("stdout")
