"""The project's own samples (samples/), imported as `make run` imports them, against
the expectations written down beside them in samples/EXPECTED.md."""

import pytest
from django.core.management import call_command

from articles.models import ImportFile
from tests.samples_expected import SAMPLES, expectations

pytestmark = pytest.mark.django_db

EXPECTED = expectations()


@pytest.fixture
def imported(capsys) -> dict[str, ImportFile]:
    call_command("demo")
    capsys.readouterr()
    return {f.original_name: f for f in ImportFile.objects.select_related("article")}


def test_every_sample_has_written_expectations():
    assert sorted(EXPECTED) == sorted(p.name for p in SAMPLES.glob("*.txt"))
    assert all(e.get("Keep") for e in EXPECTED.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_is_cleaned_as_expected(imported, name):
    expected = EXPECTED[name]
    file = imported[name]
    assert file.status == "imported", file.error
    article = file.article
    assert article.title == expected["title"]
    lines = [line.strip() for line in article.body.split("\n")]
    for chrome in expected.get("Remove", []) + expected.get("Remove (hard)", []):
        assert chrome not in lines, f"chrome left in {name}: {chrome!r}"
    for headline in expected.get("At most once", []):
        assert lines.count(headline) <= 1, f"headline twice in {name}"
    for sentence in expected["Keep"]:
        assert sentence in article.body, f"body text lost from {name}: {sentence!r}"
    assert "\ufeff" not in article.body
    assert "\r" not in article.body
