import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from newsdesk import roles

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "a long enough test password"


def _perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_the_data_migration_creates_the_three_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {"analyst", "admin", "api-client"}


def test_api_client_can_only_view():
    perms = _perms(roles.API_CLIENT)
    assert "annotations.view_quote" in perms
    assert "articles.view_article" in perms
    assert all(p.split(".")[1].startswith("view_") for p in perms)


def test_analyst_annotates_and_reviews_but_does_not_import_or_delete_articles():
    perms = _perms(roles.ANALYST)
    assert {
        "annotations.add_quote",
        "annotations.change_quote",
        "annotations.delete_quote",
        "annotations.add_stance",
        "annotations.add_note",
        "articles.change_mention",
        "articles.change_entity",
        "articles.view_article",
    } <= perms
    assert "articles.delete_article" not in perms
    assert "articles.add_importbatch" not in perms
    assert "auth.add_user" not in perms


def test_admin_manages_everything_including_users_and_the_vocabulary():
    perms = _perms(roles.ADMIN)
    assert {
        "articles.add_importbatch",
        "articles.delete_article",
        "annotations.add_polarity",
        "annotations.change_polarity",
        "auth.add_user",
        "auth.change_group",
    } <= perms


@pytest.mark.parametrize("role", roles.ROLES)
def test_adduser_creates_a_user_with_the_role_in_one_step(role, capsys):
    call_command("adduser", "maria", role=role, password=PASSWORD)
    user = User.objects.get(username="maria")
    assert user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == [role]
    assert user.is_staff is (role == roles.ADMIN)
    assert not user.is_superuser
    assert roles.role_of(user) == role
    assert f"Created {role} 'maria'" in capsys.readouterr().out


def test_adduser_makes_an_analyst_a_lead(capsys):
    call_command("adduser", "lena", role="analyst", password=PASSWORD, lead=True)
    user = User.objects.get(username="lena")
    assert sorted(user.groups.values_list("name", flat=True)) == [roles.ANALYST, roles.LEAD]
    assert roles.is_lead(User.objects.get(username="lena"))
    assert user.has_perm("annotations.lead_team")
    assert "Created analyst (lead) 'lena'" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Only an analyst is made a lead"):
        call_command("adduser", "otto", role="api-client", password=PASSWORD, lead=True)
    assert not User.objects.filter(username="otto").exists()


def test_adduser_refuses_an_unknown_role_and_creates_nothing(capsys):
    with pytest.raises(CommandError, match="invalid choice: 'editor'"):
        call_command("adduser", "maria", role="editor", password=PASSWORD)
    assert not User.objects.filter(username="maria").exists()


@pytest.mark.parametrize("taken", ["maria", "MARIA"])
def test_adduser_refuses_a_taken_name_and_changes_nothing(taken):
    call_command("adduser", "maria", role="analyst", password=PASSWORD)
    before = list(User.objects.values_list("username", "password"))
    with pytest.raises(CommandError, match=r"A user named .* already exists"):
        call_command("adduser", taken, role="admin", password="another long password")
    assert list(User.objects.values_list("username", "password")) == before
    assert roles.role_of(User.objects.get(username="maria")) == roles.ANALYST


def test_adduser_refuses_a_weak_password_with_the_reasons():
    with pytest.raises(CommandError, match="too short"):
        call_command("adduser", "maria", role="analyst", password="1234")
    assert not User.objects.exists()


def test_adduser_without_a_password_and_no_terminal_says_how_to_give_one(monkeypatch):
    monkeypatch.delenv("NEWSDESK_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: False)
    with pytest.raises(CommandError, match="Give --password"):
        call_command("adduser", "maria", role="analyst")
    assert not User.objects.exists()


def test_a_superuser_counts_as_admin_and_a_user_without_groups_has_no_role():
    assert roles.role_of(User.objects.create_superuser("root", password=PASSWORD)) == "admin"
    assert roles.role_of(User.objects.create_user("nobody", password=PASSWORD)) is None
