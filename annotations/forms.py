"""Forms of the annotations app's pages and endpoints that parse GET parameters."""

from datetime import date
from typing import Any

from django import forms

from annotations.selectors import team
from annotations.selectors.agreement import AgreementSelection
from annotations.selectors.browse import ArticleFilters

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
