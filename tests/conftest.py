"""Shared fixtures. The parser, the store and the browser are real: no mocks.

Data from ../shared (the seed article, eval sets) is read where it exists. CI sets
KG_REQUIRE_SHARED=1 so a missing ../shared fails there instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED_DIR", ROOT.parent / "shared"))
SEED = SHARED / "corpus" / "openai-microsoft.txt"
SEED_GOLD = SHARED / "eval" / "seed-gold.json"


def require_shared(path: Path = SHARED) -> Path:
    if path.exists():
        return path
    if os.environ.get("KG_REQUIRE_SHARED"):
        pytest.fail(f"{path} is missing: CI needs ../shared beside the checkout")
    pytest.skip(f"{path} not present (a fresh clone without ../shared)")


@pytest.fixture(scope="session")
def nlp():
    from kg.parse import load_model

    return load_model()


@pytest.fixture(scope="session")
def seed_graph():
    """The seed article built once for the whole session."""
    import kg

    require_shared(SEED)
    return kg.build([str(SEED)])


@pytest.fixture(scope="session")
def examples_graph():
    import kg
    from kg.cli.build import example_inputs

    return kg.build(example_inputs())


@pytest.fixture(scope="session")
def extract(nlp):
    """Run the NLP stages on one Japanese text; returns the DocExtraction."""
    from kg.model import Document
    from kg.parse import parse_documents
    from kg.pipeline import extract_document
    from kg.relations import load_rules

    rules = load_rules()

    def run(text: str, doc_id: str = "t.txt", ruleset=None):
        (parsed,) = list(parse_documents(nlp, [Document(doc_id, text)]))
        return extract_document(parsed, ruleset or rules)

    return run


@pytest.fixture(scope="session")
def examples_ttl(examples_graph, tmp_path_factory):
    """The bundled examples' graph written as graph.ttl (as kg build writes it)."""
    from kg.export import write_turtle

    path = tmp_path_factory.mktemp("examples") / "graph.ttl"
    write_turtle(examples_graph, path)
    return path


@pytest.fixture(scope="session")
def examples_store(examples_graph, tmp_path_factory):
    """The bundled examples added to an on-disk store."""
    from kg.store import KGStore

    path = tmp_path_factory.mktemp("examples-store") / "kg-store"
    with KGStore(path) as st:
        st.add(examples_graph.extractions)
    return path
