"""The search index's per-listing metadata, held in columns, reads like a dict per listing."""

import json

import numpy as np

from search.listing_table import ListingTable


def _row(title: str, region: str = "KR-29", language: str = "en", digest: str = "0123456789abcdef"):
    return {"external_id": f"X-{title}", "title": title, "language": language,
            "ip_type": "webtoon", "region": region, "hash": digest}


def test_rows_read_back_as_the_dicts_written():
    table = ListingTable()
    table[7] = _row("Bamboo Forest")
    table[3] = _row("무등산 사계", region="KR-46", language="ko", digest="fedcba9876543210")
    assert table[7] == _row("Bamboo Forest")
    assert table[3] == _row("무등산 사계", region="KR-46", language="ko",
                            digest="fedcba9876543210")
    assert table.value(3, "region") == "KR-46"
    assert table.get(99) is None and 99 not in table and "7" not in table
    assert list(table) == [7, 3] and len(table) == 2


def test_replace_and_remove_reuse_slots_without_touching_other_listings():
    table = ListingTable({i: _row(f"t{i}") for i in range(1, 40)})
    table[5] = _row("renamed", region="KR-11")
    del table[6]
    table[100] = _row("new", language="ko")
    assert table[5]["title"] == "renamed" and table[5]["region"] == "KR-11"
    assert 6 not in table and table[100]["language"] == "ko"
    assert [table[i]["title"] for i in (1, 4, 7, 39)] == ["t1", "t4", "t7", "t39"]
    assert len(table) == 39


def test_codes_count_facets_per_listing():
    table = ListingTable({1: _row("a"), 2: _row("b", region="KR-46"), 3: _row("c")})
    codes, labels = table.codes("region", np.array([3, 2, 1]))
    assert [labels[c] for c in codes] == ["KR-29", "KR-46", "KR-29"]


def test_json_roundtrip_and_the_older_dict_layout():
    table = ListingTable({2: _row("b", language="ko"), 1: _row("a")})
    del table[2]
    table[5] = _row("e", region="KR-46")
    restored = ListingTable.from_json(json.loads(json.dumps(table.to_json())))
    assert dict(restored) == dict(table) == {1: _row("a"), 5: _row("e", region="KR-46")}
    restored[6] = _row("f")
    assert restored[6] == _row("f")
    older = ListingTable.from_json({"1": _row("a"), "5": _row("e", region="KR-46")})
    assert dict(older) == dict(table)
