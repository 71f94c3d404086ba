"""``kg push``: load a graph or store into a SPARQL server (Graph Store Protocol)."""

from __future__ import annotations

import click


@click.command("push")
@click.argument("graph", type=click.Path(path_type=str))
@click.option("--endpoint", required=True, help="The server's Graph Store Protocol URL (Oxigraph: http://HOST:7878/store; Fuseki: http://HOST:3030/DATASET/data).")
@click.option("-H", "--header", "headers", multiple=True, metavar="NAME: VALUE", help="Extra HTTP header, e.g. for authorisation (repeatable).")
@click.option("--timeout", type=click.FloatRange(min=1), default=60.0, show_default=True, help="Seconds to wait for each request.")
@click.option("--prune", is_flag=True, help="Then delete the server's document graphs that GRAPH no longer has (documents removed since an earlier push).")
@click.option("--sparql", metavar="URL", help="The server's SPARQL query endpoint, which --prune uses to list its graphs (default: next to --endpoint, .../store -> .../query, .../data -> .../sparql).")
def command(graph, endpoint, headers, timeout, prune, sparql):
    """Load GRAPH (a graph file or a store directory) into a SPARQL server.

    Each document's named graph and the entity graph are sent with an HTTP PUT to
    ENDPOINT?graph=IRI, which replaces that graph on the server: pushing again after a rebuild
    updates the server instead of duplicating it. Graphs of documents removed since an earlier
    push stay on the server unless --prune is given, which deletes every document graph (named
    under https://w3id.org/kg-ja/id/doc/) that GRAPH does not have; other graphs are left alone.

    \b
    Examples:
      kg push kg-store/ --endpoint http://127.0.0.1:7878/store
      kg push kg-store/ --endpoint http://127.0.0.1:7878/store --prune
    """
    from ..store import open_dataset, push

    extra = {}
    for h in headers:
        name, sep, value = h.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"{h!r}: write NAME: VALUE", param_hint="--header")
        extra[name.strip()] = value.strip()
    report = push(open_dataset(graph), endpoint, headers=extra, timeout=timeout, prune=prune, sparql=sparql)
    pruned = f"; deleted {len(report.pruned)} graphs of removed documents" if prune else ""
    click.echo(f"pushed {report.graphs} graphs ({report.triples:,} triples) to {endpoint}{pruned}")
