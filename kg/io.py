"""Read stage: turn the user's inputs into Documents.

Inputs are ``.txt`` files, directories (every ``.txt`` below them, in sorted order) and ``.jsonl``
files of ``{"id": ..., "text": ...}`` records. Bytes are decoded with the encoding detected
(UTF-8 with or without BOM, UTF-16, Shift_JIS/CP932, EUC-JP) or the one forced by the caller;
``Document.text`` is the text exactly as decoded, before any normalisation.

Problems with one input never stop the others: they come out of ``read_inputs`` as ``Skipped``
records, each naming the input and what is wrong, in the order met.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .model import Document

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}

# Encodings a Japanese text is likely to be in, tried in this order after UTF-8.
JAPANESE_ENCODINGS = ("cp932", "euc_jp", "iso2022_jp", "utf_16")


@dataclass(frozen=True)
class Skipped:
    """An input (or one JSONL record) that was not built, and why."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def read_inputs(inputs: Iterable[str | os.PathLike], encoding: str | None = None) -> Iterator[Document | Skipped]:
    """Yield a Document for every readable text and a Skipped for every problem, in input order.

    Document ids are unique: a second document with an id already seen is skipped.
    """
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}: use a Python codec name such as utf-8, cp932 or euc_jp") from None
    seen: dict[str, str] = {}
    for item in _expand(inputs, encoding):
        if isinstance(item, Document):
            if item.id in seen:
                yield Skipped(item.source, f"duplicate document id {item.id!r} (already read from {seen[item.id]})")
                continue
            seen[item.id] = item.source
        yield item


def _expand(inputs, encoding) -> Iterator[Document | Skipped]:
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
            if not files:
                yield Skipped(str(path), "directory holds no .txt files")
            for f in files:
                yield _read_text_file(f, f.relative_to(path).as_posix(), encoding)
        elif not path.exists():
            yield Skipped(str(path), "no such file or directory")
        elif path.suffix.lower() in JSONL_SUFFIXES:
            yield from _read_jsonl(path, encoding)
        else:
            yield _read_text_file(path, path.name, encoding)


def _read_bytes(path: Path) -> bytes | Skipped:
    try:
        return path.read_bytes()
    except OSError as e:
        return Skipped(str(path), f"cannot read: {e.strerror or e}")


def _read_text_file(path: Path, doc_id: str, encoding: str | None) -> Document | Skipped:
    data = _read_bytes(path)
    if isinstance(data, Skipped):
        return data
    try:
        text = decode(data, encoding)
    except InputError as e:
        return Skipped(str(path), str(e))
    if not text.strip():
        return Skipped(str(path), "empty document (no text to build)")
    return Document(id=doc_id, text=text, source=str(path))


def _read_jsonl(path: Path, encoding: str | None) -> Iterator[Document | Skipped]:
    data = _read_bytes(path)
    if isinstance(data, Skipped):
        yield data
        return
    try:
        content = decode(data, encoding)
    except InputError as e:
        yield Skipped(str(path), str(e))
        return
    any_line = False
    for lineno, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        any_line = True
        where = f"{path}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            yield Skipped(where, f"invalid JSON ({e.msg} at column {e.colno})")
            continue
        if not isinstance(record, dict):
            yield Skipped(where, 'a JSONL record must be an object {"id": ..., "text": ...}')
            continue
        doc_id, text = record.get("id"), record.get("text")
        if doc_id is None or (isinstance(doc_id, str) and not doc_id.strip()) or not isinstance(doc_id, (str, int)):
            yield Skipped(where, 'record has no "id" (a non-empty string or number)')
            continue
        if not isinstance(text, str):
            yield Skipped(where, 'record has no "text" string')
            continue
        if not text.strip():
            yield Skipped(where, f"record {doc_id!r} has empty text")
            continue
        yield Document(id=str(doc_id), text=text, source=where)
    if not any_line:
        yield Skipped(str(path), "empty JSONL file (no records)")


def decode(data: bytes, encoding: str | None = None) -> str:
    """Decode a document's bytes; raise InputError when they are binary or not text in any known encoding."""
    if encoding is not None:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as e:
            raise InputError(f"not valid {encoding} (byte {e.start}): check --encoding") from None
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8):], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return _strict(data, "utf-32")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if _looks_binary(text):
            raise InputError("binary file, not text")
        return text
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if b"\x00" in data:
        raise InputError("binary file, not text")
    return _guess_japanese(data)


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise InputError(f"starts with a {encoding} byte-order mark but is not valid {encoding} (byte {e.start})") from None


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    sample = text[:8192]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f\v")
    return controls > max(8, len(sample) // 20)


def _utf16_without_bom(data: bytes) -> str | None:
    if len(data) < 4 or len(data) % 2:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) // 2
    for enc, nuls in (("utf-16-le", odd_nuls), ("utf-16-be", even_nuls)):
        # ASCII-heavy UTF-16 has a NUL in every other byte; Japanese-heavy has few NULs but decodes cleanly.
        if nuls >= half * 0.3 or (b"\x00" in data and nuls > 0):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if not _looks_binary(text) and _japanese_ratio(text) + _ascii_ratio(text) > 0.8:
                return text
    return None


def _japanese_ratio(text: str) -> float:
    if not text:
        return 0.0
    jp = sum(1 for c in text if "\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" or "\u3000" <= c <= "\u303f")
    return jp / len(text)


def _ascii_ratio(text: str) -> float:
    return sum(1 for c in text if " " <= c <= "~" or c in "\t\r\n") / max(1, len(text))


def _guess_japanese(data: bytes) -> str:
    """Try the legacy Japanese encodings; keep the decoding that gives the most Japanese text."""
    best: tuple[float, str] | None = None
    for enc in JAPANESE_ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            continue
        score = _japanese_ratio(text) + _ascii_ratio(text)
        if best is None or score > best[0]:
            best = (score, text)
    if best is None or best[0] < 0.6:
        try:
            from charset_normalizer import from_bytes

            match = from_bytes(data).best()
        except Exception:  # charset-normalizer is a best effort
            match = None
        if match is not None:
            text = str(match)
            if not _looks_binary(text):
                return text
        raise InputError("not text in a known encoding (tried UTF-8, UTF-16, CP932/Shift_JIS, EUC-JP, ISO-2022-JP): pass --encoding")
    return best[1]
