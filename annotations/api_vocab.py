"""/api/v1/vocab: the `nd:` vocabulary (annotations.vocab) as a JSON-LD document, at the
IRI the annotations' context names.

Public, like any vocabulary a document points to: no sign-in (a JSON-LD tool that follows
`nd:` carries no token), every media type asked for answered with the document (a browser
that opens a term's IRI asks for HTML, and still gets the definition, not a 406), cached
by anyone for a day and revalidated by its ETag, and readable from other origins (CORS)
by JSON-LD tools in a browser. The anonymous rate limit still applies."""

import hashlib
import json
from typing import Any

from django.http import HttpResponse, HttpResponseNotModified
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from annotations import vocab
from newsdesk.api import JSONLDRenderer

# How long anyone may keep the document without asking again.
MAX_AGE = 24 * 60 * 60


class AlwaysTheDocument(BaseContentNegotiation):
    """JSON-LD whatever the Accept header or `?format=` says: there is one form of it."""

    def select_renderer(
        self, request: Request, renderers: list[Any], format_suffix: str | None = None
    ) -> tuple[Any, str]:
        return renderers[0], renderers[0].media_type

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return None


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


VOCAB_SCHEMA = {
    "type": "object",
    "description": (
        "A JSON-LD document: `@context` (the prefixes, `nd` among them) and `@graph`, the "
        "vocabulary (an owl:Ontology) and each term: an rdfs:Class or an rdf:Property with "
        "its rdfs:label, rdfs:comment, and where they hold rdfs:domain and rdfs:range."
    ),
    "required": ["@context", "@graph"],
    "properties": {
        "@context": {"type": "object", "additionalProperties": {"type": "string"}},
        "@graph": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["@id", "@type", "rdfs:label", "rdfs:comment"],
                "additionalProperties": True,
            },
        },
    },
}


class VocabularyView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    renderer_classes = [JSONLDRenderer]
    content_negotiation_class = AlwaysTheDocument

    @extend_schema(
        operation_id="vocab_retrieve",
        summary="The nd: vocabulary of the annotations' JSON-LD (public)",
        description=(
            "The terms the W3C Web Annotations' context names with the `nd:` prefix "
            "(`nd:record`, which carries Newsdesk's record of an annotation, the record's "
            "kinds and members), defined as RDFS classes and properties in one JSON-LD "
            "document. Its IRI is this URL; `nd:` is this URL and `#`, so every term's IRI "
            "(`…/api/v1/vocab#speaker`) is this document. No sign-in; any Accept gets the "
            "document; `Cache-Control: public`, and `If-None-Match` with its ETag is "
            "answered 304."
        ),
        auth=[],
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The ETag you have: unchanged, the answer is 304 with no body.",
            )
        ],
        responses={
            (200, "application/ld+json"): VOCAB_SCHEMA,
            304: OpenApiResponse(description="Unchanged since the ETag you sent."),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        document = vocab.document(request.build_absolute_uri("/"))
        body = json.dumps(document, ensure_ascii=False, indent=1).encode()
        tag = _etag(body)
        sent = {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}
        response: HttpResponse
        if tag in sent or "*" in sent:
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(body, content_type=JSONLDRenderer.media_type)
        response["ETag"] = tag
        response["Cache-Control"] = f"public, max-age={MAX_AGE}"
        response["Access-Control-Allow-Origin"] = "*"
        return response
