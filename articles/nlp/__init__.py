"""Plain-Python extraction: entities with their actors, quotes with their speakers.

No Django ORM here (STYLE.md): strings in, frozen dataclasses out, so the code runs in any
worker and is tested without a database. The spaCy pipeline is loaded once per process
(`model.load`) and run with `nlp.pipe` in batches.
"""

from articles.nlp.results import EntityMention, Extraction, QuoteSpan, StanceSpan

__all__ = ["EntityMention", "Extraction", "QuoteSpan", "StanceSpan"]
