"""``kg stats``: counts, central entities, components; --unmapped lists unmapped predicates."""

from __future__ import annotations

import json

import click

from .options import binary_stdout


@click.command("stats")
@click.argument("graph", type=click.Path(path_type=str))
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many top entities to list.")
@click.option("--unmapped", is_flag=True,
              help="Instead: kg:related Statements (predicates no rule maps) grouped by predicate lemma, with counts.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def command(graph, top, unmapped, fmt):
    """Statistics of GRAPH (a graph file or a store directory).

    Counts of documents, sentences, mentions, entities by class, facts by relation and
    Statements (negated, hedged, attributed); the top entities by degree and by PageRank;
    connected components of the entity graph.

    \b
    Examples:
      kg stats output/graph.ttl
      kg stats kg-store/ --top 20 --format json
      kg stats output/graph.ttl --unmapped        # which predicates still need a rule
    """
    from ..analysis import stats, unmapped as unmapped_lemmas
    from ..query import shorten, text_table
    from ..store import open_dataset

    store = open_dataset(graph)
    out = binary_stdout()
    if unmapped:
        rows = unmapped_lemmas(store)
        if fmt == "json":
            out.write(json.dumps([{"lemma": l, "count": n, "example": e} for l, n, e in rows], ensure_ascii=False, indent=1).encode() + b"\n")
        else:
            out.write(text_table(["lemma", "count", "example"], [[l, str(n), e] for l, n, e in rows]).encode("utf-8"))
        return
    st = stats(store, top=top)
    if fmt == "json":
        out.write(json.dumps(st.as_dict(), ensure_ascii=False, indent=1).encode("utf-8") + b"\n")
        return
    rows = [["quads", str(st.quads)], ["named graphs", str(st.graphs)]]
    rows += [[k, str(v)] for k, v in st.counts.items()]
    rows += [[f"  entities: {k or '(untyped)'}", str(v)] for k, v in st.entities_by_class.items()]
    rows += [[f"  facts: {k}", str(v)] for k, v in st.facts_by_relation.items()]
    rows += [[f"  modality: {k}", str(v)] for k, v in st.modality.items()]
    rows += [["connected components", str(st.components)],
             ["  largest sizes", ", ".join(map(str, st.component_sizes))],
             ["  isolated entities", str(st.isolated)]]
    text = text_table(["what", "count"], rows)
    text += "\n" + text_table(["entity", "label", "degree"], [[shorten(n), l, str(d)] for n, l, d in st.top_degree])
    text += "\n" + text_table(["entity", "label", "pagerank"], [[shorten(n), l, f"{v:.4f}"] for n, l, v in st.top_pagerank])
    out.write(text.encode("utf-8"))
