"""Dense (embedding) search: the model and the vector index (search.runtime serves it).

No Django here: settings arrive as parameters, so the package can be used and tested alone.
"""

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
    "IndexMismatchError",
    "IndexMissingError",
    "Manifest",
    "ModelNotFoundError",
    "ModelSource",
    "VectorIndex",
    "VectorIndexError",
    "get_embedder",
    "resolve_model",
]
