"""Serializers that render by hand (for speed) render exactly what DRF renders from their
declared fields."""

import pytest
from rest_framework import serializers

from annotations.models import Stance
from annotations.serializers import StanceSerializer
from tests.api.world import People, World, supporting_stance
from tests.factories import StanceFactory

pytestmark = pytest.mark.django_db


def drf_rendering(serializer_class: type[serializers.ModelSerializer], row) -> dict:
    serializer = serializer_class(row)
    return dict(serializers.ModelSerializer.to_representation(serializer, row))


def test_a_stance_renders_as_its_declared_fields_would(world: World, people: People):
    supporting_stance(
        world,
        people.users["analyst_b"],
        quote=world.own_quote,
        note='Warm words <b>with</b> "quotes".',
    )
    StanceFactory(article=world.article, created_by=None)  # no author, no target entity
    rows = Stance.objects.select_related("holder", "target_entity", "polarity", "created_by")
    assert rows.count() >= 3
    for row in rows:
        rendered, expected = StanceSerializer(row).data, drf_rendering(StanceSerializer, row)
        assert rendered == expected
        assert list(rendered) == list(expected)  # the same keys in the same order
