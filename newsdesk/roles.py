"""The three roles of Newsdesk, as Django groups with their model permissions.

- analyst: reads everything; creates, edits and deletes quotes, stances, notes and tags;
  reviews machine suggestions (changes mentions, quotes, entities and aliases).
- admin: everything in the articles and annotations apps, plus users and groups; staff
  access to the admin site.
- api-client: read-only access (view permissions), for REST clients.
- lead (a group an analyst is in besides their role): assigns work and adjudicates it.

`sync` is run by the data migration that creates the groups, and again after every
`migrate` so that models added later get their permissions into the roles.
"""

from typing import Any

ANALYST = "analyst"
ADMIN = "admin"
API_CLIENT = "api-client"
ROLES = (ANALYST, ADMIN, API_CLIENT)
# Not a role but a group an analyst may also be in: leads assign work and adjudicate it
# to gold, as admins do (the permission annotations.lead_team).
LEAD = "lead"
LEAD_PERMISSION = ("annotations", "lead_team")

_APPS = ("articles", "annotations")

# Models an analyst may add, change and delete outright.
_ANALYST_WRITES = {
    "annotations": ("quote", "stance", "note", "tag"),
}
# Models an analyst reviews or corrects (change only: confirm, reject, fix, merge).
_ANALYST_CHANGES = {
    "articles": ("mention", "entity", "entityalias"),
}


def _wanted(role: str, app_label: str, codename: str) -> bool:
    action, _, model = codename.partition("_")
    if app_label in ("auth",):
        return role == ADMIN and model in ("user", "group")
    if app_label not in _APPS:
        return False
    if role == ADMIN:
        return True
    if action == "view":
        return True
    if role == ANALYST:
        if model in _ANALYST_WRITES.get(app_label, ()):
            return True
        if action in ("add", "change") and model in _ANALYST_CHANGES.get(app_label, ()):
            return True
    return False


def sync(group_model: Any, permission_model: Any) -> None:
    """Create the role groups and give each exactly its permissions.

    Takes the model classes so that a migration can pass its historical models.
    """
    permissions = list(
        permission_model.objects.filter(
            content_type__app_label__in=(*_APPS, "auth")
        ).select_related("content_type")
    )
    for role in ROLES:
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.set(
            [p for p in permissions if _wanted(role, p.content_type.app_label, p.codename)]
        )
    lead, _ = group_model.objects.get_or_create(name=LEAD)
    lead.permissions.set(
        [p for p in permissions if (p.content_type.app_label, p.codename) == LEAD_PERMISSION]
    )


def sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    # post_migrate goes to each app in turn, and auth creates an app's permissions on that
    # app's turn; creating them all first (idempotent) lets one pass see every model.
    if sender.name != "newsdesk":
        return
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    using = kwargs.get("using", "default")
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync(Group, Permission)


# The role, kept on the user object for the rest of its request once it is known.
_CACHED = "_newsdesk_role"
# Whether an analyst is in the lead group, kept the same way.
_CACHED_LEAD = "_newsdesk_lead"


def role_of(user: Any) -> str | None:
    """The user's role: admin for superusers, else the first role group they are in.
    One query per user object, the first time (none after `remember`)."""
    if not user.is_authenticated:
        return None
    if hasattr(user, _CACHED):
        return getattr(user, _CACHED)
    names = {group.name for group in user.groups.all()}
    # The same query says whether they lead: `is_lead` then costs none.
    setattr(user, _CACHED_LEAD, LEAD in names)
    return remember(user, next((role for role in ROLES if role in names), None))


def remember(user: Any, group_role: str | None) -> str | None:
    """Record the role found for the user (by `role_of`, or by a query that fetched it
    with the user, as the API's token authentication does)."""
    role = ADMIN if user.is_superuser else group_role
    setattr(user, _CACHED, role)
    return role


def is_lead(user: Any) -> bool:
    """Admins, and analysts in the lead group: they assign work and adjudicate it.
    No query after `role_of` for the same user object; else one, the first time."""
    role = role_of(user)
    if role == ADMIN:
        return True
    if role != ANALYST:
        return False
    if not hasattr(user, _CACHED_LEAD):
        setattr(user, _CACHED_LEAD, user.groups.filter(name=LEAD).exists())
    return bool(getattr(user, _CACHED_LEAD))
