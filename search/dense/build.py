"""Build a whole index from (listing id, text) pairs: the rebuild that keeps it a projection.

The caller (a Celery task, a management command) chooses the rows - published listings only -
and the text of each; this module embeds them in batches and saves the result as a new
version. Everything happens in memory until the final atomic save, so a rebuild that fails
half-way leaves the previous version serving.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from pathlib import Path

from search.dense.index import Manifest, VectorIndex
from search.dense.model import Embedder

# Texts per embedding call: bounds memory while the catalog streams from the database; larger
# chunks gain nothing because the backend batches by 16 inside (backends.PASSAGE_BATCH_SIZE).
EMBED_CHUNK = 256


def index_build(listings: Iterable[tuple[int, str]], *, embedder: Embedder) -> VectorIndex:
    """Embed every (listing id, text) into a new in-memory index."""
    index = VectorIndex(embedder.dimension, embedder.model_id)
    rows = iter(listings)
    while chunk := list(islice(rows, EMBED_CHUNK)):  # itertools.batched arrives in 3.12
        ids = [listing_id for listing_id, _ in chunk]
        index.upsert(ids, embedder.embed_passages([text for _, text in chunk]))
    return index


def index_rebuild(
    listings: Iterable[tuple[int, str]], *, embedder: Embedder, folder: Path | str
) -> Manifest:
    """Build from scratch and save as the next version in `folder`."""
    return index_build(listings, embedder=embedder).save(folder)
