"""Forms shared by the admin site and, later, the workbench."""

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from articles.anchoring import AnchorError, text_quote_selector
from articles.models import Entity, EntityAlias
from articles.names import identity_key, normalise_alias


class SpanForm(forms.ModelForm):
    """A span is given by its article and offsets; its TextQuoteSelector is read off the body.

    Nobody types `exact`, `prefix` or `suffix`: they are computed here, so a span saved
    through this form always satisfies body[start:end] == exact. Offsets that do not fit
    the body are a field error on `end` (or `start`) that says why.
    """

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        article, start, end = (cleaned.get(k) for k in ("article", "start", "end"))
        if article is None or start is None or end is None:
            return cleaned  # a field error is already shown
        try:
            selector = text_quote_selector(article.body, start, end)
        except AnchorError as error:
            # The form fields already refuse a negative start; what is left is about `end`.
            raise ValidationError({"end": str(error)}) from error
        self.instance.exact = selector.exact
        self.instance.prefix = selector.prefix
        self.instance.suffix = selector.suffix
        return cleaned


class EntityForm(forms.ModelForm):
    """Changing an entity's kind moves its aliases with it; refuse a move that would clash."""

    def clean_kind(self) -> str:
        kind: str = self.cleaned_data["kind"]
        entity = self.instance
        if entity.pk is None or kind == entity.kind:
            return kind
        clashes = (
            EntityAlias.objects.filter(
                kind=kind,
                normalised__in=EntityAlias.objects.filter(entity=entity).values("normalised"),
            )
            .exclude(entity=entity)
            .select_related("entity")
            .order_by("alias")[:3]
        )
        if clashes:
            names = "; ".join(f"{a.alias!r} names {a.entity.name}" for a in clashes)
            raise ValidationError(
                f"Another {kind} entity already has an alias of this one ({names}). "
                "Merge the two entities instead."
            )
        return kind


class EntityAliasForm(forms.ModelForm):
    """An alias's `normalised` spelling and `kind` are derived, then checked for a clash.

    The database holds "one spelling per kind" too; checking here turns a clash into a
    message naming the entity that already has the spelling, not an IntegrityError.
    """

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        entity: Entity | None = cleaned.get("entity") or getattr(self.instance, "entity", None)
        alias = cleaned.get("alias")
        if entity is None or alias is None:
            return cleaned
        normalised = normalise_alias(alias)
        if not normalised:
            raise ValidationError({"alias": "An alias needs at least one letter or digit."})
        # An entity on the parent form may be changing kind in the same request: the
        # inline's entity is that form's instance, carrying the new kind.
        kind = entity.kind
        taken = (
            EntityAlias.objects.filter(kind=kind, normalised=normalised)
            .exclude(pk=self.instance.pk)
            .select_related("entity")
            .first()
        )
        if taken is not None:
            if taken.entity_id == entity.pk:
                raise ValidationError({"alias": f"{entity.name} already has this alias."})
            raise ValidationError(
                {"alias": f"{alias!r} already names {taken.entity.name} ({taken.entity.kind})."}
            )
        self.instance.normalised = normalised
        self.instance.key = identity_key(normalised)
        self.instance.kind = kind
        return cleaned


class EntityAliasFormSet(BaseInlineFormSet):
    """Two rows of one submission that spell the same alias are one alias."""

    def clean(self) -> None:
        super().clean()
        seen: dict[str, str] = {}
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            normalised = form.instance.normalised
            if not normalised:
                continue
            if normalised in seen:
                raise ValidationError(
                    f"{data['alias']!r} and {seen[normalised]!r} are the same alias."
                )
            seen[normalised] = data["alias"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files under one name (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if data in (None, "", []):
            return []
        items = data if isinstance(data, list | tuple) else [data]
        # Empty files are kept: the import records them as failed, with the reason.
        return [item for item in items if item is not None]


class ImportForm(forms.Form):
    # The metaclass moves declared fields into base_fields, so this does not shadow the
    # form's own `files` (the uploaded files); the input keeps the API's name, "files".
    files = MultipleFileField(  # type: ignore[assignment]
        label="Files", help_text=".txt files and .zip archives; choose as many as you like."
    )
    folder = MultipleFileField(
        label="Or a folder",
        help_text=(
            "Its .txt files and .zip archives, subfolders included; a manifest.csv at its "
            "top is applied. Other files are listed as skipped, with the reason."
        ),
        widget=MultipleFileInput(attrs={"webkitdirectory": True, "directory": True}),
    )
    # Where each file of the folder lies in it, which the upload itself does not keep
    # (Django reduces an upload's name to its base name); static/js/import.js fills it in.
    folder_paths = forms.CharField(required=False, widget=forms.HiddenInput)
    manifest = forms.FileField(
        required=False,
        label="Manifest (optional)",
        help_text="CSV with a header: filename, title, outlet, url, published_at.",
    )
    outlet = forms.CharField(
        required=False,
        max_length=200,
        label="Outlet (optional)",
        help_text="For every file the manifest does not give an outlet for.",
    )

    def clean(self) -> dict[str, Any]:
        """`folder` becomes (path in the folder, file) pairs: "wire/sub/b.txt" when the
        page's script sent the paths, the base name "b.txt" when it did not."""
        cleaned = super().clean() or {}
        if not cleaned.get("files") and not cleaned.get("folder"):
            raise ValidationError("Choose at least one file, zip or folder to import.")
        folder = cleaned.get("folder") or []
        cleaned["folder"] = list(
            zip(_folder_paths(folder, cleaned.get("folder_paths", "")), folder, strict=True)
        )
        return cleaned


def _folder_paths(files: list[Any], sent: str) -> list[str]:
    """Each file's path in its folder, from what static/js/import.js sent: the folders,
    and for each file in the order sent, the index of its folder. Paths that did not come,
    or do not fit these files (a count or an index off), leave every file its base name:
    a wrong path would be worse than none."""
    names = [str(file.name) for file in files]
    try:
        table = json.loads(sent or "{}")
        folders, indexes = table.get("folders"), table.get("files")
    except (ValueError, AttributeError):
        return names
    fits = (
        isinstance(folders, list)
        and all(isinstance(folder, str) and folder.isprintable() for folder in folders)
        and isinstance(indexes, list)
        and len(indexes) == len(names)
        and all(type(index) is int and 0 <= index < len(folders) for index in indexes)
    )
    if not fits:
        return names
    return [
        f"{folders[index]}/{name}" if folders[index] else name
        for index, name in zip(indexes, names, strict=True)
    ]
