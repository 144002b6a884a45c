"""The entity pages: the searchable list, one actor's page (what they said, the stances
they hold and receive, why the machine joined its spellings) and, for analysts and
admins, merging a duplicate into it or splitting a machine join off it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from annotations.selectors import entities as selectors
from articles import services
from articles.models import Entity, EntityJoin, EntityKind
from articles.services import guards

ENTITIES_PER_PAGE = 50


def entity_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:300]
    kind = request.GET.get("kind", "")
    kind = kind if kind in EntityKind.values else ""
    sort = request.GET.get("sort", "name")
    sort = sort if sort in selectors.SORTS else "name"
    found = selectors.entity_search(q=q, kind=kind, sort=sort)
    page = Paginator(found, ENTITIES_PER_PAGE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "articles/entity_list.html",
        {
            "page": page,
            "q": q,
            "kind": kind,
            "sort": sort,
            "kinds": EntityKind.choices,
            "query": keep.urlencode(),
        },
    )


def entity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entity = selectors.entity_for_page(pk, request.user)
    if entity is None:
        raise Http404(f"There is no entity {pk}.")
    can_merge = guards.is_annotator(request.user)  # the merge service's own rule
    merge_q = request.GET.get("merge_q", "").strip()[:300] if can_merge else ""
    merging = request.GET.get("merge") if can_merge else None
    return render(
        request,
        "articles/entity_detail.html",
        {
            "entity": entity,
            "aliases": list(entity.aliases.all()),
            "joins": list(entity.joins.all()),
            "quotes": selectors.entity_quotes(entity, request.user, page=request.GET.get("quotes")),
            "held": selectors.entity_stances_held(
                entity, request.user, page=request.GET.get("held")
            ),
            "received": selectors.entity_stances_received(
                entity, request.user, page=request.GET.get("received")
            ),
            "can_merge": can_merge,
            "merge_q": merge_q,
            "candidates": selectors.merge_candidates(entity, q=merge_q) if merge_q else [],
            "merge_other": selectors.merge_preview(into_id=entity.pk, other_id=merging)
            if merging
            else None,
            "merge_asked": bool(merging),
        },
    )


@require_POST
def entity_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge the posted `entity` into this one (`pk` survives)."""
    if not guards.is_annotator(request.user):
        raise PermissionDenied("Only analysts and admins may merge entities.")
    try:
        other_id = int(request.POST.get("entity", ""))
    except ValueError:
        messages.error(request, "Choose the entity to merge into this one.")
        return redirect("entity-detail", pk=pk)
    if other_id == pk:  # the preview below finds no "other" entity in itself
        messages.error(request, "An entity cannot be merged into itself.")
        return redirect("entity-detail", pk=pk)
    # Read before the merge, for the message: what the merged entity had.
    moving = selectors.merge_preview(into_id=pk, other_id=str(other_id))
    if moving is None:
        messages.error(request, "The entity to merge no longer exists.")
        return redirect("entity-detail", pk=pk)
    try:
        survivor = services.entity_merge(user=request.user, entity_id=other_id, into_id=pk)
    except PermissionError as error:  # the service's own role check
        raise PermissionDenied(str(error)) from error
    except (ValueError, Entity.DoesNotExist) as error:
        messages.error(request, f"Not merged: {error}")
        return redirect("entity-detail", pk=pk)
    # Counted before the merge: a mention the survivor already had at the same place is
    # dropped rather than moved, so these are what the merged entity had.
    messages.success(
        request,
        f"Merged “{moving.name}” into “{survivor.name}”: "
        f"{_counted(moving.mention_count, 'mention')}, "
        f"{_counted(moving.quote_count, 'quote')} and "
        f"{_counted(moving.held_count + moving.received_count, 'stance')} "
        f"now belong to “{survivor.name}”.",
    )
    return redirect("entity-detail", pk=survivor.pk)


@require_POST
def entity_join_split(request: HttpRequest, pk: int, join_pk: int) -> HttpResponse:
    """Undo one of the machine's joins into this entity: the joined name is an entity
    again, and the two are kept apart from then on."""
    if not guards.is_annotator(request.user):
        raise PermissionDenied("Only analysts and admins may split entities.")
    if not EntityJoin.objects.filter(pk=join_pk, entity_id=pk).exists():
        messages.error(request, "That join is no longer recorded for this entity.")
        return redirect("entity-detail", pk=pk)
    try:
        split = services.entity_split(user=request.user, join_id=join_pk)
    except PermissionError as error:  # the service's own role check
        raise PermissionDenied(str(error)) from error
    except (ValueError, EntityJoin.DoesNotExist) as error:
        messages.error(request, f"Not split: {error}")
        return redirect("entity-detail", pk=pk)
    messages.success(
        request,
        f"“{split.name}” is its own entity again; it will not be joined to this one again.",
    )
    return redirect("entity-detail", pk=pk)


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
