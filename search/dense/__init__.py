"""Dense (embedding) search: the model, the vector index, and the index a web process serves.

No Django here: settings arrive as parameters, so the package can be used and tested alone.
"""

from search.dense.build import index_build, index_rebuild
from search.dense.holder import IndexHolder
from search.dense.index import (
    IndexMismatchError,
    IndexMissingError,
    Manifest,
    VectorIndex,
    VectorIndexError,
)
from search.dense.model import (
    Embedder,
    ModelNotFoundError,
    ModelSource,
    get_embedder,
    resolve_model,
)

__all__ = [
    "Embedder",
    "IndexHolder",
    "IndexMismatchError",
    "IndexMissingError",
    "Manifest",
    "ModelNotFoundError",
    "ModelSource",
    "VectorIndex",
    "VectorIndexError",
    "get_embedder",
    "index_build",
    "index_rebuild",
    "resolve_model",
]
