"""Serializers that render by hand (for speed) render exactly what DRF renders from their
declared fields."""

import pytest
from rest_framework import serializers

from annotations.models import Stance
from annotations.serializers import StanceSerializer
from tests.api.world import People, World
from tests.factories import StanceFactory, polarity

pytestmark = pytest.mark.django_db


def drf_rendering(serializer_class: type[serializers.ModelSerializer], row) -> dict:
    serializer = serializer_class(row)
    return dict(serializers.ModelSerializer.to_representation(serializer, row))


def test_a_stance_renders_as_its_declared_fields_would(world: World, people: People):
    StanceFactory(
        article=world.article,
        text="welcomed the talks",
        holder=world.keller,
        target_entity=world.ushakov,
        target_text="",
        quote=world.own_quote,
        polarity=polarity("support"),
        note='Warm words <b>with</b> "quotes".',
        created_by=people.users["analyst_b"],
    )
    StanceFactory(article=world.article, created_by=None)  # no author, no target entity
    rows = Stance.objects.select_related("holder", "target_entity", "polarity", "created_by")
    assert rows.count() >= 3
    for row in rows:
        rendered, expected = StanceSerializer(row).data, drf_rendering(StanceSerializer, row)
        assert rendered == expected
        assert list(rendered) == list(expected)  # the same keys in the same order
