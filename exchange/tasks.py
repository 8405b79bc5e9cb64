"""Project-wide Celery tasks that belong to no single app."""

from celery import shared_task


@shared_task
def healthcheck_echo(value: str) -> str:
    """Return the argument unchanged and touch nothing: proves a broker, worker and result
    backend round-trip without side effects."""
    return value
