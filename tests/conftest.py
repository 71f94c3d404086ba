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

# Short real sentences for tests that need several documents but little parsing.
SENTENCES = [
    "マイクロソフトの会長兼CEOであるサティア・ナデラ氏は、アルトマン氏が同社に加わると発表した。",
    "トヨタ自動車はソフトバンクと提携した。",
    "ソニーグループは東京都港区に本社を置く。",
    "任天堂は京都府京都市に本社を置くゲーム会社である。",
    "サム・アルトマン氏はOpenAIの最高経営責任者を務めていた。",
    "パナソニックの社長は新しい工場を大阪府に建設すると述べた。",
]


def require_shared(path: Path = SHARED) -> Path:
    if path.exists():
        return path
    if os.environ.get("KG_REQUIRE_SHARED"):
        pytest.fail(f"{path} is missing: CI needs ../shared beside the checkout")
    pytest.skip(f"{path} not present (a fresh clone without ../shared)")


@pytest.fixture(scope="session", autouse=True)
def parse_cache_dir(tmp_path_factory):
    """Tests never read or fill the user's parse cache: one cache per session (KG_CACHE_DIR,
    inherited by the kg commands the tests run)."""
    path = tmp_path_factory.mktemp("kg-cache")
    before = os.environ.get("KG_CACHE_DIR")
    os.environ["KG_CACHE_DIR"] = str(path)
    yield path
    if before is None:
        os.environ.pop("KG_CACHE_DIR", None)
    else:
        os.environ["KG_CACHE_DIR"] = before


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


@pytest.fixture(scope="session")
def small_corpus():
    """More documents than one batch (kg.parse.BATCH_DOCUMENTS), so two workers both get work."""
    from kg.model import Document
    from kg.parse import BATCH_DOCUMENTS

    return [Document(f"doc-{k:02d}", SENTENCES[k % len(SENTENCES)] + f"同社は{2000 + k}年に設立された。")
            for k in range(BATCH_DOCUMENTS + 3)]


@pytest.fixture(scope="session")
def small_corpus_graph(small_corpus):
    """``small_corpus`` built in this process, without the parse cache."""
    import kg

    return kg.build(documents=small_corpus, cache=None, workers=1)
