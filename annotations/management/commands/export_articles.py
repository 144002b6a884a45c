"""python manage.py export_articles [--format jsonl]: one JSON object per article."""

import json
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from annotations.selectors.export import articles_export
from articles.models import Origin


class Command(BaseCommand):
    help = (
        "Print every article as one JSON object per line: id, source_file, title, outlet, "
        "url, published_at, body, story, content_hash, entities with their mentions, "
        "quotes with speaker and offsets, and stances with holder, target and polarity. "
        "Streams: memory does not grow with the corpus."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["jsonl"], default="jsonl")
        parser.add_argument(
            "--layer",
            choices=Origin.values,
            help="Only this layer's quotes and stances: gold (adjudicated), analyst or machine.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        write = self.stdout.write
        try:
            for record in articles_export(layer=options.get("layer")):
                write(json.dumps(record, ensure_ascii=False))
            self.stdout.flush()
        except BrokenPipeError:
            # `export_articles | head`: the reader has what it wanted; stop quietly.
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (silence the exit-time flush)
