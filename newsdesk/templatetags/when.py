"""`{% load when %}`: an article's date said plainly on every page.

An undated article says "date unknown", never its import time. A date with no time of
day (read from the text, or a metadata date without one, stored as midnight UTC) is shown
as that day alone, in UTC: never "00:00", and never moved to the evening before by a
time zone west of Greenwich."""

from datetime import UTC, datetime, time
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def _day_only(value: datetime) -> bool:
    return value.astimezone(UTC).time() == time(0, 0)


@register.simple_tag
def when(
    value: datetime | None,
    day_format: str = "j M Y",
    time_format: str = "",
    *,
    day_only: bool = False,
    unknown: str = "date unknown",
) -> SafeString:
    """A <time> element for `value`: the day, then `time_format` (" H:i", say) when it
    has a time of day; `unknown` in a span when there is no value."""
    if value is None:
        return format_html('<span class="date-unknown">{}</span>', unknown)
    if day_only or not time_format or _day_only(value):
        day = value.astimezone(UTC) if _day_only(value) or day_only else timezone.localtime(value)
        return format_html(
            '<time datetime="{}">{}</time>',
            day.date().isoformat(),
            dateformat.format(day, day_format),
        )
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(),
        dateformat.format(local, day_format + time_format),
    )


@register.simple_tag
def published(
    article: Any, day_format: str = "j M Y", time_format: str = "", *, unknown: str = "date unknown"
) -> SafeString:
    """An article's publication date (`when`); a date read from its text is a day."""
    return when(
        article.published_at,
        day_format,
        time_format,
        day_only=bool(article.date_stated),
        unknown=unknown,
    )
