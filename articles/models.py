import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThan
from simple_history.models import HistoricalRecords

from articles.anchoring import CONTEXT_CHARS


class Origin(models.TextChoices):
    MACHINE = "machine", "Machine"
    ANALYST = "analyst", "Analyst"
    # Adjudicated: settled from analysts' versions by a lead or an admin (quotes, stances).
    GOLD = "gold", "Gold"


class ReviewStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # `updated_since` syncs

    class Meta:
        abstract = True


class AnchoredSpan(models.Model):
    """A character span of an article's body with its W3C TextQuoteSelector.

    `start`/`end` are offsets into `article.body`; `exact`, `prefix` and `suffix` are the
    text there and up to 32 characters either side. The table constraints below hold the
    arithmetic; `articles.dbguards` triggers check the text against the body itself.
    """

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=CONTEXT_CHARS, blank=True)
    suffix = models.CharField(max_length=CONTEXT_CHARS, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(start__lt=F("end")),
                name="%(app_label)s_%(class)s_span_in_order",
                violation_error_message="A span must have 0 <= start < end.",
            ),
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("exact")),
                name="%(app_label)s_%(class)s_exact_fits_span",
                violation_error_message="The exact text must be as long as the span.",
            ),
        ]

    @property
    def selector(self) -> dict[str, str]:
        return {
            "type": "TextQuoteSelector",
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
        }


