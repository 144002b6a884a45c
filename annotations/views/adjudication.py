"""Adjudication to gold, for leads and admins: the queue of articles whose analysts'
versions disagree (worst first), and one article with every coder's version of each unit
side by side, where agreed units merge by themselves and each disagreement is settled
with one click (a coder's version, no gold unit, or an edited version) and a reason.

Views parse, call one service or selector, and render; a refusal becomes a message and
changes nothing, a user who is not a lead gets a 403."""

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from annotations.models import AdjudicationDecision, Polarity, Quote
from annotations.selectors import adjudication as selectors
from annotations.selectors import team
from annotations.services import adjudication as service
from articles.models import Article
from newsdesk import roles
from newsdesk.guards import NotAllowed, WriteRefused

FIELD_LABELS = {
    "span": "Span",
    "speaker": "Speaker",
    "cue": "Cue",
    "kind": "Kind",
    "holder": "Holder",
    "target": "Target",
    "polarity": "Polarity",
}
# A unit's key, as the selector makes it ("quote-3:17,5:22"): only used in a fragment.
_KEY = re.compile(r"[\w:,.\-]{1,200}")
# The edit form's fields, per kind: what `changes` takes.
_CHANGES = {
    "quote": ("speaker", "cue", "kind"),
    "stance": ("holder", "target", "target_text", "polarity"),
}
_ENTITY_FIELDS = ("speaker", "holder", "target")


def _require_lead(request: HttpRequest) -> None:
    if not roles.is_lead(request.user):
        raise PermissionDenied("Only leads and admins may adjudicate analysts' work.")


def _number(value: str | None, default: int = 1) -> int:
    return int(value) if value and value.isdigit() and len(value) <= 9 else default


def _detail(article_id: int, key: str | None = None) -> str:
    """The article's page; at a unit (`#unit-<key>`), or at its summary (key "")."""
    path = reverse("adjudication-detail", args=[article_id])
    if key is None:
        return path
    return f"{path}#unit-{key}" if _KEY.fullmatch(key) else f"{path}#summary"


def adjudication_queue(request: HttpRequest) -> HttpResponse:
    _require_lead(request)
    page = selectors.adjudication_queue(page=_number(request.GET.get("page")), viewer=request.user)
    return render(request, "annotations/adjudication_queue.html", {"page": page})


def adjudication_next(request: HttpRequest) -> HttpResponse:
    """The worst article of the queue other than `?after=<id>`, or the queue when none."""
    _require_lead(request)
    article_id = selectors.next_in_queue(_number(request.GET.get("after"), 0))
    if article_id is None:
        messages.info(request, "No other article is waiting for adjudication.")
        return redirect("adjudication-queue")
    return redirect(_detail(article_id))


def _entity_choices(unit: Any) -> list[tuple[int, str]]:
    """The entities the versions name, for the edit form's menus (no query: the names
    are the versions' own)."""
    seen: dict[int, str] = {}
    for version in unit.versions:
        item = version.item
        if item is None:
            continue
        for name in _ENTITY_FIELDS:
            value = item.values.get(name)
            if isinstance(value, tuple):  # a stance's target: ("entity", id) or a topic
                value = value[1] if value[0] == "entity" else None
            if isinstance(value, int):
                seen.setdefault(value, item.label(name))
    return sorted(seen.items(), key=lambda pair: pair[1].lower())


def _unit_state(unit: Any) -> str:
    if unit.decision is not None:
        return "agreed" if unit.decision.how == AdjudicationDecision.How.AGREED else "settled"
    return "agreed" if unit.agreed else "open"


def adjudication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_lead(request)
    if team.blind_on(request.user, pk):
        raise PermissionDenied(
            "You code this article blind yourself: mark it done before you adjudicate it."
        )
    try:
        view = selectors.adjudication_for(pk)
    except Article.DoesNotExist as missing:
        raise Http404(f"There is no article {pk}.") from missing
    # Gold for every unit all coders agree on that has none yet (idempotent), read again
    # when it wrote any. A lone coder's version agrees with itself: not merged, nothing to
    # adjudicate until a second analyst has finished the article.
    if len(view.coders) >= 2:
        try:
            merged = service.adjudication_merge_agreed(user=request.user, article_id=pk)
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        if merged:
            view = selectors.adjudication_for(pk)

    positions = {coder.id: n for n, coder in enumerate(view.coders, start=1)}
    names = {coder.id: coder.username for coder in view.coders}
    units = []
    states = [_unit_state(unit) for unit in view.units]
    open_at = [i for i, state in enumerate(states) if state == "open"]
    for index, (unit, state) in enumerate(zip(view.units, states, strict=True)):
        # Where the page goes once this unit is settled: the next open unit after it in
        # the text, else the first one before it, else the summary (all settled).
        onward = next((i for i in open_at if i > index), None)
        if onward is None:
            onward = next((i for i in open_at if i < index), None)
        units.append(
            {
                "unit": unit,
                "state": state,
                "number": index + 1,
                "next_key": view.units[onward].key if onward is not None else "",
                "differs": [label for f, label in FIELD_LABELS.items() if f in unit.differs],
                "missing": [v.coder.username for v in unit.versions if v.item is None],
                "versions": _versions(unit, positions),
                "gold": _gold(unit, names),
                "entities": _entity_choices(unit),
                "current": _current_values(unit),
            }
        )
    agreed = sum(1 for state in states if state == "agreed")
    context = {
        "view": view,
        "article": view.article,
        "units": units,
        "agreed": agreed,
        "compared": len(view.coders) >= 2,
        "settled_by_hand": sum(1 for state in states if state == "settled"),
        "to_settle": len(open_at),
        "coder_keys": list(enumerate(view.coders, start=1)),
        "polarities": _polarities(view),
        "quote_kinds": Quote.Kind.choices,
        "next_href": f"{reverse('adjudication-next')}?after={view.article.pk}",
    }
    return render(request, "annotations/adjudication_detail.html", context)


