"""``kg remove``: delete documents' contributions from a store."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import StoreError
from ..store import KGStore, is_store_dir


@click.command("remove")
@click.argument("doc_ids", nargs=-1, required=True)
@click.option("--store", "store", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The store directory (made by kg build --store).")
def command(doc_ids, store):
    """Remove documents (by their identifier) from a store.

    Everything a document contributed goes: its named graph, and its share of the entity
    descriptions (aliases, mention counts; entities only it mentioned disappear). Entity
    resolution across the remaining documents is recomputed from the stored records.

    \b
    Example:
      kg remove news/2024-01-05.txt --store kg-store/
    """
    if not is_store_dir(store):
        raise StoreError(f"{store}: not a kg store (make one with `kg build INPUT --store {store}`)")
    with KGStore(store) as st:
        change = st.remove(doc_ids)
    click.echo(f"store {store}: {change.summary()}")
    if change.missing:
        raise StoreError(f"{store}: no document with id {', '.join(map(repr, change.missing))}; "
                         "list them with: kg query " + str(store) + " documents")