class Outlet(TimeStamped):
    name = models.CharField(max_length=200, unique=True)
    domain = models.CharField(max_length=253, blank=True, help_text="e.g. scmp.com")
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Story(TimeStamped):
    """Articles from several outlets covering the same event."""

    label = models.CharField(max_length=300)
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Undated stories (grouped by content alone) after the dated ones, not first.
        ordering = [F("last_seen").desc(nulls_last=True), "-id"]
        verbose_name_plural = "stories"
        constraints = [
            models.CheckConstraint(
                condition=Q(first_seen__isnull=True)
                | Q(last_seen__isnull=True)
                | Q(first_seen__lte=F("last_seen")),
                name="articles_story_seen_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Article(TimeStamped):
    """One news article. `body` is immutable once stored: every span points into it."""

    title = models.CharField(max_length=500, blank=True)
    body = models.TextField(help_text="Clean text. Never changes once stored.")
    raw_text = models.TextField(blank=True, help_text="The decoded file, page chrome and all.")
    outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The words of the text the date was read from ("on Wednesday, September 20") when the
    # metadata gave none (ingest.dates); empty when it came from the metadata, or when
    # there is no date at all (published_at empty: the article is undated).
    date_stated = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=16, default="en")
    content_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the normalised body (exact dedupe)."
    )
    word_count = models.PositiveIntegerField(default=0)
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    minhash = models.BinaryField(
        blank=True, default=b"", help_text="MinHash signature of the body (near-duplicates)."
    )
    extracted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the machine's first pass last ran on it."
    )
    # Shown on the article's page and in the API. A failed article is not retried by
    # each worker start: an admin's re-extraction clears the reason and tries again.
    extraction_error = models.TextField(
        blank=True, help_text="Why the machine's first pass failed on it, if it did."
    )
    extraction_failed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the machine's first pass last failed on it."
    )
    extraction_offered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its extraction was last queued for a worker (the periodic sweep "
        "queues it again when it is still not done long after).",
    )

    history = HistoricalRecords(
        excluded_fields=[
            "body",
            "raw_text",
            "minhash",
            "extracted_at",
            "extraction_error",
            "extraction_failed_at",
            "extraction_offered_at",
        ]
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # Article list: newest first, optionally within one outlet.
            models.Index(fields=["-published_at", "-id"], name="article_published_idx"),
            models.Index(fields=["outlet", "-published_at"], name="article_outlet_pub_idx"),
            # Worker start: the articles whose extraction never ran (or did not finish).
            models.Index(
                fields=["id"],
                condition=Q(extracted_at__isnull=True),
                name="article_not_extracted_idx",
            ),
            # The article list's facet statement for a search (annotations.selectors.
            # browse._facet_sql): each matching article's outlet, story and date read
            # from the index alone, not from the wide rows (bodies inline).
            models.Index(
                fields=["id"],
                include=["outlet", "story", "published_at"],
                name="article_facets_idx",
            ),
            # Made by migration 0009 in SQL: the newest-first list order's index
            # (published_at DESC NULLS LAST, id DESC) and ArticleSearch's GIN index that
            # `?q=` reads.
        ]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length("body"), 0), name="articles_article_body_not_empty"
            ),
            models.CheckConstraint(
                condition=Exact(Length("content_hash"), 64),
                name="articles_article_hash_is_sha256",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Article {self.pk}"

    @property
    def date_source(self) -> str:
        """Where `published_at` came from: "metadata", "text" or "none" (undated)."""
        if self.published_at is None:
            return "none"
        return "text" if self.date_stated else "metadata"


class EntityKind(models.TextChoices):
    PERSON = "PERSON", "Person"
    ORG = "ORG", "Organisation"
    GPE = "GPE", "Country, city or state"
    LOC = "LOC", "Location"
    NORP = "NORP", "Nationality, religious or political group"
    EVENT = "EVENT", "Event"
    FAC = "FAC", "Facility"
    LAW = "LAW", "Law or treaty"
    OTHER = "OTHER", "Other"


class Entity(TimeStamped):
    """One real-world actor, whatever the spellings it appears under."""

    name = models.CharField(max_length=300, help_text="Canonical name.")
    kind = models.CharField(max_length=16, choices=EntityKind.choices)
    description = models.TextField(blank=True)
    wikidata_id = models.CharField(max_length=20, blank=True, help_text="e.g. Q7747")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "entities"
        indexes = [
            # Entity lookup and autocomplete by kind and canonical name.
            models.Index(fields=["kind", "name"], name="entity_kind_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(wikidata_id="") | Q(wikidata_id__startswith="Q"),
                name="articles_entity_wikidata_id_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class EntityAlias(TimeStamped):
    """A spelling of an entity. `normalised` is unique per kind: one spelling, one actor."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=300)
    normalised = models.CharField(max_length=300)
    # `names.identity_key(normalised)`: spellings that differ only by transliteration
    # ("Yury"/"Yuri", "Zelenskyy"/"Zelensky") share it, so the extractor finds the actor.
    key = models.CharField(max_length=300, blank=True)
    # Copied from the entity so that the database can hold "unique per kind".
    kind = models.CharField(max_length=16, choices=EntityKind.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "entity aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "normalised"],
                name="articles_entityalias_unique_per_kind",
                violation_error_message="This spelling already names an entity of this kind.",
            ),
        ]
        indexes = [
            # Extraction: which actor does this new spelling belong to?
            models.Index(fields=["kind", "key"], name="entityalias_kind_key_idx"),
        ]

    def __str__(self) -> str:
        return self.alias


class EntityJoin(models.Model):
    """An automatic join of two spellings into one actor, and why: the extractor's
    second pass (`services.entities.entities_reconcile`) made `joined_name` one with
    `entity`. Shown on the entity's page; an analyst may undo it (`entity_split`)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="joins")
    joined_name = models.CharField(max_length=300)
    joined_kind = models.CharField(max_length=16, choices=EntityKind.choices)
    # The joined entity's spellings (normalised), which a split gives back.
    spellings = models.JSONField(default=list, blank=True)
    reason = models.TextField(help_text="The rule and the evidence, in words.")
    similarity = models.FloatField(null=True, blank=True)
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.joined_name} -> {self.entity_id}"


class EntityApart(models.Model):
    """Two names an analyst said are different actors (normalised, `first` < `second`):
    no automatic join ever makes them one again."""

    kind = models.CharField(max_length=16, choices=EntityKind.choices)
    first = models.CharField(max_length=300)
    second = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="entityapart_unique_pair"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="entityapart_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.first} != {self.second}"


class Mention(AnchoredSpan, TimeStamped):
    """A place in an article that names an entity."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="mentions")
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.MACHINE)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.SUGGESTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta(AnchoredSpan.Meta):
        ordering = ["article", "start", "end"]
        indexes = [
            # The sync feed and updated_since: rows changed after a cursor, in order.
            models.Index(fields=["updated_at", "id"], name="mention_sync_idx"),
            # Reader: an article's mentions in text order.
            models.Index(fields=["article", "start"], name="mention_article_start_idx"),
            # Entity page: where an entity is mentioned.
            models.Index(fields=["entity", "article"], name="mention_entity_article_idx"),
            # The article list's entity facet: articles per entity, rejected mentions left
            # out, read from the index alone.
            models.Index(
                fields=["entity", "article"],
                condition=~Q(status="rejected"),
                name="mention_entity_kept_idx",
            ),
        ]
        constraints = [
            *AnchoredSpan.Meta.constraints,
            # Overlapping mentions are allowed (nested names); the same one twice is not.
            models.UniqueConstraint(
                fields=["article", "entity", "start", "end"],
                name="articles_mention_unique_span_entity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exact} [{self.start}:{self.end}]"

    @property
    def text(self) -> str:
        return self.exact


class ImportBatch(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", "Web upload"
        CLI = "cli", "Command line"
        API = "api", "REST API"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    outlet = models.ForeignKey(
        Outlet,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Outlet given for every file of the batch, unless its manifest says otherwise.",
    )
    manifest_name = models.CharField(
        max_length=1024, blank=True, help_text="The manifest given with the batch, if any."
    )
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    duplicate = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    enqueue_error = models.TextField(
        blank=True,
        help_text="Why its files could not be queued for the workers the last time it was "
        "tried (the task queue was unreachable); empty once a later try succeeds.",
    )
    enqueue_failed_at = models.DateTimeField(null=True, blank=True)
    manifest_table = models.JSONField(
        default=dict,
        blank=True,
        help_text="The batch manifest's metadata by file name, for the worker that unpacks "
        "its uploads.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"
        constraints = [
            models.CheckConstraint(
                condition=Q(files_done=F("imported") + F("duplicate") + F("failed")),
                name="articles_importbatch_done_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(files_done__lte=F("files_total")),
                name="articles_importbatch_done_le_total",
            ),
        ]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.get_status_display()})"


class ImportBatchChrome(models.Model):
    """The pre-pass over a whole batch (articles.ingest.recurring), made when the batch is
    created, before any file is cleaned: article bodies are immutable once stored. A row
    of its own, so that the pages and polls that read batches never load it."""

    batch = models.OneToOneField(
        ImportBatch, primary_key=True, on_delete=models.CASCADE, related_name="chrome"
    )
    lines = models.JSONField(
        default=dict,
        blank=True,
        help_text="Lines known to recur across the batch's pages (and per outlet, with what "
        "earlier imports of that outlet showed): removed from every file as page chrome.",
    )
    outlets = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="The outlets (normalised names) that line_counts has counts for.",
    )
    line_counts = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per outlet, in how many different pages each short line occurred: what "
        "later imports of the same outlet add their own counts to.",
    )

    class Meta:
        verbose_name = "import batch chrome evidence"
        verbose_name_plural = "import batch chrome evidence"
        indexes = [
            # A new batch's pre-pass: the earlier batches that counted lines of its outlets
            # (outlets && ARRAY[...], newest first).
            GinIndex(fields=["outlets"], name="importchrome_outlets_gin"),
        ]

    def __str__(self) -> str:
        return f"Chrome evidence of import #{self.batch_id}"


def _received_path(instance: "ImportUpload", filename: str) -> str:
    # The name a user gave is never part of a path.
    return f"imports/received/{uuid.uuid4().hex}"


class ImportUpload(models.Model):
    """One upload of a batch as the web request received it: stored whole, not read. A
    worker unpacks it (a zip into its members) into the batch's files (ImportFile), so
    that the request neither holds nor expands it; its copy is deleted once unpacked."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="uploads")
    position = models.PositiveIntegerField(help_text="Its place among the batch's uploads.")
    name = models.CharField(max_length=1024, help_text="As uploaded (never used as a path).")
    stored = models.FileField(upload_to=_received_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    refusal = models.TextField(
        blank=True, help_text="Why it is refused without being read (it becomes a failed file)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(
        null=True, blank=True, help_text="When its unpacking was last queued for a worker."
    )
    unpacked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="importupload_position")
        ]
        indexes = [
            models.Index(
                fields=["batch"],
                condition=Q(unpacked_at__isnull=True),
                name="importupload_packed_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (batch #{self.batch_id})"


def _raw_upload_path(instance: "ImportFile", filename: str) -> str:
    # The name a user gave is never part of a path: raw bytes are stored under their hash.
    return f"imports/{instance.sha256[:2]}/{instance.sha256}"


class ImportFile(models.Model):
    """One input file of a batch. Every file given gets exactly one row."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        IMPORTED = "imported", "Imported"
        DUPLICATE = "duplicate", "Duplicate"
        FAILED = "failed", "Failed"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="files")
    original_name = models.CharField(
        max_length=1024, help_text="As given by the user. Shown, never used as a path."
    )
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    raw = models.FileField(upload_to=_raw_upload_path, blank=True, max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True, help_text="Why the file failed, in plain words.")
    metadata = models.JSONField(
        default=dict,
        blank=True,
        help_text="Title, outlet, url and published_at from the manifest or the batch.",
    )
    encoding = models.CharField(max_length=32, blank=True, help_text="As detected on import.")
    removed_lines = models.JSONField(
        default=list,
        blank=True,
        help_text="The lines the cleaner removed, each [line, reason] (a lexicon pattern's "
        "reason, or 'recurring' for a line the batch's or the outlet's pages share).",
    )
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_files"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    offered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it was last queued for a worker (the periodic sweep queues a file "
        "still pending long after again).",
    )

    class Meta:
        # By the column, not the relation: ordering by "batch" would join the batch row
        # into every query (and into SELECT ... FOR UPDATE) to sort by its own ordering.
        ordering = ["-batch_id", "id"]
        indexes = [
            # Batch progress and the per-file results table, failures first.
            models.Index(fields=["batch", "status"], name="importfile_batch_status_idx"),
            # Idempotence: has this content been seen before?
            models.Index(fields=["sha256"], name="importfile_sha256_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="articles_importfile_failure_has_reason",
                violation_error_message="A failed file must say why.",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class ArticleBand(models.Model):
    """One LSH band of an article's MinHash: articles sharing a band are near-duplicate
    candidates, found with one indexed lookup instead of comparing every pair."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bands")
    key = models.CharField(max_length=24)

    class Meta:
        constraints = [
            # Its index serves the near-duplicate lookup (every article with one of these
            # keys); one index, not two, on a table that gets 32 rows per article.
            models.UniqueConstraint(fields=["key", "article"], name="articles_band_once"),
        ]

    def __str__(self) -> str:
        return self.key


class NearDuplicate(models.Model):
    """A reprint or syndicated copy: `article` came after, and is mostly the text of,
    `original`. Both are kept; the link says how alike they are."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reprint_of")
    original = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reprints")
    similarity = models.FloatField(help_text="Estimated Jaccard similarity of word shingles.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-similarity"]
        constraints = [
            models.UniqueConstraint(fields=["article", "original"], name="articles_neardup_once"),
            models.CheckConstraint(
                condition=~Q(article=F("original")), name="articles_neardup_not_self"
            ),
            models.CheckConstraint(
                condition=Q(similarity__gte=0) & Q(similarity__lte=1),
                name="articles_neardup_similarity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} ≈ {self.original_id} ({self.similarity:.2f})"


class ArticleTerm(models.Model):
    """One of an article's weighted story keywords. Articles of a time window that share
    rare keywords are the candidates a new article's story is chosen among, found with one
    indexed lookup instead of comparing every pair."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=100)
    weight = models.FloatField()

    class Meta:
        constraints = [
            # Its index serves the candidate lookup (articles having any of these terms).
            models.UniqueConstraint(fields=["term", "article"], name="articles_term_once"),
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.weight:.2f})"


class ArticleSearch(models.Model):
    """An article's text as PostgreSQL's full-text search reads it (title weighted A, body
    weighted B, 'english'), stored so that ranking a broad search reads one vector per
    match instead of parsing every matching body again. Written by triggers on the
    article's insert and title change (migration 0009), with its GIN index. No
    foreign-key constraint: a trigger removes a deleted article's row."""

    article = models.OneToOneField(
        Article,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="search",
    )
    document = SearchVectorField()

    def __str__(self) -> str:
        return f"search document of article {self.article_id}"
