"""What the OpenAPI schema promises about values, checked against what the API's forms and
serializers take, in milliseconds (test_schemathesis.py holds the live API to it, slowly).

The schema's text patterns are read by three regular expression engines: Python's (the
forms' trimming and hypothesis' generation) and Rust's (schemathesis validates with
jsonschema-rs); all three must agree with what Django and DRF accept.
"""

import re

import jsonschema_rs
import pytest
from django import forms
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from newsdesk.api import NOT_BLANK, NOT_EMPTY, trimmed_text

# Characters where the engines and str.strip() could disagree: white space of every kind
# (to Python, \x1c-\x1f and \x85 are, the byte-order mark is not), NUL, and plain text.
SPACES = [chr(c) for c in range(0x3001) if chr(c).isspace()]
TRICKY = st.text(st.sampled_from([*SPACES, "\ufeff", "\x00", "a", "b"]))


def agrees(pattern: str, text: str) -> bool:
    """Whether Python's and Rust's engines both take `text`; asserts they agree."""
    python = re.search(pattern, text) is not None
    rust = jsonschema_rs.validator_for({"type": "string", "pattern": pattern}).is_valid(text)
    assert python == rust, (pattern, text)
    return python


def form_takes(field: forms.Field, text: str) -> bool:
    try:
        field.clean(text)
    except forms.ValidationError:
        return False
    return True


def drf_takes(field: serializers.Field, text: str) -> bool:
    try:
        field.run_validation(text)
    except serializers.ValidationError:
        return False
    return True


@settings(max_examples=300, derandomize=True, deadline=None)
@given(TRICKY)
def test_a_text_parameter_takes_what_a_form_field_takes(text):
    assert agrees(NOT_BLANK, text) == form_takes(forms.CharField(), text)
    assert agrees(trimmed_text(3), text) == form_takes(forms.CharField(max_length=3), text)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(TRICKY)
def test_a_body_text_field_takes_what_drf_takes(text):
    assert agrees(NOT_BLANK, text) == drf_takes(serializers.CharField(), text)
    keeps_space = serializers.CharField(trim_whitespace=False)
    assert agrees(NOT_EMPTY, text) == drf_takes(keeps_space, text)
    # A field that allows blank: drf-spectacular offers "" beside the pattern.
    may_be_blank = serializers.CharField(allow_blank=True)
    assert (text == "" or agrees(NOT_EMPTY, text)) == drf_takes(may_be_blank, text)


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def parameter(schema, path: str, name: str, method: str = "get") -> dict:
    parameters = schema["paths"][path][method]["parameters"]
    return next(p["schema"] for p in parameters if p["name"] == name)


def body_field(schema, component: str, name: str) -> dict:
    return schema["components"]["schemas"][component]["properties"][name]


def test_ids_are_whole_numbers_from_one_wherever_they_are_filters(schema):
    for path, name in [
        ("/api/v1/articles/", "outlet"),
        ("/api/v1/quotes/", "speaker"),
        ("/api/v1/annotations/", "article"),
        ("/api/v1/analysis/timeline/", "actor"),
    ]:
        assert parameter(schema, path, name) == {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 2**63 - 1,
        }, (path, name)


def test_text_that_must_not_be_blank_says_so(schema):
    assert parameter(schema, "/api/v1/articles/", "q")["pattern"] == NOT_BLANK
    assert parameter(schema, "/api/v1/analysis/network/", "q")["pattern"] == trimmed_text(300)
    assert body_field(schema, "EntityWrite", "name")["pattern"] == NOT_BLANK
    assert body_field(schema, "QuoteWrite", "exact")["pattern"] == NOT_EMPTY
    # The cursor of DRF's own pages takes an empty value; ours does not.
    assert "pattern" not in parameter(schema, "/api/v1/quotes/", "cursor")
    assert parameter(schema, "/api/v1/annotations/", "cursor")["pattern"] == NOT_BLANK


def test_the_assignments_page_size_has_the_bounds_it_is_checked_with(schema):
    size = parameter(schema, "/api/v1/assignments/", "page_size")
    assert (size["minimum"], size["maximum"]) == (1, 1000)


def test_a_created_row_links_to_what_takes_its_id_and_etag(schema):
    links = schema["paths"]["/api/v1/quotes/"]["post"]["responses"]["201"]["links"]
    assert set(links) == {
        "quotes_retrieve",
        "quotes_partial_update",
        "quotes_destroy",
        "quotes_accept_create",
        "quotes_reject_create",
    }
    assert links["quotes_partial_update"] == {
        "operationId": "quotes_partial_update",
        "parameters": {"path.id": "$response.body#/id", "header.If-Match": "$response.header.ETag"},
    }
    assert links["quotes_retrieve"]["parameters"] == {"path.id": "$response.body#/id"}
    accepted = schema["paths"]["/api/v1/mentions/{id}/accept/"]["post"]["responses"]["200"]
    assert "mentions_accept_create" not in accepted["links"]
    assert "mentions_partial_update" in accepted["links"]


def test_an_empty_format_is_the_default_format_as_the_schema_says(schema, people):
    assert "" in parameter(schema, "/api/v1/statements/", "format")["enum"]
    response = people.client("analyst_a").get("/api/v1/statements/", {"format": ""})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
