"""`manage.py runserver` (whitenoise's, which leaves static files to whitenoise), refusing
any address but loopback in development mode (newsdesk.loopback)."""

from typing import Any

from django.conf import settings
from django.core.management import CommandError
from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as WhiteNoiseRunserver,
)

from newsdesk.loopback import is_loopback, refusal


class Command(WhiteNoiseRunserver):
    def run(self, **options: Any) -> None:
        # handle() has parsed the address by now ("0" is every interface: not loopback).
        if settings.DJANGO_ENV == "development" and not is_loopback(self.addr):
            raise CommandError(refusal(self.addr))
        super().run(**options)
