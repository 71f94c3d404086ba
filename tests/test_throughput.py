"""Throughput machinery: the parse cache, worker processes, batches and long documents.

Speed itself is measured by bench/throughput.py (figures in BENCHMARKS.md); these tests prove
the behaviour the speed relies on: a cached parse gives the same graph, a warm rebuild never
loads the model, N workers give the same bytes as one, long texts keep exact offsets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kg
from conftest import SEED, SENTENCES, require_shared
from kg.cache import ParseCache, default_cache_dir, open_cache
from kg.export import turtle_bytes
from kg.model import Document
from kg.parse import parse_documents, parse_signature, split_for_parser
from kg.pipeline import extract_document
from kg.relations import load_rules

# A rule only these tests use: a warm rebuild with it must show its facts (extraction re-ran).
EXTRA_RULE = """\
rules:
  - id: cache_test_member.v1
    description: "XがYと提携する → X memberOf Y (used by the cache tests). 例: トヨタ自動車はソフトバンクと提携した。"
    kind: frame
    relation: memberOf
    confidence: 0.5
    pattern:
      lemmas: [提携]
      subject: {particles: [が, は], classes: [Organization]}
      object: {particles: [と], classes: [Organization]}
    examples:
      - text: トヨタ自動車はソフトバンクと提携した。
        expect: [[トヨタ自動車, memberOf, ソフトバンク]]
"""


def _token_view(doc):
    return [(t.text, t.whitespace_, t.norm_, t.lemma_, t.tag_, t.pos_, str(t.morph), t.dep_, t.head.i,
             t.ent_iob_, t.ent_type_, t.is_sent_start, t.is_punct, t.like_num) for t in doc]


@pytest.mark.parametrize("text", SENTENCES)
def test_cache_round_trip_keeps_tokens_and_ginza_user_data(nlp, tmp_path, text):
    cache = ParseCache(tmp_path, "ja_ginza")
    doc = nlp(text)
    cache.put(text, [(0, doc)])
    ((offset, back),) = cache.get(text)
    assert offset == 0 and back.text == text
    assert _token_view(back) == _token_view(doc)
    for key in ("bunsetu_bi_labels", "bunsetu_heads", "bunsetu_position_types", "clauses", "clause_heads"):
        assert list(back.user_data[key]) == list(doc.user_data[key]), key


def test_cache_extraction_from_a_cached_parse_equals_extraction_from_a_fresh_one(nlp, tmp_path):
    rules = load_rules()
    docs = [Document(f"d{n}", text) for n, text in enumerate(SENTENCES)]
    fresh = [extract_document(p, rules) for p in parse_documents(nlp, docs, cache=tmp_path)]
    again = list(parse_documents("ja_ginza", docs, cache=tmp_path))
    assert all(p.cached for p in again)
    assert [extract_document(p, rules) for p in again] == fresh


def test_cache_signature_read_without_the_model_matches_the_loaded_model(nlp):
    sig = dict(parse_signature("ja_ginza"))
    assert sig["model"] == "ja_ginza" and sig["model_version"] == nlp.meta["version"]
    assert sig["pipeline"] == ",".join(nlp.pipe_names)
    assert {"spacy", "ginza", "sudachipy"} <= set(sig)


def test_cache_unreadable_or_mismatching_file_counts_as_a_miss_and_is_rewritten(nlp, tmp_path):
    cache = ParseCache(tmp_path, "ja_ginza")
    text, other = SENTENCES[1], SENTENCES[2]
    cache.path(text).parent.mkdir(parents=True, exist_ok=True)
    cache.path(text).write_bytes(b"not a DocBin")
    assert cache.get(text) is None
    cache.put(other, [(0, nlp(other))])
    cache.path(text).write_bytes(cache.path(other).read_bytes())  # a file holding another text
    assert cache.get(text) is None
    (parsed,) = parse_documents(nlp, [Document("a", text)], cache=cache)
    assert not parsed.cached
    assert cache.get(text)[0][1].text == text


def test_cache_directory_defaults_to_kg_cache_dir_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("KG_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "kg"
    assert open_cache(None) is None and open_cache(False) is None
    assert open_cache(True).root == tmp_path / "xdg" / "kg"


def test_cache_warm_rebuild_after_a_rule_change_reruns_extraction_without_loading_the_model(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"s{n}", "text": t}, ensure_ascii=False) + "\n" for n, t in enumerate(SENTENCES)), encoding="utf-8")
    rules = tmp_path / "extra.yaml"
    rules.write_text(EXTRA_RULE, encoding="utf-8")
    cache = tmp_path / "cache"
    cold = subprocess.run([sys.executable, "-m", "kg", "build", str(corpus), "-o", str(tmp_path / "cold"), "--cache", str(cache), "-q", "--no-html"],
                          capture_output=True, text=True)
    assert cold.returncode == 0, cold.stderr
    script = f"""
