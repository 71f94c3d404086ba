"""``kg path``: the shortest chains of facts between two entities."""

from __future__ import annotations

import click

from .options import binary_stdout


@click.command("path")
@click.argument("a")
@click.argument("b")
@click.option("-g", "--graph", "graph", default="output/graph.ttl", show_default=True, type=click.Path(path_type=str),
              help="A graph file or a store directory.")
@click.option("--max", "max_paths", type=click.IntRange(min=1), default=5, show_default=True,
              help="At most this many shortest chains.")
def command(a, b, graph, max_paths):
    """The shortest chains of facts linking entities A and B.

    A and B are labels, aliases or IRIs (person:サム・アルトマン). Facts count in either
    direction; each is shown with a sentence that states it.

    \b
    Examples:
      kg path サム・アルトマン サティア・ナデラ
      kg path OpenAI org:Microsoft -g kg-store/ --max 3
    """
    from ..analysis import shortest_chains
    from ..errors import QueryError
    from ..store import open_dataset

    store = open_dataset(graph)
    chains = shortest_chains(store, a, b, max_paths=max_paths)
    if not chains:
        raise QueryError(f"no chain of facts links {a!r} and {b!r} in {graph}")
    lines = []
    for n, hops in enumerate(chains, start=1):
        lines.append(f"{n}. {len({(h.subject, h.object) for h in hops})} step(s)")
        for h in hops:
            rel = h.relation.rsplit("#", 1)[-1]
            lines.append(f"   {h.subject_label} —{rel}→ {h.object_label}")
            if h.sentence:
                lines.append(f"      「{h.sentence}」 ({h.document})")
    binary_stdout().write(("\n".join(lines) + "\n").encode("utf-8"))
