"""Forms of the annotations app's pages and endpoints that parse GET parameters."""

from datetime import date
from typing import Any

from django import forms

from annotations.selectors import analysis as analysis_selectors
from annotations.selectors import team
from annotations.selectors.agreement import AgreementSelection
from annotations.selectors.analysis import AnalysisFilters, Layer
from annotations.selectors.browse import AnnotationStatus, ArticleFilters

ID = {"required": False, "min_value": 1, "max_value": 2**63 - 1}
# The most article ids one selection may name (`article=`): past it, filter otherwise.
MAX_IDS = 1000


class AgreementForm(forms.Form):
    """The selection of the agreement page and endpoint, from the URL: the article list's
    filters (q, outlet, story, entity, speaker, from, to), `article` ids (repeated or
    comma-separated), `analyst` (articles an analyst coded), `round` (that round's
    assignments only) and `open` (1: count unfinished work too)."""

    q = forms.CharField(required=False, max_length=300, strip=True)
    outlet = forms.IntegerField(**ID)
    story = forms.IntegerField(**ID)
    entity = forms.IntegerField(**ID)
    speaker = forms.IntegerField(**ID)
    analyst = forms.IntegerField(**ID)
    round = forms.IntegerField(**ID)
    # Not a BooleanField: its checkbox widget reads "0" as true.
    open = forms.CharField(required=False, max_length=5)
    article = forms.CharField(required=False, max_length=20 * MAX_IDS)

    # The parameters, in the order links write them.
    PARAMS = (
        "q",
        "article",
        "outlet",
        "story",
        "entity",
        "speaker",
        "analyst",
        "round",
        "from",
        "to",
        "open",
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and hasattr(data, "getlist"):
            # `article=1&article=2` and `article=1,2` alike.
            ids = ",".join(v for v in data.getlist("article") if v)
            data = {key: data.get(key) for key in data}
            if ids:
                data["article"] = ids
        super().__init__(data, *args, **kwargs)
        # "from" is a Python keyword: no class attribute can carry its name.
        self.fields["from"] = forms.DateField(required=False)
        self.fields["to"] = forms.DateField(required=False)

    def clean_open(self) -> bool:
        raw = (self.cleaned_data.get("open") or "").strip().lower()
        if raw in ("", "0", "false", "no", "off"):
            return False
        if raw in ("1", "true", "yes", "on"):
            return True
        raise forms.ValidationError("1 or 0 (true or false).")

    def clean_article(self) -> tuple[int, ...]:
        raw = self.cleaned_data.get("article") or ""
        ids: list[int] = []
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= 2**63 - 1:
                raise forms.ValidationError("Article ids: whole numbers from 1, comma-separated.")
            ids.append(int(part))
        if len(ids) > MAX_IDS:
            raise forms.ValidationError(f"At most {MAX_IDS} article ids.")
        return tuple(dict.fromkeys(ids))

    def selection(self, viewer: Any = None) -> AgreementSelection:
        """The selection; call after is_valid() (invalid fields count as not given). An
        analyst viewer (a lead) never gets the articles they code blind and have not
        finished."""
        data = getattr(self, "cleaned_data", {})

        def day(name: str) -> date | None:
            return data.get(name) if name not in self.errors else None

        return AgreementSelection(
            articles=ArticleFilters(
                q=data.get("q") or "",
                outlet=data.get("outlet"),
                story=data.get("story"),
                entity=data.get("entity"),
                speaker=data.get("speaker"),
                date_from=day("from"),
                date_to=day("to"),
            ),
            ids=data.get("article") or (),
            analyst=data.get("analyst"),
            round=data.get("round"),
            include_open=bool(data.get("open")),
            not_blind_for=viewer.pk if viewer is not None and team.codes_blind(viewer) else None,
        )

    def values(self) -> dict[str, str]:
        """The valid, non-empty parameters as strings: what every link starts from."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out: dict[str, str] = {}
        for name in self.PARAMS:
            value = data.get(name)
            if name in self.errors or value in (None, "", (), False):
                continue
            if isinstance(value, date):
                out[name] = value.isoformat()
            elif isinstance(value, tuple):
                out[name] = ",".join(map(str, value))
            elif value is True:
                out[name] = "1"
            else:
                out[name] = str(value)
        return out


class AnalysisForm(forms.Form):
    """The analysis section's selection, from the URL: the article list's filters (q,
    outlet, entity, speaker, story, batch, status, from, to) and the layer (`layer`, and
    `analyst` for one analyst's). The pages and the API read the same parameters; the API
    refuses a bad one (400), a page says what it dropped."""

    q = forms.CharField(required=False, max_length=300, strip=True)
    outlet = forms.IntegerField(**ID)
    entity = forms.IntegerField(**ID)
    speaker = forms.IntegerField(**ID)
    story = forms.IntegerField(**ID)
    batch = forms.IntegerField(**ID)
    status = forms.ChoiceField(required=False, choices=AnnotationStatus.choices)
    layer = forms.ChoiceField(required=False, choices=Layer.choices)
    analyst = forms.IntegerField(**ID)

    PARAMS = (
        "q",
        "outlet",
        "entity",
        "speaker",
        "story",
        "batch",
        "status",
        "from",
        "to",
        "layer",
        "analyst",
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and hasattr(data, "getlist"):
            data = {key: data.get(key) for key in data}
        super().__init__(data, *args, **kwargs)
        self.fields["from"] = forms.DateField(required=False)
        self.fields["to"] = forms.DateField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        layer = data.get("layer") or Layer.ALL.value
        if layer == Layer.ANALYST and not data.get("analyst") and "analyst" not in self.errors:
            self.add_error("analyst", "One analyst's layer needs `analyst`: their user id.")
        if layer != Layer.ANALYST and data.get("analyst"):
            self.add_error("analyst", "`analyst` goes with layer=analyst only.")
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", "`to` is before `from`.")
        return data

    def filters(self, viewer: Any = None) -> AnalysisFilters:
        """The selection; call after is_valid() (invalid fields count as not given). An
        analyst viewer never gets the articles they code blind and have not finished."""
        data = getattr(self, "cleaned_data", {})

        def value(name: str) -> Any:
            return data.get(name) if name not in self.errors else None

        layer = value("layer") or Layer.ALL.value
        analyst = value("analyst")
        if layer == Layer.ANALYST and analyst is None:
            layer = Layer.ALL.value
        return AnalysisFilters(
            articles=ArticleFilters(
                q=value("q") or "",
                outlet=value("outlet"),
                entity=value("entity"),
                speaker=value("speaker"),
                story=value("story"),
                batch=value("batch"),
                status=value("status") or "",
                date_from=value("from"),
                date_to=value("to"),
            ),
            layer=layer,
            analyst=analyst if layer == Layer.ANALYST else None,
            viewer=viewer.pk if viewer is not None and team.codes_blind(viewer) else None,
        )

    def values(self) -> dict[str, str]:
        """The valid, non-empty parameters as strings: what every link starts from."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out: dict[str, str] = {}
        for name in self.PARAMS:
            value = data.get(name)
            if name in self.errors or value in (None, ""):
                continue
            if name == "layer" and value == Layer.ALL:
                continue
            out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    def problems(self) -> list[str]:
        """The refused parameters, as sentences ("layer: ...")."""
        self.is_valid()
        return [
            f"{name}: {' '.join(str(message) for message in messages)}"
            for name, messages in self.errors.items()
        ]


class AnalysisOptions(forms.Form):
    """Each endpoint's own parameters."""

    def problems_or_none(self) -> dict[str, Any] | None:
        return None if self.is_valid() else dict(self.errors)


class MatrixOptions(AnalysisOptions):
    holders = forms.IntegerField(
        required=False, min_value=1, max_value=analysis_selectors.MATRIX_MAX
    )
    targets = forms.IntegerField(
        required=False, min_value=1, max_value=analysis_selectors.MATRIX_MAX
    )
    sort = forms.ChoiceField(
        required=False, choices=[(s, s) for s in analysis_selectors.MATRIX_SORTS]
    )


class NetworkOptions(AnalysisOptions):
    mode = forms.ChoiceField(
        required=False, choices=[(m, m) for m in ("two-mode", "congruence", "conflict")]
    )
    normalization = forms.ChoiceField(
        required=False,
        choices=[(n, n) for n in ("no", "average", "jaccard", "cosine", "activity", "prominence")],
    )
    limit = forms.IntegerField(
        required=False, min_value=1, max_value=analysis_selectors.NETWORK_MAX
    )

    # DNA's normalisations: activity and prominence scale a two-mode network's ties by
    # the holder's or the target's statements; average, Jaccard and cosine an actor
    # network's by the two actors' (annotations.analysis.network).
    NORMALIZATIONS = {
        "two-mode": ("no", "activity", "prominence"),
        "congruence": ("no", "average", "jaccard", "cosine"),
        "conflict": ("no", "average", "jaccard", "cosine"),
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        mode = data.get("mode") or "two-mode"
        normalization = data.get("normalization") or "no"
        if "mode" not in self.errors and normalization not in self.NORMALIZATIONS[mode]:
            allowed = ", ".join(self.NORMALIZATIONS[mode])
            self.add_error("normalization", f"A {mode} network is normalised by one of: {allowed}.")
        return data


class EventOptions(AnalysisOptions):
    holder = forms.CharField(required=False, max_length=320)
    target = forms.CharField(required=False, max_length=320)
    side = forms.ChoiceField(required=False, choices=[(s, s) for s in analysis_selectors.SIGNS])
    actors = forms.CharField(required=False, max_length=64)
    relation = forms.ChoiceField(
        required=False, choices=[("congruence", "congruence"), ("conflict", "conflict")]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("holder", "target"):
            if data.get(name):
                try:
                    entity_id, _ = analysis_selectors.parse_key(data[name])
                except ValueError as error:
                    self.add_error(name, str(error))
                    continue
                if name == "holder" and entity_id is None:
                    self.add_error(name, "A holder is an entity: e<entity id>.")
        raw = data.get("actors") or ""
        keys = tuple(part.strip() for part in raw.split(",") if part.strip())
        if keys and (len(keys) != 2 or not all(_entity_key(key) for key in keys)):
            self.add_error("actors", "Two actors, comma-separated: e<id>,e<id>.")
        data["actors"] = keys
        if data.get("relation") and not keys:
            self.add_error("relation", "`relation` goes with `actors`.")
        return data


class TimelineOptions(AnalysisOptions):
    actor = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    interval = forms.ChoiceField(required=False, choices=analysis_selectors.Interval.choices)


class SourcesOptions(AnalysisOptions):
    limit = forms.IntegerField(required=False, min_value=1, max_value=200)


def _entity_key(key: str) -> bool:
    try:
        return analysis_selectors.parse_key(key)[0] is not None
    except ValueError:
        return False


class QuoteOptions(AnalysisOptions):
    """The quotes page's narrowing: one speaker's quotes (`quoted`, an entity id)."""

    quoted = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
