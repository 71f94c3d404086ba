"""``kg view``: a graph file to one interactive HTML page that works offline."""

from __future__ import annotations

from pathlib import Path

import click

from ..view import load_graph, write_html


@click.command("view")
@click.argument("graph", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="HTML file to write [default: GRAPH with the suffix .html].")
@click.option("--focus", metavar="ENTITY", default=None,
              help="Only this entity's neighbourhood: its IRI, prefixed name (person:サム・アルトマン), label, alias or reading.")
@click.option("--hops", type=click.IntRange(0, 20), default=None, help="How far from --focus to go, in edges [default: 1].")
@click.option("--max-nodes", type=click.IntRange(1), default=300, show_default=True,
              help="Entities shown at first (the most connected); the others open on click or search.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help="Language of relation and class labels.")
@click.option("--title", default=None, help="Page title [default: the graph file name].")
def command(graph, output, focus, hops, max_nodes, lang, title):
    """Render GRAPH (a graph file such as kg build writes, or a store directory) as an HTML page.

    The page needs no network: click an entity or relation to see its facts and source
    sentences, search by label, alias or kana reading, filter by class, relation, confidence
    and document.

    \b
    Examples:
      kg view output/graph.ttl -o graph.html
      kg view output/graph.ttl -o altman.html --focus アルトマン --hops 2
    """
    if hops is not None and focus is None:
        raise click.UsageError("--hops needs --focus ENTITY")
    out = output or graph.with_suffix(".html")
    g = load_graph(graph)
    write_html(g, out, title=title or f"kg: {graph.name}", focus=focus, hops=1 if hops is None else hops,
               max_nodes=max_nodes, lang=lang)
    click.echo(f"wrote {out}")
