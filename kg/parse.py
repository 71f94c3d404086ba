"""Parse stage: GiNZA dependency trees and bunsetsu for each Document.

Texts longer than the parser accepts (Sudachi refuses inputs over ~49,000 bytes) are split at
sentence boundaries into chunks; each chunk keeps its code-point offset into the document, so
later stages report offsets into the whole text. spaCy objects made here stay inside the NLP
stages (mentions, entities, relations).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from .errors import ModelError
from .model import Document

log = logging.getLogger(__name__)

DEFAULT_MODEL = "ja_ginza"
# Sudachi's limit is 49,149 bytes; stay well under it so a chunk never reaches it.
MAX_CHUNK_BYTES = 40_000
_BOUNDARY = re.compile(r"(?<=[。！？!?\n])")


@dataclass
class Parsed:
    """A document with its parse: ``chunks`` are (offset, spaCy Doc) pairs in text order."""

    document: Document
    chunks: list


@lru_cache(maxsize=2)
def load_model(name: str = DEFAULT_MODEL):
    """Load the GiNZA pipeline once per process (models come from PyPI, never downloaded here)."""
    try:
        import spacy
    except ImportError as e:  # pragma: no cover - spaCy is a hard dependency
        raise ModelError(f"spaCy is not installed ({e}): run `pip install -e .`") from None
    try:
        nlp = spacy.load(name)
    except OSError:
        raise ModelError(
            f"the GiNZA model {name!r} is not installed: run `pip install ja-ginza` (it comes from PyPI)"
        ) from None
    nlp.max_length = max(nlp.max_length, MAX_CHUNK_BYTES * 2)
    return nlp


def model_signature(nlp) -> str:
    """Name, version and pipeline of a loaded model: what a cached parse depends on."""
    meta = nlp.meta
    return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}:{','.join(nlp.pipe_names)}"


def split_for_parser(text: str, max_bytes: int = MAX_CHUNK_BYTES) -> list[tuple[int, str]]:
    """Cut ``text`` into (offset, chunk) pairs of at most ``max_bytes`` UTF-8 bytes each,
    at sentence ends where possible. Offsets are code-point offsets; the chunks joined give ``text``.
    """
    if len(text.encode("utf-8")) <= max_bytes:
        return [(0, text)]
    pieces = [p for p in _BOUNDARY.split(text) if p]
    chunks: list[tuple[int, str]] = []
    start, buf, size, pos = 0, [], 0, 0
    for piece in pieces:
        for part in _hard_split(piece, max_bytes):
            n = len(part.encode("utf-8"))
            if buf and size + n > max_bytes:
                chunks.append((start, "".join(buf)))
                start, buf, size = pos, [], 0
            buf.append(part)
            size += n
            pos += len(part)
    if buf:
        chunks.append((start, "".join(buf)))
    return chunks


def _hard_split(piece: str, max_bytes: int) -> list[str]:
    """Split a single over-long sentence at commas, spaces, or anywhere, to fit ``max_bytes``."""
    if len(piece.encode("utf-8")) <= max_bytes:
        return [piece]
    out, cur, size = [], [], 0
    for ch in piece:
        n = len(ch.encode("utf-8"))
        if cur and size + n > max_bytes:
            # prefer to cut just after the last comma or space in the current run
            text = "".join(cur)
            cut = max(text.rfind("、"), text.rfind("，"), text.rfind(" "), text.rfind(","))
            if cut > len(text) // 2:
                out.append(text[: cut + 1])
                cur = list(text[cut + 1:])
                size = len("".join(cur).encode("utf-8"))
            else:
                out.append(text)
                cur, size = [], 0
        cur.append(ch)
        size += n
    if cur:
        out.append("".join(cur))
    return out


def parse_documents(nlp, documents: Iterable[Document], batch_size: int = 16) -> Iterator[Parsed]:
    """Parse documents in a stream; each Parsed holds all chunks of one document, in order."""
    pending: dict[int, Parsed] = {}
    remaining: dict[int, int] = {}
    order: list[int] = []

    def feed():
        for n, doc in enumerate(documents):
            chunks = split_for_parser(doc.text)
            pending[n] = Parsed(doc, [None] * len(chunks))
            remaining[n] = len(chunks)
            order.append(n)
            for k, (offset, text) in enumerate(chunks):
                yield text, (n, k, offset)

    next_out = 0
    for spacy_doc, (n, k, offset) in nlp.pipe(feed(), as_tuples=True, batch_size=batch_size):
        pending[n].chunks[k] = (offset, spacy_doc)
        remaining[n] -= 1
        while next_out < len(order) and remaining.get(order[next_out]) == 0:
            key = order[next_out]
            yield pending.pop(key)
            del remaining[key]
            next_out += 1
