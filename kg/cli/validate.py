"""``kg validate``: check a graph against the SHACL shapes of the output contract."""

from __future__ import annotations

import sys

import click

from . import EXIT_FAILED


@click.command("validate")
@click.argument("graph", type=click.Path(path_type=str))
@click.option("-q", "--quiet", is_flag=True, help="Print only the verdict line.")
@click.option("--engine", type=click.Choice(["auto", "pyshacl", "sparql"]), default="auto", show_default=True,
              help="pyshacl (the reference), or the same shapes as SPARQL queries in pyoxigraph (same report, "
                   "seconds instead of minutes on large graphs); auto: pyshacl up to 10,000 triples.")
def command(graph, quiet, engine):
    """Validate GRAPH (a graph file or a store directory) with the SHACL shapes
    (ontologies/shapes.ttl, with the vocabulary). Exits 1 when it does not conform.

    \b
    Examples:
      kg validate output/graph.ttl
      kg validate kg-store/ --engine sparql
    """
    from pathlib import Path

    from ..store import open_dataset
    from ..validate import validate_store

    result = validate_store(open_dataset(graph), engine=engine, owned=not Path(graph).is_dir())
    if not result.conforms and not quiet:
        click.echo(result.report)
    click.echo(f"{graph}: {'conforms' if result.conforms else f'{result.violations} violation(s)'}")
    if not result.conforms:
        sys.exit(EXIT_FAILED)
