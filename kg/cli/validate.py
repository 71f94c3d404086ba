"""``kg validate``: check a graph against the SHACL shapes of the output contract."""

from __future__ import annotations

import sys

import click

from . import EXIT_FAILED


@click.command("validate")
@click.argument("graph", type=click.Path(path_type=str))
@click.option("-q", "--quiet", is_flag=True, help="Print only the verdict line.")
def command(graph, quiet):
    """Validate GRAPH (a graph file or a store directory) with the SHACL shapes
    (ontologies/shapes.ttl, with the vocabulary). Exits 1 when it does not conform.

    \b
    Example:
      kg validate output/graph.ttl
    """
    from ..store import open_dataset
    from ..validate import validate_store

    result = validate_store(open_dataset(graph))
    if not result.conforms and not quiet:
        click.echo(result.report)
    click.echo(f"{graph}: {'conforms' if result.conforms else f'{result.violations} violation(s)'}")
    if not result.conforms:
        sys.exit(EXIT_FAILED)