import sys, json, kg
from kg.parse import load_model
g = kg.build([{str(corpus)!r}], rules=[{str(rules)!r}], cache={str(cache)!r})
print(json.dumps({{"model_loads": load_model.cache_info().misses, "ginza_imported": "ja_ginza" in sys.modules,
                  "cached": g.report.cached, "parsed": g.report.parsed, "reused": g.report.reused,
                  "rules": sorted({{str(o) for o in g.objects(None, kg.vocab.KG.rule)}})}}))
"""
    warm = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert warm.returncode == 0, warm.stderr
    out = json.loads(warm.stdout)
    assert out["model_loads"] == 0 and not out["ginza_imported"]
    assert out["cached"] == len(SENTENCES) and out["parsed"] == 0 and out["reused"] == 0
    assert "cache_test_member.v1" in out["rules"]
    assert "cache_test_member.v1" not in (tmp_path / "cold" / "graph.ttl").read_text(encoding="utf-8")


def test_cache_rebuild_with_nothing_changed_reads_extractions_and_gives_the_same_bytes(small_corpus, small_corpus_graph, tmp_path):
    first = kg.build(documents=small_corpus, cache=tmp_path)
    assert first.report.parsed == len(small_corpus) and first.report.reused == 0
    again = kg.build(documents=small_corpus, cache=tmp_path)
    assert again.report.parsed == 0 and again.report.reused == len(small_corpus)
    assert turtle_bytes(first) == turtle_bytes(again) == turtle_bytes(small_corpus_graph)
    renamed = kg.build(documents=[Document(d.id + "-b", d.text) for d in small_corpus], cache=tmp_path)
    assert renamed.report.parsed == 0 and renamed.report.reused == 0  # same texts, other ids: parses reused


def test_cache_cli_no_cache_writes_nothing_and_unusable_cache_dir_is_one_line_error(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(SENTENCES[2], encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "kg", "build", str(doc), "-o", str(tmp_path / "o"), "--cache", str(blocker / "sub"), "-q"],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "parse cache" in bad.stderr and "--no-cache" in bad.stderr
    env_cache = tmp_path / "env-cache"
    res = subprocess.run([sys.executable, "-m", "kg", "build", str(doc), "-o", str(tmp_path / "o"), "--no-cache", "-q", "--no-html"],
                         capture_output=True, text=True, env={**os.environ, "KG_CACHE_DIR": str(env_cache)})
    assert res.returncode == 0, res.stderr
    assert not env_cache.exists()


# ---------------------------------------------------------------- workers and batches

def test_workers_two_processes_give_byte_identical_turtle_to_one(small_corpus, small_corpus_graph):
    two = kg.build(documents=small_corpus, cache=None, workers=2)
    assert two.report.workers == 2 and two.report.parsed == len(small_corpus)
    assert turtle_bytes(two) == turtle_bytes(small_corpus_graph)


def test_workers_error_in_a_worker_reaches_the_caller_as_the_same_error(small_corpus):
    from kg.errors import ModelError

    with pytest.raises(ModelError, match="no_such_model"):
        kg.build(documents=small_corpus, model="no_such_model", cache=None, workers=2)


def test_workers_report_has_the_time_of_every_stage(small_corpus_graph):
    stages = small_corpus_graph.report.stage_seconds
    for stage in ("parse", "mentions", "entities", "relations", "resolve", "graph"):
        assert stages[stage] > 0, stage
    assert small_corpus_graph.report.parse_seconds == stages["parse"]


def test_workers_cli_rejects_a_negative_count(tmp_path):
    res = subprocess.run([sys.executable, "-m", "kg", "build", "--workers", "-1", "-o", str(tmp_path)], capture_output=True, text=True)
    assert res.returncode == 2 and "Traceback" not in res.stderr


THREADS = """
import os, sys
if sys.argv[1] == "kg":
    from kg.parse import start_numpy_single_threaded
    start_numpy_single_threaded()
