"""kg: turn Japanese text into a knowledge graph.

    >>> import kg
    >>> g = kg.build(kg.example_inputs())      # an rdflib Graph, with g.report
    >>> g.serialize("graph.ttl", format="turtle")
    >>> store = kg.open_store(g)               # pyoxigraph, for SPARQL and analysis
    >>> kg.sparql(store, "works-at").to_pandas()
    >>> kg.show(g)                             # the interactive view, inline in Jupyter

The pipeline runs one way: read -> parse -> mentions -> entities -> relations -> graph, then
store / query / view over the graph. The names in ``__all__`` are the public API (the notebooks
in notebooks/ use nothing else); everything else may change.
"""

from __future__ import annotations

import html as _html
from importlib import import_module as _import_module

from .errors import InputError, KGError, ModelError, QueryError, RuleError, StoreError
from .io import example_inputs
from .model import Document
from .pipeline import BuildReport, KnowledgeGraph, build

__version__ = "0.1.0"

# Re-exported on first use (PEP 562), so ``import kg`` and ``kg --help`` stay fast:
# public name -> (module, name in it). A public name never equals a submodule's name (kg.query,
# kg.export, kg.view...): importing the submodule would replace the attribute.
_LAZY = {
    # querying (kg query): SPARQL text, @file.rq or a ready query's name; results as kg.query.Result
    "sparql": ("kg.query", "run"),
    "ready_queries": ("kg.query", "ready_queries"),
    "Result": ("kg.query", "Result"),
    # graph files and stores
    "load_graph": ("kg.view", "load_graph"),
    "write_turtle": ("kg.export", "write_turtle"),
    # the view (kg view)
    "render_html": ("kg.view", "render_html"),
    "write_html": ("kg.view", "write_html"),
    # analysis with networkx (kg stats, kg path, kg stats --unmapped)
    "entity_graph": ("kg.analysis", "entity_graph"),
    "stats": ("kg.analysis", "stats"),
    "shortest_chains": ("kg.analysis", "shortest_chains"),
    "unmapped": ("kg.analysis", "unmapped"),
}


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(_import_module(target[0]), target[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def open_store(source):
    """A pyoxigraph Store to query and analyse: from the graph ``kg.build`` returned (any rdflib
    Graph, copied into memory), a graph file (.ttl, .nt, .nq, .trig, .jsonld), or a store
    directory (``kg build --store``, opened read-only). A Store is returned as it is.
    Raises StoreError naming the file when it cannot be read."""
    import pyoxigraph as ox
    from rdflib import Graph

    if isinstance(source, ox.Store):
        return source
    if isinstance(source, Graph):
        from .oxi import to_oxigraph_triples

        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in to_oxigraph_triples(source))
        return store
    from .store import open_dataset

    return open_dataset(source)


class InlineView:
    """The interactive view of a graph, shown inline by Jupyter (``_repr_html_``): the page
    ``kg view`` writes, in an iframe of its own (``srcdoc``, sandboxed: its scripts run, but
    apart from the notebook). ``html`` is the whole page, to save or open elsewhere."""

    def __init__(self, html: str, height: int = 640):
        self.html = html
        self.height = height

    def __repr__(self) -> str:
        return f"<kg view: a page of {len(self.html):,} characters; shown inline by Jupyter, or .save(path)>"

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{_html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
                f'style="width: 100%; height: {int(self.height)}px; border: 1px solid #ddd;" '
                f'title="kg graph view"></iframe>')

    def save(self, path) -> None:
        """Write the page to ``path`` (open it in any browser; it needs no network)."""
        from .store_io import atomic_write_text

        atomic_write_text(path, self.html)


def show(graph, *, height: int = 640, title: str = "kg graph", **options) -> InlineView:
    """The interactive view of ``graph`` (an rdflib Graph, e.g. from ``kg.build``, or a graph
    file), to display in a notebook. ``options`` are those of ``kg view``: ``focus`` (an entity's
    label, alias or IRI) with ``hops``, ``max_nodes`` and ``lang`` ("ja" or "en")."""
    from rdflib import Graph

    from .view import load_graph, render_html

    if not isinstance(graph, Graph):
        graph = load_graph(graph)
    return InlineView(render_html(graph, title=title, **options), height=height)


__all__ = [
    "BuildReport",
    "Document",
    "InlineView",
    "InputError",
    "KGError",
    "KnowledgeGraph",
    "ModelError",
    "QueryError",
    "RuleError",
    "StoreError",
    "build",
    "example_inputs",
    "open_store",
    "show",
    *_LAZY,
]
