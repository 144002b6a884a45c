from typing import Any

from rest_framework.permissions import BasePermission

from newsdesk import roles


class IsAdminRole(BasePermission):
    """Admins (the admin role, or superusers) only."""

    message = "Only admins may do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        return roles.role_of(request.user) == roles.ADMIN


class ReadsTeamWork(BasePermission):
    """Agreement and other figures over several analysts' work: leads (and admins), whom
    blind coding does not bind, and read-only API clients (scripts that read everything).
    Analysts are refused: in blind mode they must not learn others' work before they are
    done, and the simplest safe rule is no figures at all."""

    message = "Only leads and admins may read agreement between analysts."

    def has_permission(self, request: Any, view: Any) -> bool:
        return roles.is_lead(request.user) or roles.role_of(request.user) == roles.API_CLIENT
