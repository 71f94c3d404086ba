"""Bad input in a batch: each bad input named in one line, the rest built, exit code 3;
--strict makes any bad input fatal; no tracebacks for input problems."""

from __future__ import annotations

import json
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.parse import split_for_parser

GOOD = "トヨタ自動車の会長である豊田章男氏は語った。"


def kg_build(*args):
    return subprocess.run([sys.executable, "-m", "kg", "build", *map(str, args)], capture_output=True, text=True)


def _batch(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "in" / "sjis.txt").write_bytes("任天堂は京都市に本社を置く。".encode("cp932"))
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "binary.txt").write_bytes(bytes(range(256)) * 16)
    (tmp_path / "in" / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    lines = [json.dumps({"id": "j1", "text": GOOD}, ensure_ascii=False), '{"id": "j2", "text": ', json.dumps({"id": "j3"}), json.dumps({"id": "j4", "text": "ソニーは東京都に本社を置く。"}, ensure_ascii=False)]
    (tmp_path / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [tmp_path / "in", tmp_path / "records.jsonl"]


def test_reliability_bad_inputs_are_named_once_and_the_rest_is_built(tmp_path):
    res = kg_build(*_batch(tmp_path), "-o", tmp_path / "out")
    assert res.returncode == 3, res.stderr
    assert "Traceback" not in res.stderr
    err = res.stderr
    for bad in ("empty.txt", "binary.txt", "dangling.txt", "records.jsonl:2", "records.jsonl:3"):
        assert sum(bad in line for line in err.splitlines()) == 1, (bad, err)
    ttl = (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")
    for built in ('"good.txt"', '"sjis.txt"', '"j1"', '"j4"'):
        assert built in ttl
    assert "任天堂" in ttl


def test_reliability_strict_makes_any_bad_input_fatal_and_writes_nothing(tmp_path):
    res = kg_build(*_batch(tmp_path), "-o", tmp_path / "out", "--strict")
    assert res.returncode == 1
    assert "Traceback" not in res.stderr and "--strict" in res.stderr
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_reliability_unknown_forced_encoding_is_one_line(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(GOOD, encoding="utf-8")
    res = kg_build(p, "--encoding", "klingon", "-o", tmp_path / "out")
    assert res.returncode == 1
    assert [l for l in res.stderr.splitlines() if l.strip()] == [l for l in res.stderr.splitlines() if "klingon" in l]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text=st.text(alphabet=st.sampled_from(list("あいう漢字ABC 。！\n、𠮷😀ｱ")), min_size=0, max_size=400), limit=st.integers(8, 64))
def test_reliability_long_text_chunks_rejoin_exactly_and_fit_the_parser(text, limit):
    chunks = split_for_parser(text, max_bytes=limit)
    assert "".join(c for _, c in chunks) == text
    pos = 0
    for offset, chunk in chunks:
        assert offset == pos
        pos += len(chunk)
        assert len(chunk.encode("utf-8")) <= limit or len(chunk) == 1


def test_reliability_blank_lines_make_no_sentences_and_indexes_stay_right(extract):
    text = "ソニーは東京都に本社を置く。\n\n\n\nトヨタ自動車の会長である豊田章男氏は語った。\n\n"
    ex = extract(text)
    assert all(text[s.begin:s.end].strip() == text[s.begin:s.end] != "" for s in ex.sentences)
    for m in ex.mentions:
        s = ex.sentences[m.sentence]
        assert s.begin <= m.begin < m.end <= s.end and text[m.begin:m.end] == m.text
    for f in ex.facts:
        s = ex.sentences[f.sentence]
        assert s.begin <= f.begin < f.end <= s.end
