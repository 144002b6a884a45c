"""The `nd:` vocabulary: Newsdesk's own terms in its W3C Web Annotations, as an RDFS
vocabulary, served as a JSON-LD document at its IRI, `/api/v1/vocab`.

The annotations' context (annotations.w3c_sql.context) maps the `newsdesk` member to
`nd:record`, kept as a JSON literal (`@type: @json`): JSON-LD processors carry it as it
is and plain JSON clients read it alike. So `nd:record` is the one term an annotation's
RDF uses; the record's members (`type`, `status`, `speaker`, ...) are named here too, so
that what each one means has an address, and a term's IRI (`<prefix>speaker`) leads to
the document that says.

Hash, not slash: the prefix is the document's IRI and `#`, so every term's IRI is the
document plus a fragment, which a client never sends: `<prefix>speaker` is fetched as
the document itself, and one small document (one request, cached) defines every term. A
slash vocabulary would need an answer, or a 303 redirect, at every term's own path
(W3C, "Best Practice Recipes for Publishing RDF Vocabularies", recipe 1, and "Cool URIs
for the Semantic Web", 4.1: hash URIs for small, stable vocabularies).

Plain Python, no Django: the document is built for the server's address (`base`, ending
in /), as the annotations' IRIs are.
"""

from typing import Any

# The document's path from the server's root, and the terms' prefix: `<base>api/v1/vocab#`.
PATH = "api/v1/vocab"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
OA = "http://www.w3.org/ns/oa#"


def iri(base: str) -> str:
    """The vocabulary's (the document's) IRI on a server at `base`."""
    return f"{base}{PATH}"


def prefix(base: str) -> str:
    """What `nd:` stands for: the document's IRI and a fragment's `#`."""
    return f"{iri(base)}#"


# (name, label, comment, superclass) of each class.
CLASSES: tuple[tuple[str, str, str, str | None], ...] = (
    (
        "Record",
        "Newsdesk record",
        "What Newsdesk keeps of an annotation beyond the Web Annotation model: its kind, its "
        "row's id, its article, review status and origin, and the kind's own fields. An "
        "annotation carries it under nd:record as a JSON literal; its members are this "
        "vocabulary's properties.",
        None,
    ),
    (
        "Quote",
        "quote",
        "The record of a quote: words reported as someone's, with the speaker, the cue "
        "(said, told) and whether the quote is direct, indirect or mixed. A record whose "
        'nd:type is "quote".',
        "Record",
    ),
    (
        "Stance",
        "stance",
        "The record of a stance: who (the holder) supports, opposes, or is neutral or mixed "
        "on whom or what (the target), read from the annotated words. A record whose "
        'nd:type is "stance".',
        "Record",
    ),
    (
        "Note",
        "note",
        "The record of an analyst's note on an article, on a span of it, or on a quote or a "
        "stance. The note's text is the annotation's commenting body. A record whose "
        'nd:type is "note".',
        "Record",
    ),
    (
        "Mention",
        "mention",
        "The record of a mention: a span of the article that names an entity. A record "
        'whose nd:type is "mention".',
        "Record",
    ),
    (
        "Entity",
        "entity",
        "A real-world actor (a person, an organisation, a country, ...) with one identity "
        "across the corpus, as a record names it: an object of its nd:id and nd:name. It is "
        "/api/v1/entities/{id}/ on the same server.",
        None,
    ),
)

INTEGER = "xsd:integer"
STRING = "xsd:string"

