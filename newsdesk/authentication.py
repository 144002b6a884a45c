"""How API requests sign in (settings.REST_FRAMEWORK). Imports no DRF views: DRF loads
this module while it is still importing its own."""

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework import authentication, exceptions

from newsdesk import roles


@cache
def _token_query() -> tuple[str, list[str]]:
    """One statement for the token, its user and the user's role, written once per
    process: every API request runs it, and building it with the ORM (a join, a
    subquery, a CASE) cost more than running it."""
    user_model = get_user_model()
    meta = user_model._meta
    fields = list(meta.concrete_fields)
    columns = ", ".join(f'u."{field.column}"' for field in fields)
    ranks = " ".join(f"WHEN '{role}' THEN {rank}" for rank, role in enumerate(roles.ROLES))
    names = ", ".join(f"'{role}'" for role in roles.ROLES)
    groups = user_model.groups.through._meta.db_table  # type: ignore[attr-defined]
    sql = (
        f"SELECT {columns}, (SELECT g.name FROM auth_group g "
        f"JOIN {groups} ug ON ug.group_id = g.id "
        f"WHERE ug.{meta.model_name}_id = u.id AND g.name IN ({names}) "
        f"ORDER BY CASE g.name {ranks} END LIMIT 1) "
        f'FROM authtoken_token t JOIN {meta.db_table} u ON u."{meta.pk.column}" = t.user_id '
        "WHERE t.key = %s"
    )
    return sql, [field.attname for field in fields]


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, with the user's role fetched in the same query: one
    query signs a request in and says what it may do."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        sql, attnames = _token_query()
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        user = get_user_model().from_db(connection.alias, attnames, row[:-1])
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        roles.remember(user, row[-1])
        token = self.get_model()(key=key, user=user)
        return user, token
