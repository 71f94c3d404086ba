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


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp932", "euc_jp", "shift_jis"])
def test_io_decodes_japanese_in_common_encodings(encoding):
    assert decode(TEXT.encode(encoding)) == TEXT


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
