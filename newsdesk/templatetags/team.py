"""`{% load team %}`: what the navigation shows to whom."""

from typing import Any

from django import template

from newsdesk import roles

register = template.Library()


@register.filter
def is_lead(user: Any) -> bool:
    """Admins and leads (newsdesk.roles.is_lead); at most the one role query a request
    makes anyway, none when the view already asked."""
    return bool(user.is_authenticated) and roles.is_lead(user)
