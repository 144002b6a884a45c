"""The `nd:` vocabulary at its IRI (/api/v1/vocab): a public, cacheable JSON-LD document
that defines every `nd:` term the annotations' context and the annotations themselves use,
each once, with its type, label, comment and, where they hold, domain and range; and
every term's IRI is that document."""

import json
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from rest_framework.test import APIClient

from annotations import vocab
from tests.api.world import People, World, span

pytestmark = pytest.mark.django_db

URL = "http://testserver/api/v1/vocab"
PREFIX = URL + "#"
KNOWN = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "oa": "http://www.w3.org/ns/oa#",
}


def fetch(client: APIClient | None = None, url: str = "/api/v1/vocab", **headers: str):
    response = (client or APIClient()).get(url, **headers)
    assert response.status_code == 200, response.content
    return response


def expand(value: str, context: dict[str, str]) -> str:
    """A compact IRI (`prefix:name`) or an absolute one, as a JSON-LD processor reads it
    against the document's context; anything else is not an IRI here."""
    scheme, _, rest = value.partition(":")
    if scheme in context:
        return context[scheme] + rest
    assert urlsplit(value).scheme in ("http", "https"), f"{value!r} is not an IRI"
    return value


def nodes(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The graph's nodes by their expanded IRI; a node defined twice fails."""
    context = document["@context"]
    found: dict[str, dict[str, Any]] = {}
    for node in document["@graph"]:
        key = expand(node["@id"], context)
        assert key not in found, f"{node['@id']} is defined twice"
        found[key] = node
    return found


def terms(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The nodes of nd: terms, by their local name."""
    return {
        iri.removeprefix(PREFIX): node
        for iri, node in nodes(document).items()
        if iri.startswith(PREFIX)
    }


def test_the_iri_answers_a_public_cacheable_json_ld_document():
    response = fetch()  # no token, no session
    assert response["Content-Type"] == "application/ld+json"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["ETag"].startswith('"')
    assert "Set-Cookie" not in response
    document = json.loads(response.content)
    assert set(document) == {"@context", "@graph"}
    # A browser opening a term's IRI asks for HTML, a script may ask for anything: the
    # document is the one answer, never a 406 or a 404 for an unknown format.
    for accept in ("text/html", "application/json", "text/turtle;q=1, */*;q=0.1"):
        assert fetch(HTTP_ACCEPT=accept).content == response.content
    assert fetch(url="/api/v1/vocab?format=csv").content == response.content
    # Unchanged since the ETag: 304, no body.
    again = APIClient().get("/api/v1/vocab", HTTP_IF_NONE_MATCH=response["ETag"])
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", response["ETag"])
    # The slashed path is not the IRI: it is sent there, for good.
    slashed = APIClient().get("/api/v1/vocab/")
    assert (slashed.status_code, slashed["Location"]) == (301, "/api/v1/vocab")


def test_it_changes_nothing_and_refuses_writes(people: People):
    for client in (APIClient(), people.client("admin")):
        refused = client.post("/api/v1/vocab", {"x": 1}, format="json")
        assert refused.status_code == 405
    assert fetch().status_code == 200


def test_the_document_is_json_ld_with_each_term_typed_labelled_and_explained():
    document = json.loads(fetch().content)
    context = document["@context"]
    assert context == {**KNOWN, "nd": PREFIX}
    graph = nodes(document)
    # The vocabulary itself: the document's IRI, the prefix without its `#`.
    ontology = graph[URL]
    assert ontology["@type"] == "owl:Ontology"
    assert ontology["rdfs:label"] == "Newsdesk vocabulary"
    defined = terms(document)
    assert len(defined) == len(graph) - 1, "every other node is an nd: term"
    classes = {name for name, node in defined.items() if node["@type"] == "rdfs:Class"}
    properties = {name for name, node in defined.items() if node["@type"] == "rdf:Property"}
    assert classes | properties == set(defined)
    assert classes == {"Record", "Quote", "Stance", "Note", "Mention", "Entity"}
    for name, node in defined.items():
        assert isinstance(node["rdfs:label"], str), name
        assert node["rdfs:label"].strip(), name
        assert isinstance(node["rdfs:comment"], str), name
        assert len(node["rdfs:comment"]) > 20, name
        assert node["rdfs:isDefinedBy"] == {"@id": URL}, name
        for relation in ("rdfs:domain", "rdfs:range", "rdfs:subClassOf"):
            if relation not in node:
                continue
            target = expand(node[relation]["@id"], context)
            if target.startswith(PREFIX):
                assert target.removeprefix(PREFIX) in classes, (name, relation, target)
            else:
                assert target in {
                    KNOWN["oa"] + "Annotation",
                    KNOWN["rdf"] + "JSON",
                    KNOWN["xsd"] + "integer",
                    KNOWN["xsd"] + "string",
                }, (name, relation, target)
    assert defined["speaker"]["rdfs:domain"] == {"@id": "nd:Quote"}
    assert defined["speaker"]["rdfs:range"] == {"@id": "nd:Entity"}
    assert defined["record"]["rdfs:domain"] == {"@id": "oa:Annotation"}
    assert defined["record"]["rdfs:range"] == {"@id": "rdf:JSON"}
    assert defined["Quote"]["rdfs:subClassOf"] == {"@id": "nd:Record"}


def record_terms(value: Any, found: set[str]) -> set[str]:
    """Every member name of a record, and of the objects nested in it (entities)."""
    if isinstance(value, dict):
        for key, member in value.items():
            found.add(key)
            record_terms(member, found)
    elif isinstance(value, list):
        for member in value:
            record_terms(member, found)
    return found


def nd_strings(value: Any) -> set[str]:
    """Every string in a JSON value that is a compact nd: IRI."""
    if isinstance(value, dict):
        return set().union(*(nd_strings(v) for v in [*value.keys(), *value.values()]))
    if isinstance(value, list):
        return set().union(set(), *(nd_strings(v) for v in value))
    return {value} if isinstance(value, str) and value.startswith("nd:") else set()


def test_every_nd_term_the_context_and_real_annotations_use_is_defined(world: World, people):
    analyst = people.client("analyst_a")
    made = [
        analyst.post(
            "/api/v1/quotes/",
            {
                "article": world.article.pk,
                **span(world.article, "her government welcomed the talks"),
                "speaker": world.keller.pk,
                "cue": "said",
            },
            format="json",
        ),
        analyst.post(
            "/api/v1/stances/",
            {
                "article": world.article.pk,
                **span(world.article, "welcomed the talks"),
                "holder": world.keller.pk,
                "target": world.ushakov.pk,
                "polarity": "support",
                "note": "Warm, for now.",
            },
            format="json",
        ),
        analyst.post(
            "/api/v1/notes/",
            {"article": world.article.pk, "text": "Check the readout.", "stance": None},
            format="json",
        ),
    ]
    assert [response.status_code for response in made] == [201, 201, 201]
    page = people.client("api_client").get("/api/v1/annotations/?format=jsonld").json()
    annotations = page["items"]
    assert {a["newsdesk"]["type"] for a in annotations} == {"mention", "quote", "stance", "note"}
    document = json.loads(fetch().content)
    defined = terms(document)

    used: set[str] = set()
    members: set[str] = set()
    for annotation in annotations:
        context = annotation["@context"]
        assert context[0] == "http://www.w3.org/ns/anno.jsonld"
        own = context[1]
        # The prefix is exactly the served document's IRI and `#`.
        assert own["nd"] == PREFIX
        assert urldefrag(own["nd"]).url == URL
        for name, definition in own.items():
            if name == "nd":
                continue
            iri = definition["@id"] if isinstance(definition, dict) else definition
            assert iri.startswith("nd:"), (name, iri)
            used.add(iri.removeprefix("nd:"))
        # Anywhere else in the annotation, an nd: IRI would be a term too.
        rest = {key: value for key, value in annotation.items() if key != "@context"}
        used |= {term.removeprefix("nd:") for term in nd_strings(rest)}
        record = annotation["newsdesk"]
        members |= record_terms(record, set())
        # The record's kind is one of the vocabulary's classes.
        assert record["type"].capitalize() in defined
    assert used == {"record"}
    missing = (used | members) - set(defined)
    assert not missing, f"used but not defined: {sorted(missing)}"
    # Nor does the vocabulary define members no record has (a stale term).
    properties = {n for n, node in defined.items() if node["@type"] == "rdf:Property"}
    assert properties == members | {"record"}


def test_a_term_iri_resolves_to_the_document_that_defines_it():
    for term in ("speaker", "record", "Quote", "target_text"):
        iri = PREFIX + term
        document_url, fragment = urldefrag(iri)
        assert fragment == term
        response = fetch(url=document_url.removeprefix("http://testserver"))
        assert response.request["PATH_INFO"] == "/api/v1/vocab"
        assert term in terms(json.loads(response.content))


def test_the_prefix_follows_the_server_s_address(settings):
    settings.ALLOWED_HOSTS = ["newsdesk.example.org"]
    response = APIClient().get("/api/v1/vocab", HTTP_HOST="newsdesk.example.org", secure=True)
    document = json.loads(response.content)
    assert document["@context"]["nd"] == "https://newsdesk.example.org/api/v1/vocab#"
    assert vocab.prefix("https://newsdesk.example.org/") == document["@context"]["nd"]
    assert document["@graph"][0]["@id"] == "https://newsdesk.example.org/api/v1/vocab"


def test_it_is_in_the_openapi_schema_as_public_json_ld(people: People):
    schema = people.client("analyst_a").get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/vocab"]["get"]
    assert operation["operationId"] == "vocab_retrieve"
    assert "application/ld+json" in operation["responses"]["200"]["content"]
    assert "304" in operation["responses"]
    # No sign-in asked for.
    assert operation.get("security") in (None, [], [{}])
    assert set(schema["paths"]["/api/v1/vocab"]) == {"get"}
