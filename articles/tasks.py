"""Celery tasks: thin wrappers that take ids and call one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from articles import services

# Only errors that go away on their own are retried; anything else is a bug or bad input.
TRANSIENT_ERRORS = (InterfaceError, OperationalError, BrokerError)


@shared_task(
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def import_batch_refresh(batch_id: int) -> None:
    services.import_batch_refresh(batch_id=batch_id)
