"""``kg export``: a graph or store to Turtle, N-Triples, TriG, N-Quads, JSON-LD, GraphML or CSV."""

from __future__ import annotations

import click

from ..export import EXPORT_FORMATS
from .options import binary_stdout


@click.command("export")
@click.argument("graph", type=click.Path(path_type=str))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The file to write (- for stdout); its extension picks the format unless --format is given.")
@click.option("-f", "--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default=None,
              help="turtle, ntriples: one graph. trig, nquads: one named graph per document (for triple stores). "
                   "jsonld: with an @context. graphml, csv: entities and direct facts (Gephi, Cytoscape, networkx).")
def command(graph, output, fmt):
    """Export GRAPH (a graph file or a store directory) to another format.

    TriG and N-Quads keep one named graph per document (named by the document IRI) plus
    https://w3id.org/kg-ja/id/graph/entities for the entity descriptions, ready to load into a
    SPARQL server. GraphML and CSV hold the entity graph: entities as nodes, direct facts as edges.

    \b
    Examples:
      kg export output/graph.ttl -o dataset.trig
      kg export kg-store/ -o dataset.nq
      kg export output/graph.ttl -o graph.jsonld
      kg export kg-store/ -o entities.graphml
      kg export output/graph.ttl -f csv -o edges.csv
    """
    from ..export import export_source, export_source_bytes, format_for

    if output == "-" and fmt is None:
        raise click.UsageError("writing to stdout needs --format")
    fmt = format_for(output, fmt)
    if output == "-":
        binary_stdout().write(export_source_bytes(graph, fmt))
    else:
        n = export_source(graph, fmt, output)
        click.echo(f"wrote {output} ({fmt}, {n:,} bytes)", err=True)
