"""kg: turn Japanese text into a knowledge graph.

    >>> import kg
    >>> g = kg.build(["examples/"])            # an rdflib Graph, with g.report
    >>> g.serialize("graph.ttl", format="turtle")

The pipeline runs one way: read -> parse -> mentions -> entities -> relations -> graph, then
store / query / view over the graph.
"""

from .errors import InputError, KGError, ModelError, QueryError, RuleError, StoreError
from .model import Document
from .pipeline import BuildReport, KnowledgeGraph, build

__version__ = "0.1.0"

__all__ = [
    "BuildReport",
    "Document",
    "InputError",
    "KGError",
    "KnowledgeGraph",
    "ModelError",
    "QueryError",
    "RuleError",
    "StoreError",
    "build",
]
