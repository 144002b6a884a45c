from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from articles.models import Article

pytestmark = pytest.mark.django_db

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples").glob("*.txt"))


def test_first_run_demo_creates_the_users_and_imports_the_samples(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert Article.objects.count() == len(SAMPLES) >= 8
    assert "Demo analyst: log in as analyst / quote-and-stance" in out
    assert "Demo admin: log in as admin / import-and-review" in out
    User = get_user_model()
    assert User.objects.get(username="admin").is_staff
    assert User.objects.get(username="analyst").groups.get().name == "analyst"

    call_command("demo")  # again: the users exist, the samples are duplicates
    out = capsys.readouterr().out
    assert "0 articles" in out
    assert "Demo analyst: log in as analyst / quote-and-stance" in out
    assert User.objects.filter(username__in=["admin", "analyst"]).count() == 2
    assert Article.objects.count() == len(SAMPLES)


def test_every_start_on_the_embedded_database_shows_the_demo_logins(capsys, settings):
    settings.EMBEDDED_DATABASE = True
    call_command("demo", "--if-empty")  # the first start: users, samples and logins
    first = capsys.readouterr().out
    assert "Imported batch" in first
    assert "Demo analyst: log in as analyst / quote-and-stance" in first

    call_command("demo", "--if-empty")  # a later start: the logins only, nothing imported
    assert capsys.readouterr().out.splitlines() == [
        "Demo analyst: log in as analyst / quote-and-stance",
        "Demo admin: log in as admin / import-and-review",
    ]
    assert Article.objects.count() == len(SAMPLES)


def test_a_demo_login_whose_password_changed_is_not_shown(capsys, settings):
    settings.EMBEDDED_DATABASE = True
    call_command("demo", "--if-empty")
    capsys.readouterr()
    analyst = get_user_model().objects.get(username="analyst")
    analyst.set_password("a passphrase of her own")
    analyst.save()
    call_command("demo", "--if-empty")
    assert capsys.readouterr().out.splitlines() == [
        "Demo admin: log in as admin / import-and-review"
    ]


def test_first_run_demo_does_nothing_on_a_database_with_users(capsys, settings):
    settings.EMBEDDED_DATABASE = True
    get_user_model().objects.create_user("someone")
    call_command("demo", "--if-empty")
    assert capsys.readouterr().out == ""
    assert Article.objects.count() == 0


def test_first_run_demo_runs_on_the_embedded_database_only(capsys, settings):
    settings.EMBEDDED_DATABASE = False  # DATABASE_URL names a server
    call_command("demo", "--if-empty")
    assert capsys.readouterr().out == ""
    assert not get_user_model().objects.exists()

    settings.EMBEDDED_DATABASE = True
    call_command("demo", "--if-empty")
    assert "Demo analyst: log in as analyst / " in capsys.readouterr().out
    assert Article.objects.count() == len(SAMPLES)


def test_demo_never_runs_under_production_settings(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("demo")
    assert not get_user_model().objects.exists()
