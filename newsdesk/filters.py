"""The filters every list of the REST API shares (the kit): ids, times in UTC, no empty
parameter taken for no filter, and `updated_since`."""

from datetime import UTC
from typing import Any

import django_filters as filters
from django import forms
from django_filters.fields import IsoDateTimeField

# Ids are positive 64-bit integers; anything else is a 400, not a database error.
MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """An id: a whole number from 1 (django-filter's NumberFilter takes any decimal)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned into UTC: PostgreSQL takes offsets up to 15:59 only, and
    a time the calendar cannot hold in UTC is a 400, not a server error."""

    def to_python(self, value: Any) -> Any:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError) as error:
            raise forms.ValidationError("A time between the years 1 and 9999 (UTC).") from error


class TimeFilter(filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class StrictFilterSet(filters.FilterSet):
    """A parameter given with no value is an error, not a filter silently skipped: a
    client syncing with `updated_since=` would otherwise pull everything."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and str(self.data.get(name, "")).strip() == "":
                self.form.add_error(name, "Give a value, or leave the parameter out.")
                valid = False
        return valid


class SyncFilterSet(StrictFilterSet):
    """`updated_since`: what was created or changed at or after a time (ISO 8601). Pair it
    with the `deleted` feed to drop what was deleted since. A time cursor misses what
    transactions that commit late wrote; `sync_token` (newsdesk.sync, on every cursor
    page) does not."""

    updated_since = TimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=(
            "Only rows created or changed at or after this time (ISO 8601). Misses what "
            "transactions that committed late wrote: prefer `sync_token`."
        ),
    )
