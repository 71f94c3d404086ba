"""Reading inputs: .txt, directories, JSONL; ids; encodings; bad files reported, never fatal."""

from __future__ import annotations

import json

import pytest

from kg.errors import InputError
from kg.io import Skipped, decode, read_inputs
from kg.model import Document

TEXT = "マイクロソフトの会長兼CEOであるサティア・ナデラ氏は発表した。"


def _read(*paths, **kw):
    return list(read_inputs([str(p) for p in paths], **kw))


def test_io_text_file_id_is_its_file_name(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    (doc,) = _read(p)
    assert isinstance(doc, Document) and doc.id == "a.txt" and doc.text == TEXT


def test_io_directory_ids_are_relative_paths_in_sorted_order(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    docs = _read(tmp_path)
    assert [d.id for d in docs] == ["a.txt", "sub/b.txt"]


def test_io_jsonl_records_use_their_id_and_bad_lines_are_reported_with_line_numbers(tmp_path):
    p = tmp_path / "c.jsonl"
    lines = [json.dumps({"id": "n1", "text": TEXT}, ensure_ascii=False), "{broken", json.dumps({"text": TEXT}, ensure_ascii=False), json.dumps({"id": 7, "text": TEXT}, ensure_ascii=False)]
    p.write_text("\n".join(lines), encoding="utf-8")
    items = _read(p)
    assert [i.id for i in items if isinstance(i, Document)] == ["n1", "7"]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [s.source for s in skipped] == [f"{p}:2", f"{p}:3"]


SAMPLES = [
    TEXT,
    "テスト",
    "東京都",
    "abc 日本語 def\r\n2行目です。\n",
    "ソニーグループは東京都港区に本社を置く。\n任天堂は京都市に本社を置く。\n" * 20,
    "①②③ ㈱マイクロソフト ～ 髙橋さん",  # CP932-only characters (NEC/IBM extensions)
]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp932", "shift_jis", "euc_jp", "iso2022_jp"]


def _encodable(text, encoding):
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False  # e.g. ① in shift_jis: such a file cannot exist
    # UTF-16 without a BOM is only detectable through the NUL bytes of ASCII characters
    return encoding not in ("utf-16-le", "utf-16-be") or any(c.isascii() for c in text)


DECODE_CASES = [(t, e) for t in SAMPLES for e in ENCODINGS if _encodable(t, e)]


@pytest.mark.parametrize("text,encoding", DECODE_CASES, ids=[f"{SAMPLES.index(t)}-{e}" for t, e in DECODE_CASES])
def test_io_decodes_japanese_in_common_encodings(text, encoding):
    assert decode(text.encode(encoding)) == text


def test_io_html_charset_declaration_is_honoured():
    page = '<html><head><meta charset="euc-jp"></head><body>トヨタ自動車は愛知県に本社を置く。</body></html>'
    assert decode(page.encode("euc_jp")) == page


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"\x89PNG\r\n\x1a\n" + bytes(300), b"\x7fELF" + bytes(range(200)) * 3])
def test_io_binary_data_is_rejected_with_a_clear_reason(data):
    with pytest.raises(InputError, match="binary|not text"):
        decode(data)


def test_io_cp932_file_builds_with_offsets_into_the_decoded_text(tmp_path, extract):
    from kg.pipeline import build

    p = tmp_path / "sjis.txt"
    p.write_bytes(TEXT.encode("cp932"))
    g = build([str(p)])
    (ex,) = g.extractions
    assert ex.document.text == TEXT
    assert ex.mentions and all(TEXT[m.begin:m.end] == m.text for m in ex.mentions)


def test_io_binary_and_empty_and_missing_are_skipped_not_fatal(tmp_path):
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "ok.txt").write_text(TEXT, encoding="utf-8")
    items = _read(tmp_path / "bin.txt", tmp_path / "empty.txt", tmp_path / "nope.txt", tmp_path / "ok.txt")
    assert [type(i).__name__ for i in items] == ["Skipped", "Skipped", "Skipped", "Document"]
    assert "binary" in items[0].reason and "empty" in items[1].reason


def test_io_duplicate_document_ids_are_skipped(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "same.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "y" / "same.txt").write_text(TEXT, encoding="utf-8")
    items = _read(tmp_path / "x" / "same.txt", tmp_path / "y" / "same.txt")
    assert isinstance(items[0], Document) and isinstance(items[1], Skipped)
    assert "duplicate" in items[1].reason


def test_io_forced_encoding_that_does_not_fit_is_an_error_naming_it():
    with pytest.raises(InputError, match="euc_jp"):
        decode("テスト".encode("utf-8") + b"\xff", "euc_jp")
