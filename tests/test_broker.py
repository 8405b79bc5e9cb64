"""Background jobs through the deployed shape: Redis broker, a real worker process and the
result backend. The first test also runs in the embedded configuration, where the task
runs eagerly in-process; the others need a broker and are skipped without one."""

import pytest
from celery.result import EagerResult
from django.conf import settings

from exchange.celery import app
from exchange.tasks import healthcheck_echo

TASK_NAME = "exchange.tasks.healthcheck_echo"


@pytest.fixture
def result_backend():
    if settings.CELERY_BROKER_URL and not settings.CELERY_RESULT_BACKEND:
        pytest.skip("CELERY_RESULT_BACKEND is not set: task results cannot be read back")


def tasks_run_by(worker) -> int:
    stats = app.control.inspect(destination=[worker.hostname], timeout=5).stats()
    return stats[worker.hostname]["total"].get(TASK_NAME, 0)


def test_healthcheck_echo_returns_its_argument(celery_worker_process, result_backend):
    # given the Celery configuration this environment selects (eager, or a real worker)
    # when
    result = healthcheck_echo.delay("ping")

    # then
    assert result.get(timeout=30) == "ping"


@pytest.mark.broker
def test_worker_answers_a_control_ping(celery_worker_process):
    # given a running worker
    hostname = celery_worker_process.hostname

    # when
    replies = app.control.ping(destination=[hostname], timeout=5)

    # then
    assert replies == [{hostname: {"ok": "pong"}}]


@pytest.mark.broker
def test_task_round_trips_through_the_broker_and_the_worker(celery_worker_process, result_backend):
    # given a worker that has run some number of echo tasks so far
    runs_before = tasks_run_by(celery_worker_process)

    # when
    result = healthcheck_echo.delay("핑 ping")

    # then the task went through the broker, not in-process, and came back intact
    assert not isinstance(result, EagerResult)
    assert result.get(timeout=30) == "핑 ping"
    assert result.state == "SUCCESS"
    # and it was our worker process that ran it
    assert tasks_run_by(celery_worker_process) == runs_before + 1
