from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from articles.management.commands import demo
from articles.models import Article

pytestmark = pytest.mark.django_db

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples").glob("*.txt"))


def test_first_run_demo_creates_the_users_and_imports_the_samples(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert Article.objects.count() == len(SAMPLES) >= 8
    assert "Demo analyst: log in as analyst / " in out
    assert "Demo admin: log in as admin / " in out
    User = get_user_model()
    assert User.objects.get(username="admin").is_staff
    assert User.objects.get(username="analyst").groups.get().name == "analyst"

    call_command("demo")  # again: the users exist, the samples are duplicates
    out = capsys.readouterr().out
    assert "0 articles" in out
    assert "Demo" not in out
    assert Article.objects.count() == len(SAMPLES)


def test_first_run_demo_does_nothing_on_a_database_with_users(capsys, monkeypatch):
    monkeypatch.setattr(demo, "embedded_default", lambda: True)
    get_user_model().objects.create_user("someone")
    call_command("demo", "--if-empty")
    assert capsys.readouterr().out == ""
    assert Article.objects.count() == 0


def test_first_run_demo_runs_on_an_empty_embedded_database_only(capsys, monkeypatch):
    monkeypatch.setattr(demo, "embedded_default", lambda: False)
    call_command("demo", "--if-empty")
    assert capsys.readouterr().out == ""
    assert not get_user_model().objects.exists()

    monkeypatch.setattr(demo, "embedded_default", lambda: True)
    call_command("demo", "--if-empty")
    assert "Demo analyst: log in as analyst / " in capsys.readouterr().out
    assert Article.objects.count() == len(SAMPLES)


def test_demo_never_runs_under_production_settings(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("demo")
    assert not get_user_model().objects.exists()
