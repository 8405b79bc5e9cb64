"""Fixtures of the search suite: listings that go through the real workflow and index.

`indexed` runs the on-commit callbacks (the Celery task, eager) of whatever it wraps, so
the index follows the database exactly as it does in the embedded default. The real
embedder is used throughout (it loads offline in seconds).
"""

from __future__ import annotations

import pytest

from exchange.celery import app as celery_app
from listings.models import ListingStatus
from search import runtime
from search.index import SearchIndex
from tests import factories

MUDEUNG_KO = (
    "무등산 주상절리대와 억새 능선을 사계절 촬영한 실감형 배경 영상입니다. 서석대와 입석대의 "
    "돌기둥, 가을 억새, 겨울 상고대, 일출 운해를 8K로 담았고 LED 월 버추얼 프로덕션과 VR 전시에 "
    "바로 쓸 수 있도록 색 보정과 루프 편집을 마쳤습니다. 광주 시내에서 바라본 산세와 정상부 "
    "드론 항공 촬영도 포함되어 있어 다큐멘터리와 관광 홍보에도 활용할 수 있습니다."
)
TEA_EN = (
    "A slow documentary series about the green tea terraces of Boseong in South Jeolla: "
    "pickers at dawn, mist over the rows, roasting by hand and the tea ceremony that follows. "
    "Twelve short episodes in 4K with field sound, plus stills and an illustrated booklet, "
    "ready for streaming, exhibition screens and travel campaigns across many territories."
)
HORROR_EN = (
    "A horror game set in a cursed hanok where a village shaman must lay restless ghosts to "
    "rest before dawn. Folk beliefs, talismans and exorcism rituals drive the puzzles; the "
    "art direction uses candle light and paper doors. Design documents, character sheets and "
    "a playable prototype are available for co-development into a VR title or a webtoon."
)


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """Index tasks run in the test's own process and transaction, also when the suite runs
    against a real broker (a worker cannot see rows of an uncommitted test transaction, nor
    this test's index folder)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Use as `with indexed(): ...`: the index catches up when the block's commits run."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def publish(db, indexed):
    """publish(**catalog fields) -> a listing published through the workflow, and indexed."""

    def make(owner=None, **fields):
        with indexed():
            return factories.make_listing(owner=owner, status=ListingStatus.PUBLISHED, **fields)

    return make


def served_index() -> SearchIndex:
    index = runtime.current_index()
    assert index is not None
    return index


def disk_index() -> SearchIndex:
    return SearchIndex.load(runtime.index_dir())
