"""Per-listing metadata of the search index, held in columns instead of one dict per listing.

At 100,000 listings a dict per listing (six keys, each value its own string) held about
80-100 MB in a web process; here strings that repeat (language, ip type, region) are a code
per listing into a short list of labels, the content hash is 16 bytes, and only titles and
external ids stay Python strings: about 25 MB (bench/search.py). Reading a listing still
gives the same dict as `SearchDocument.metadata()`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping

import numpy as np

TEXT_FIELDS = ("external_id", "title")
CODED_FIELDS = ("language", "ip_type", "region")
HASH_FIELD = "hash"
FIELDS = (*TEXT_FIELDS, *CODED_FIELDS, HASH_FIELD)


class ListingTable(MutableMapping[int, dict]):
    """listing id -> {"external_id", "title", "language", "ip_type", "region", "hash"}."""

    def __init__(self, rows: Mapping[int, Mapping[str, str]] | None = None) -> None:
        self._slot: dict[int, int] = {}
        self._free: list[int] = []
        self._text: dict[str, list[str]] = {name: [] for name in TEXT_FIELDS}
        self._labels: dict[str, list[str]] = {name: [] for name in CODED_FIELDS}
        self._label_code: dict[str, dict[str, int]] = {name: {} for name in CODED_FIELDS}
        self._codes: dict[str, np.ndarray] = {name: np.zeros(0, np.int32) for name in CODED_FIELDS}
        self._hashes = np.zeros(0, dtype="S16")
        for listing_id, row in (rows or {}).items():
            self[listing_id] = row

    # -- mapping -------------------------------------------------------------------------

    def __getitem__(self, listing_id: int) -> dict:
        slot = self._slot[int(listing_id)]
        row = {name: self._text[name][slot] for name in TEXT_FIELDS}
        row.update({name: self._labels[name][self._codes[name][slot]] for name in CODED_FIELDS})
        row[HASH_FIELD] = self._hashes[slot].decode("ascii")
        return row

    def __setitem__(self, listing_id: int, row: Mapping[str, str]) -> None:
        listing_id = int(listing_id)
        slot = self._slot.get(listing_id)
        if slot is None:
            slot = self._free.pop() if self._free else self._grow()
            self._slot[listing_id] = slot
        for name in TEXT_FIELDS:
            self._text[name][slot] = str(row.get(name, ""))
        for name in CODED_FIELDS:
            self._codes[name][slot] = self._code(name, str(row.get(name, "")))
        self._hashes[slot] = str(row.get(HASH_FIELD, "")).encode("ascii")  # 16 hex digits

    def __delitem__(self, listing_id: int) -> None:
        slot = self._slot.pop(int(listing_id))
        for name in TEXT_FIELDS:
            self._text[name][slot] = ""
        self._free.append(slot)

    def __iter__(self) -> Iterator[int]:
        return iter(self._slot)

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, listing_id: object) -> bool:
        return isinstance(listing_id, int | np.integer) and int(listing_id) in self._slot

    # -- columns -------------------------------------------------------------------------

    def value(self, listing_id: int, name: str) -> str:
        """One field of one listing without building its dict."""
        slot = self._slot[int(listing_id)]
        if name in CODED_FIELDS:
            return self._labels[name][self._codes[name][slot]]
        if name == HASH_FIELD:
            return self._hashes[slot].decode("ascii")
        return self._text[name][slot]

    def codes(self, name: str, listing_ids: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Per listing, a code for its value of a coded field, and the labels of the codes."""
        slots = np.fromiter((self._slot[int(i)] for i in listing_ids), dtype=np.int64,
                            count=len(listing_ids))
        return self._codes[name][slots].astype(np.int64), list(self._labels[name])

    def _code(self, name: str, label: str) -> int:
        code = self._label_code[name].get(label)
        if code is None:
            code = self._label_code[name][label] = len(self._labels[name])
            self._labels[name].append(label)
        return code

    def _grow(self) -> int:
        slot = len(self._text[TEXT_FIELDS[0]])
        if slot == len(self._hashes):  # the fixed-width columns are full: double them
            capacity = max(16, 2 * slot)
            for name in CODED_FIELDS:
                self._codes[name] = np.resize(self._codes[name], capacity)
            self._hashes = np.resize(self._hashes, capacity)
        for name in TEXT_FIELDS:
            self._text[name].append("")
        return slot

    # -- persistence ---------------------------------------------------------------------

    def to_json(self) -> dict:
        """Columns, in listing id order (meta.json)."""
        ids = sorted(self._slot)
        slots = [self._slot[i] for i in ids]
        out: dict = {"columns": 1, "ids": ids}
        for name in TEXT_FIELDS:
            out[name] = [self._text[name][s] for s in slots]
        for name in CODED_FIELDS:
            out[name] = {"labels": self._labels[name],
                         "codes": self._codes[name][slots].tolist()}
        out[HASH_FIELD] = [h.decode("ascii") for h in self._hashes[slots]]
        return out

    @classmethod
    def from_json(cls, data: Mapping) -> ListingTable:
        """Columns as written by to_json, or the older {"<id>": {field: value}} layout."""
        if "columns" not in data:
            return cls({int(k): v for k, v in data.items()})
        table = cls()
        count = len(data["ids"])
        table._slot = {int(i): slot for slot, i in enumerate(data["ids"])}
        for name in TEXT_FIELDS:
            table._text[name] = list(data[name])
        for name in CODED_FIELDS:
            table._labels[name] = list(data[name]["labels"])
            table._label_code[name] = {label: c for c, label in enumerate(table._labels[name])}
            table._codes[name] = np.array(data[name]["codes"], dtype=np.int32).reshape(count)
        table._hashes = np.array([h.encode("ascii") for h in data[HASH_FIELD]],
                                 dtype="S16").reshape(count)
        return table
