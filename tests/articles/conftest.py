"""Fixtures shared by the article tests."""

import pytest
import spacy
from spacy.language import Language

from articles.nlp import model


@pytest.fixture(scope="session")
def shipped() -> Language:
    """The model as shipped, none of Newsdesk's speed-ups: what they must reproduce.
    Read only; a test that changes a pipeline loads its own."""
    return spacy.load(model.model_name())
