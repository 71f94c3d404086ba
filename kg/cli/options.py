"""Options shared by the commands that read a graph (query, export, serve, push, stats...)."""

from __future__ import annotations

import click

GRAPH_HELP = "GRAPH is a graph file (.ttl, .nt, .trig, .nq, .jsonld) or a store directory (kg build --store)."


def graph_argument(f):
    return click.argument("graph", type=click.Path(path_type=str))(f)


def binary_stdout():
    return click.get_binary_stream("stdout")
