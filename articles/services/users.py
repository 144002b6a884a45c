"""Every write in the articles app goes through a function here."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from articles import roles
from articles.models import ImportBatch, ImportFile


class UserCreateError(ValueError):
    """A user could not be created; the message says why, in plain words."""


def user_create(*, username: str, role: str, password: str) -> AbstractUser:
    """Create a user with one role. Admins are staff, so they can use the admin site."""
    if role not in roles.ROLES:
        raise UserCreateError(f"Unknown role {role!r}: choose one of {', '.join(roles.ROLES)}.")
    User = get_user_model()
    username = username.strip()
    if not username:
        raise UserCreateError("The username must not be empty.")
    candidate = User(username=username, is_staff=(role == roles.ADMIN))
    try:
        User._meta.get_field("username").run_validators(username)
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise UserCreateError(" ".join(error.messages)) from error
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise UserCreateError(f"A user named {username!r} already exists.")
        candidate.set_password(password)
        candidate.save()
        candidate.groups.add(Group.objects.get(name=role))
    return candidate


@dataclass(frozen=True, slots=True)
class BatchProgress:
    files_total: int
    files_done: int
    imported: int
    duplicate: int
    failed: int
    status: str


def import_batch_refresh(*, batch_id: int) -> BatchProgress:
    """Recount a batch's counters from its files' rows and finish it when none is pending.

    Idempotent: the counters are derived from the ImportFile rows, never incremented, so a
    redelivered task, two workers at once or a manual rerun all converge on the same
    figures. A batch finishes `done` even when some of its files failed.
    """
    with transaction.atomic():
        # Lock the batch row so that two refreshes cannot interleave their writes.
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        counts = ImportFile.objects.filter(batch_id=batch_id).aggregate(
            total=Count("id"),
            pending=Count("id", filter=Q(status=ImportFile.Status.PENDING)),
            imported=Count("id", filter=Q(status=ImportFile.Status.IMPORTED)),
            duplicate=Count("id", filter=Q(status=ImportFile.Status.DUPLICATE)),
            failed=Count("id", filter=Q(status=ImportFile.Status.FAILED)),
        )
        batch.files_total = counts["total"]
        batch.imported = counts["imported"]
        batch.duplicate = counts["duplicate"]
        batch.failed = counts["failed"]
        batch.files_done = batch.imported + batch.duplicate + batch.failed
        now = timezone.now()
        if batch.status in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING):
            if counts["pending"] == 0:
                batch.status = ImportBatch.Status.DONE
                batch.finished_at = now
                batch.started_at = batch.started_at or now
            elif batch.files_done:
                batch.status = ImportBatch.Status.RUNNING
                batch.started_at = batch.started_at or now
        batch.save()
    return BatchProgress(
        files_total=batch.files_total,
        files_done=batch.files_done,
        imported=batch.imported,
        duplicate=batch.duplicate,
        failed=batch.failed,
        status=batch.status,
    )
