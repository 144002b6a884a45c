"""Worker start-up for the machine's first pass (the tasks that run it are the articles
app's: `articles.tasks.extract_articles` calls settings.INGEST_EXTRACTOR)."""

from typing import Any

from celery.signals import worker_init

from annotations.services.suggestions import suggestions_create
from articles.services.extraction import extractor


@worker_init.connect
def _load_text_model_before_forking(**kwargs: Any) -> None:
    # The spaCy pipeline, loaded once in the parent and shared by every pool process,
    # when the extractor is this app's (it uses it).
    if extractor() is suggestions_create:
        from articles.nlp import model

        model.load()