import numpy
print(len(os.listdir("/proc/self/task")), os.environ.get("OPENBLAS_NUM_THREADS"))
"""


def test_numpy_starts_with_one_blas_thread_unless_the_user_chose_and_the_environment_is_kept():
    from kg.parse import THREAD_VARS

    def threads(how: str, **env) -> str:
        clean = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
        res = subprocess.run([sys.executable, "-c", THREADS, how], capture_output=True, text=True, env={**clean, **env}, check=True)
        return res.stdout.strip()

    assert threads("kg") == "1 None"
    assert threads("kg", OPENBLAS_NUM_THREADS="2") == threads("plain", OPENBLAS_NUM_THREADS="2")
    assert threads("plain", OPENBLAS_NUM_THREADS="2").endswith(" 2")


def test_parse_documents_streams_in_batches_in_input_order(nlp):
    docs = [Document(f"x{k}", SENTENCES[k % len(SENTENCES)]) for k in range(5)]
    out = list(parse_documents(nlp, docs, batch_size=2))
    assert [p.document.id for p in out] == [d.id for d in docs]
    assert all(p.chunks[0][1].text == d.text for p, d in zip(out, docs))


# ---------------------------------------------------------------- long documents

@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["。", "！", "？", "\n", "、", " ", "あ", "漢", "A", "𠮷", "😀", "ｶ"]), max_size=400),
       st.integers(min_value=8, max_value=64))
def test_split_for_parser_chunks_fit_and_join_back_with_exact_offsets(chars, max_bytes):
    text = "".join(chars)
    chunks = split_for_parser(text, max_bytes)
    assert "".join(c for _o, c in chunks) == text
    pos = 0
    for offset, chunk in chunks:
        assert offset == pos and text[offset:offset + len(chunk)] == chunk
        assert len(chunk.encode("utf-8")) <= max(max_bytes, 4)
        pos += len(chunk)


def test_split_for_parser_cuts_at_sentence_ends_when_it_can():
    text = "これは文です。" * 4000  # 84,000 bytes
    chunks = split_for_parser(text)
    assert len(chunks) >= 3
    assert all(chunk.endswith("。") for _o, chunk in chunks)


@pytest.fixture(scope="session")
def long_document():
    require_shared(SEED)
    seed = SEED.read_text(encoding="utf-8")
    copies = -(-100_500 // len(seed.encode("utf-8")))
    return Document("long.txt", "\n".join(seed for _ in range(copies)))


def test_long_document_over_100kb_is_split_and_every_offset_gives_back_its_anchor(nlp, long_document):
    text = long_document.text
    assert len(text.encode("utf-8")) > 100_000
    (parsed,) = parse_documents(nlp, [long_document])
    assert len(parsed.chunks) >= 3
    ex = extract_document(parsed, load_rules())
    assert len(ex.mentions) > 100 and ex.facts
    for m in ex.mentions:
        assert text[m.begin:m.end] == m.text and 0 <= m.sentence < len(ex.sentences)
    assert all(0 <= s.begin <= s.end <= len(text) for s in ex.sentences)
    assert [s.begin for s in ex.sentences] == sorted(s.begin for s in ex.sentences)
    for f in ex.facts:
        assert 0 <= f.begin < f.end <= len(text) and 0 <= f.sentence < len(ex.sentences)
