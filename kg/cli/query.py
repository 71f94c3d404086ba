"""``kg query``: SPARQL (text, @file.rq, - for stdin, or a ready query's name) over a graph or store."""

from __future__ import annotations

import sys

import click

from ..errors import QueryError
from .options import binary_stdout


def _params(values) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, value = v.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{v!r}: write NAME=VALUE, e.g. -p entity=サム・アルトマン", param_hint="--param")
        out[name.strip().lstrip("?")] = value
    return out


@click.command("query")
@click.argument("graph", required=False, type=click.Path(path_type=str))
@click.argument("query", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a ready query's parameter (or any ?NAME of your query); entity parameters take a label, alias or IRI.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml"]), default="table",
              show_default=True, help="Output format (csv/tsv/json/xml are the SPARQL 1.1 result formats).")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Print at most this many rows.")
@click.option("--list", "list_queries", is_flag=True, help="List the ready queries and their parameters.")
def command(graph, query, params, fmt, limit, list_queries):
    """Run a SPARQL query over GRAPH.

    GRAPH is a graph file (.ttl, .nt, .trig, .nq, .jsonld) or a store directory (kg build --store);
    its default graph is the union of all its graphs. QUERY is SPARQL text, @FILE.rq, - (read
    stdin) or the name of a ready query (kg query --list). The project's prefixes (kg:, person:,
    org:, nif:, rdfs:, skos:...) are predeclared.

    \b
    Examples:
      kg query output/graph.ttl works-at
      kg query output/graph.ttl facts-about -p entity=サム・アルトマン
      kg query kg-store/ 'SELECT ?p ?o WHERE { person:サム・アルトマン ?p ?o }' --format csv
      kg query output/graph.ttl @my-query.rq --format json > result.json
    """
    from .. import query as q

    if list_queries:
        for rq in q.ready_queries().values():
            click.echo(f"{rq.name}: {rq.description}")
            for p in rq.params:
                click.echo(f"    -p {p.name}=...  ({p.kind}) {p.help}")
        return
    if graph is None or query is None:
        raise click.UsageError("give GRAPH and QUERY (kg query --list shows the ready queries)")
    if query == "-":
        query = sys.stdin.read()
        if not query.strip():
            raise QueryError("stdin: no query text was given")
    from ..store import open_dataset

    store = open_dataset(graph)
    result = q.run(store, query, _params(params), limit=limit)
    q.write_results(result, fmt, binary_stdout())