# (name, label, comment, domain, range) of each property; a domain or range of None is
# left unsaid (the term is used on more than one class, or holds more than one kind of
# value). A name without a prefix is this vocabulary's; the prefixes are the document's.
PROPERTIES: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    (
        "record",
        "Newsdesk record",
        "Newsdesk's own record of the annotation (an nd:Record), carried as a JSON literal "
        "under the member `newsdesk`, so that JSON-LD processors keep it as it is.",
        "oa:Annotation",
        "rdf:JSON",
    ),
    (
        "type",
        "kind",
        'Which kind of record this is: "quote", "stance", "note" or "mention" (nd:Quote, '
        "nd:Stance, nd:Note, nd:Mention). With nd:id, the record's key, as in the "
        "annotation's IRI (/api/v1/annotations/{type}-{id}/).",
        "Record",
        STRING,
    ),
    (
        "id",
        "id",
        "The row's id among its kind's (a record's), or the entity's id (an nd:Entity's): a "
        "whole number from 1.",
        None,
        INTEGER,
    ),
    (
        "article",
        "article",
        "The id of the article the annotation is on (/api/v1/articles/{id}/, the target's source).",
        "Record",
        INTEGER,
    ),
    (
        "status",
        "review status",
        'Where review has got to: "suggested" (the machine\'s, not reviewed yet), '
        '"confirmed" or "rejected". An analyst\'s own work, and every note, is confirmed. '
        "For an analyst who codes an article blind, their own decision on a suggestion.",
        "Record",
        STRING,
    ),
    (
        "origin",
        "origin",
        'Who made it: "machine" (the extractor\'s suggestion) or "analyst".',
        "Record",
        STRING,
    ),
    (
        "kind",
        "quote kind",
        'How the words are reported: "direct" (in quotation marks), "indirect" (reported '
        'speech) or "mixed".',
        "Quote",
        STRING,
    ),
    (
        "speaker",
        "speaker",
        "The entity the quote is attributed to; null when no one is named.",
        "Quote",
        "Entity",
    ),
    (
        "speaker_start",
        "speaker start",
        "Where the speaker's name starts in the article's body (a character offset, as the "
        "TextPositionSelector's), or null.",
        "Quote",
        INTEGER,
    ),
    (
        "speaker_end",
        "speaker end",
        "Where the speaker's name ends in the article's body (exclusive), or null.",
        "Quote",
        INTEGER,
    ),
    (
        "cue",
        "cue",
        'The reporting verb or phrase that marks the quote ("said", "told reporters"); '
        "empty when there is none.",
        "Quote",
        STRING,
    ),
    (
        "cue_start",
        "cue start",
        "Where the cue starts in the article's body, or null.",
        "Quote",
        INTEGER,
    ),
    (
        "cue_end",
        "cue end",
        "Where the cue ends in the article's body (exclusive), or null.",
        "Quote",
        INTEGER,
    ),
    (
        "statement",
        "statement",
        "The id of the statement the quote is a variant of: the same utterance as other "
        "articles report it (/api/v1/statements/{id}/), or null.",
        "Quote",
        INTEGER,
    ),
    (
        "holder",
        "holder",
        "The entity that holds the stance.",
        "Stance",
        "Entity",
    ),
    (
        "target",
        "target",
        "The entity the stance is on; null when it is on a topic (nd:target_text).",
        "Stance",
        "Entity",
    ),
    (
        "target_text",
        "target topic",
        "The topic the stance is on, in words, when its target is not an entity; else empty.",
        "Stance",
        STRING,
    ),
    (
        "polarity",
        "polarity",
        'The stance\'s polarity: a slug of the stance vocabulary ("support", "oppose", '
        '"neutral", "mixed", and what admins add; /api/v1/vocabulary/).',
        "Stance",
        STRING,
    ),
    (
        "note",
        "stance note",
        "The analyst's note on the stance; empty when there is none. (A note of its own is "
        "an nd:Note, its text the annotation's body.)",
        "Stance",
        STRING,
    ),
    (
        "quote",
        "quote",
        "The id of the quote a stance is read from, or a note is on (/api/v1/quotes/{id}/); "
        "null when none.",
        "Record",
        INTEGER,
    ),
    (
        "stance",
        "stance",
        "The id of the stance a note is on (/api/v1/stances/{id}/), or null.",
        "Note",
        INTEGER,
    ),
    (
        "entity",
        "entity",
        "The entity a mention names.",
        "Mention",
        "Entity",
    ),
    (
        "name",
        "name",
        "An entity's canonical name.",
        "Entity",
        STRING,
    ),
)


def _ref(name: str | None) -> dict[str, str] | None:
    if name is None:
        return None
    return {"@id": name if ":" in name else f"nd:{name}"}


def document(base: str) -> dict[str, Any]:
    """The vocabulary as a JSON-LD document (compacted: prefixes in its context), for a
    server at `base`."""
    vocabulary = iri(base)
    defined_by = {"@id": vocabulary}
    graph: list[dict[str, Any]] = [
        {
            "@id": vocabulary,
            "@type": "owl:Ontology",
            "rdfs:label": "Newsdesk vocabulary",
            "rdfs:comment": (
                "Newsdesk's own terms in its W3C Web Annotations "
                "(https://www.w3.org/TR/annotation-model/): the record each annotation "
                "carries under nd:record, its kinds and its members."
            ),
            "rdfs:seeAlso": {"@id": f"{base}api/v1/docs/"},
        }
    ]
    for name, label, comment, parent in CLASSES:
        term: dict[str, Any] = {
            "@id": f"nd:{name}",
            "@type": "rdfs:Class",
            "rdfs:label": label,
            "rdfs:comment": comment,
            "rdfs:isDefinedBy": defined_by,
        }
        if parent is not None:
            term["rdfs:subClassOf"] = _ref(parent)
        graph.append(term)
    for name, label, comment, domain, value in PROPERTIES:
        term = {
            "@id": f"nd:{name}",
            "@type": "rdf:Property",
            "rdfs:label": label,
            "rdfs:comment": comment,
            "rdfs:isDefinedBy": defined_by,
        }
        if domain is not None:
            term["rdfs:domain"] = _ref(domain)
        if value is not None:
            term["rdfs:range"] = _ref(value)
        graph.append(term)
    return {
        "@context": {
            "rdf": RDF,
            "rdfs": RDFS,
            "xsd": XSD,
            "owl": OWL,
            "oa": OA,
            "nd": prefix(base),
        },
        "@graph": graph,
    }
