"""View stage: an interactive HTML view of a graph that works offline.

The view takes a graph (never a spaCy Doc). ``view_data`` turns it into plain data (entities
coloured by class and sized by degree, relation edges, the facts behind them with their source
sentences); ``render_html`` embeds that data as JSON in one self-contained page drawn by
vis-network (pyvis's bundled copy, inlined), with search by label, alias or kana reading,
filters, and a details panel. The page makes no network request and shows input text as text.
"""

from __future__ import annotations

from rdflib import Graph

from .data import find_entity, search_key, view_data
from .page import asset, render_page, vis_network_js

__all__ = [
    "find_entity",
    "load_graph",
    "render_html",
    "search_key",
    "view_data",
    "write_html",
]

_BOOT = "window.kgView = KGView.mount(document.getElementById('kg-graph-root'), KGView.readData('kg-graph-data'));"


def render_html(g: Graph, title: str = "kg graph", **options) -> str:
    """graph.html for ``g``; ``options`` go to ``view_data`` (focus, hops, max_nodes, lang)."""
    return render_page("kg-graph", title=title, data=view_data(g, **options),
                       scripts={"vis": vis_network_js(), "view": asset("view.js"), "boot": _BOOT})


def write_html(g: Graph, path, title: str = "kg graph", **options) -> None:
    """Write ``render_html`` to ``path`` atomically, as UTF-8."""
    from ..store_io import atomic_write_text

    atomic_write_text(path, render_html(g, title, **options))


def load_graph(path) -> Graph:
    """A graph file (any format kg.store reads) or a store directory as one rdflib Graph."""
    from ..oxi import to_rdflib_graph
    from ..store import open_dataset

    return to_rdflib_graph(open_dataset(path))
