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
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .model import Document

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


@dataclass(frozen=True)
class Skipped:
    """An input (or one JSONL record) that was not built, and why."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def example_inputs() -> list[str]:
    """The bundled example texts (what ``kg build`` with no INPUTS builds): examples/ in a
    checkout, else the copy installed inside the package."""
    from .vocab import resource_path

    folder = Path(str(resource_path("kg.examples", "")))
    return [str(p) for p in sorted(folder.iterdir()) if p.suffix in TEXT_SUFFIXES | JSONL_SUFFIXES]


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
            # dangling links are kept so that they are reported rather than silently passed over
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and (p.is_file() or (p.is_symlink() and not p.exists())))
            if not files:
                yield Skipped(str(path), "directory holds no .txt files")
            for f in files:
                yield _read_text_file(f, f.relative_to(path).as_posix(), encoding)
        elif not path.exists():
            yield Skipped(str(path), "broken link (its target does not exist)" if path.is_symlink() else "no such file or directory")
        elif path.suffix.lower() in JSONL_SUFFIXES:
            yield from _read_jsonl(path, encoding)
        else:
            yield _read_text_file(path, path.name, encoding)


def _read_bytes(path: Path) -> bytes | Skipped:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return Skipped(str(path), "broken link (its target does not exist)" if path.is_symlink() else "no such file or directory")
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
    """Decode a document's bytes; raise InputError when they are binary or not text in any known
    encoding. Order: a forced encoding; a byte-order mark; strict UTF-8; an HTML/XML charset
    declaration; ISO-2022-JP escapes; then the legacy encodings scored for plausible Japanese."""
    if encoding is not None:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as e:
            raise InputError(f"not valid {encoding} (byte {e.start}): check --encoding") from None
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8):], "utf-8")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return _strict(data, "utf-32")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16")
    if b"\x1b$" in data and max(data) < 0x80:
        # ISO-2022-JP is 7-bit, so it would pass as UTF-8 with its escape sequences left in
        try:
            return data.decode("iso2022_jp")
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if _looks_binary(text):
            raise InputError("binary file, not text")
        return text
    declared = _declared_charset(data)
    if declared:
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
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
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f\v\x1b")
    return controls > max(8, len(sample) // 20)


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.I)


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML or XML document declares in its first few kilobytes."""
    m = _CHARSET.search(data[:4096])
    if not m:
        return None
    name = (m.group(1) or m.group(2)).decode("ascii").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def plausibility(text: str) -> float:
    """How much ``text`` looks like real (Japanese or ASCII) text, in [-1, 1] per character.
    Wrong decodings of Japanese bytes give half-width katakana, Hangul, private-use characters,
    controls or odd symbols; right ones give kana, common kanji and punctuation."""
    if not text:
        return 0.0
    score = 0.0
    for c in text[:20000]:
        o = ord(c)
        if 0x3040 <= o <= 0x30FF or 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E:
            score += 1.0  # kana, Japanese punctuation, full-width ASCII
        elif 0x4E00 <= o <= 0x9FFF:
            score += 0.8  # CJK unified ideographs
        elif 0x20 <= o < 0x7F or c in "\t\r\n":
            score += 0.6
        elif 0xFF61 <= o <= 0xFF9F:
            score += 0.1  # half-width katakana: legitimate but the mark of a wrong decoding
        elif 0x2000 <= o <= 0x22FF or 0x2460 <= o <= 0x25FF or 0x00A0 <= o <= 0x00FF:
            score += 0.2
        else:
            score -= 1.0  # Hangul, private use, controls, rare blocks
    return score / min(len(text), 20000)


def _guess_japanese(data: bytes) -> str:
    """Try the legacy Japanese encodings (and UTF-16 without a BOM when NUL bytes suggest it);
    keep the most plausible decoding."""
    candidates = ["cp932", "euc_jp"]
    if b"\x00" in data and len(data) % 2 == 0:
        candidates += ["utf-16-le", "utf-16-be"]
    best: tuple[float, int, str] | None = None
    for rank, enc in enumerate(candidates):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            continue
        score = plausibility(text)
        if best is None or score > best[0] + 1e-9:
            best = (score, rank, text)
    if best is not None and best[0] >= 0.5:
        return best[2]
    if b"\x00" in data:
        raise InputError("binary file, not text")
    try:
        from charset_normalizer import from_bytes

        match = from_bytes(data).best()
    except Exception:  # charset-normalizer is a best effort after our own detection
        match = None
    if match is not None:
        text = str(match)
        if not _looks_binary(text) and plausibility(text) >= 0.3:
            return text
    raise InputError("not text in a known encoding (tried UTF-8, UTF-16, CP932/Shift_JIS, EUC-JP, ISO-2022-JP): pass --encoding")
