from typing import Any

from rest_framework.permissions import BasePermission

from newsdesk import roles


class IsAdminRole(BasePermission):
    """Admins (the admin role, or superusers) only."""

    message = "Only admins may do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        return roles.role_of(request.user) == roles.ADMIN