def _versions(unit: Any, positions: dict[int, int]) -> list[dict[str, Any]]:
    """Each coder's version as the page shows it: its fields, the differing ones marked."""
    shown = []
    for version in unit.versions:
        shown.append(
            {
                "coder": version.coder,
                "position": positions.get(version.coder.id, 0),
                "absent": version.item is None,
                "exact": version.exact,
                "start": version.start,
                "end": version.end,
                "span_differs": "span" in unit.differs,
                "fields": [
                    {
                        "name": name,
                        "label": FIELD_LABELS.get(name, name),
                        "value": value,
                        "differs": name in unit.differs,
                    }
                    for name, value in version.fields
                ],
            }
        )
    return shown


HOW = {
    AdjudicationDecision.How.AGREED: "Merged: all coders agree",
    AdjudicationDecision.How.PICKED: "Picked",
    AdjudicationDecision.How.EDITED: "Edited",
    AdjudicationDecision.How.DROPPED: "No gold unit",
}


def _gold(unit: Any, names: dict[int, str]) -> dict[str, Any] | None:
    """How a settled unit was settled, and its gold version's fields."""
    decision = unit.decision
    if decision is None:
        return None
    how = HOW.get(decision.how, decision.how)
    if decision.how == AdjudicationDecision.How.PICKED and decision.picked_analyst_id:
        picked = names.get(decision.picked_analyst_id, f"#{decision.picked_analyst_id}")
        how = f"Picked {picked}'s version"
    fields: list[tuple[str, Any]] = []
    gold = unit.gold
    if gold is not None:
        if unit.kind == "quote":
            fields = [
                ("Speaker", gold.speaker.name if gold.speaker_id else "no speaker"),
                ("Cue", gold.cue),
                ("Kind", gold.kind),
            ]
        else:
            target = gold.target_entity.name if gold.target_entity_id else gold.target_text
            fields = [
                ("Holder", gold.holder.name),
                ("Target", target),
                ("Polarity", gold.polarity.slug),
            ]
    return {
        "how": how,
        "dropped": decision.how == AdjudicationDecision.How.DROPPED,
        "by": decision.decided_by,
        "at": decision.updated_at,
        "reason": decision.reason,
        "exact": gold.exact if gold is not None else "",
        "fields": fields,
    }


def _polarities(view: Any) -> list[tuple[str, str]]:
    """The stance vocabulary for the edit form (one query, when the article has stances)."""
    if not any(unit.kind == "stance" for unit in view.units):
        return []
    return list(
        Polarity.objects.filter(is_active=True)
        .order_by("position", "label")
        .values_list("slug", "label")
    )


def _current_values(unit: Any) -> dict[str, Any]:
    """The edit form's starting values: the first present version's."""
    for version in unit.versions:
        item = version.item
        if item is None:
            continue
        values = dict(item.values)
        if unit.kind == "stance":
            target = values.get("target") or ("topic", "")
            values["target"] = target[1] if target[0] == "entity" else None
            values["target_text"] = item.label("target") if target[0] == "topic" else ""
        return values
    return {}


def _changes(request: HttpRequest, kind: str) -> dict[str, Any]:
    """The edit form's values as the service takes them: entity ids (a typed id wins over
    the menu; empty is none), text as typed."""
    changes: dict[str, Any] = {}
    for name in _CHANGES.get(kind, ()):
        field = "quote_kind" if name == "kind" else name
        if name in _ENTITY_FIELDS:
            typed = request.POST.get(f"{name}_id", "").strip()
            value = typed or request.POST.get(name, "").strip()
            if value and not value.isdigit():
                raise WriteRefused(name, f"{FIELD_LABELS[name]}: give an entity's number.")
            changes[name] = int(value) if value else None
        else:
            changes[name] = request.POST.get(field, "").strip()
    return changes


@require_POST
def adjudication_settle(request: HttpRequest, pk: int) -> HttpResponse:
    _require_lead(request)
    kind = request.POST.get("kind", "")
    key = request.POST.get("unit", "")
    reason = request.POST.get("reason", "").strip()
    pick = request.POST.get("pick", "")
    drop = bool(request.POST.get("drop"))
    edit = bool(request.POST.get("edit"))
    try:
        if not pick.isdigit() and not drop and not edit:
            raise WriteRefused("pick", "choose a version, no gold unit, or an edit.")
        if edit:
            pick = request.POST.get("base", "")
        decision = service.adjudication_settle(
            user=request.user,
            article_id=pk,
            kind=kind,
            unit_key=key,
            pick=int(pick) if pick.isdigit() else None,
            drop=drop,
            changes=_changes(request, kind) if edit else None,
            reason=reason,
        )
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except WriteRefused as error:
        messages.error(request, f"Not settled: {error.message}")
        return redirect(_detail(pk, key))
    messages.success(request, f"Settled: {decision.get_how_display().lower()}.")
    return redirect(_detail(pk, request.POST.get("next_unit", "")))


@require_POST
def adjudication_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    _require_lead(request)
    key = request.POST.get("unit", "")
    try:
        service.adjudication_reopen(user=request.user, article_id=pk, unit_key=key)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except WriteRefused as error:
        messages.error(request, f"Not reopened: {error.message}")
        return redirect(_detail(pk, key))
    messages.success(request, "Reopened: settle it again.")
    return redirect(_detail(pk, key))
