"""Team work's pages: an analyst's queue ("My work"), marking an article done or open
again, and for leads and admins the bulk assignment of an article list's selection and
the page of rounds and loads with unassign and reassign.

Views parse, call one service or selector, and render; a refusal becomes a message (bad
input) or a 403 (not allowed), and changes nothing."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from annotations.models import Assignment, AssignmentMode, AssignmentRound
from annotations.selectors import browse, work
from annotations.selectors.browse import AnnotationStatus, Sort
from annotations.services import assignments as service
from annotations.views.browse import FILTER_PARAMS, list_query
from articles.models import Entity, Outlet, Story
from newsdesk import roles
from newsdesk.guards import NotAllowed, WriteRefused


def my_work(request: HttpRequest) -> HttpResponse:
    queue = work.my_queue(request.user)
    return render(
        request,
        "annotations/my_work.html",
        {"queue": queue, "now": timezone.now(), "is_lead": roles.is_lead(request.user)},
    )


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """To the page the form was on (`next`, this site's only), else `fallback`."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse(fallback)
    return redirect(target)


def _refused(request: HttpRequest, error: Exception, doing: str) -> None:
    if isinstance(error, NotAllowed):
        raise PermissionDenied(str(error)) from error
    if isinstance(error, Assignment.DoesNotExist):
        raise Http404(str(error)) from error
    messages.error(request, f"Not {doing}: {error}")


@require_POST
def assignment_done(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        assignment = service.assignment_done(user=request.user, assignment_id=pk)
    except (NotAllowed, WriteRefused, Assignment.DoesNotExist) as error:
        _refused(request, error, "marked done")
    else:
        messages.success(request, f"Marked done: {assignment.article.title}.")
    return _back(request, "my-work")


@require_POST
def assignment_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        assignment = service.assignment_reopen(user=request.user, assignment_id=pk)
    except (NotAllowed, WriteRefused, Assignment.DoesNotExist) as error:
        _refused(request, error, "reopened")
    else:
        messages.success(request, f"Reopened: {assignment.article.title}.")
    return _back(request, "my-work")


# --- leads ------------------------------------------------------------------------------


def _require_lead(request: HttpRequest) -> None:
    if not roles.is_lead(request.user):
        raise PermissionDenied("Only leads and admins may assign work.")


class AssignForm(forms.Form):
    analysts = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one analyst."},
    )
    k = forms.IntegerField(
        label="Analysts per article",
        min_value=1,
        max_value=100,
        initial=1,
    )
    overlap_percent = forms.IntegerField(
        label="Share coded by more than one analyst (%)",
        min_value=0,
        max_value=100,
        initial=0,
        help_text="For calibration: these articles get the overlap's number of analysts.",
    )
    overlap_analysts = forms.IntegerField(
        label="Analysts per overlap article", min_value=2, max_value=100, initial=2
    )
    strategy = forms.ChoiceField(
        choices=AssignmentRound.Strategy.choices,
        initial=AssignmentRound.Strategy.ROUND_ROBIN,
        widget=forms.RadioSelect,
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=service.MAX_SEED,
        initial=0,
        help_text="The same seed, selection and analysts give the same assignments.",
    )
    mode = forms.ChoiceField(
        choices=AssignmentMode.choices,
        initial=AssignmentMode.BLIND,
        widget=forms.RadioSelect,
        help_text="Blind: until they mark it done, analysts see the machine's suggestions "
        "and their own work only. Shared: everyone's work.",
    )
    return_after_days = forms.IntegerField(
        label="Return unfinished work after (days)",
        required=False,
        min_value=1,
        max_value=service.MAX_RETURN_DAYS,
        help_text="Leave empty to keep it until it is done.",
    )
    label = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, analysts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["analysts"].choices = [(user.pk, user.get_username()) for user in analysts]


PARAM_LABELS = {
    "q": "Search",
    "outlet": "Outlet",
    "entity": "Entity mentioned",
    "speaker": "Speaker quoted",
    "story": "Story",
    "batch": "Import",
    "status": "Annotation status",
    "from": "Published from",
    "to": "Published until",
    "sort": "Sorted by",
}


def _described(params: dict[str, str]) -> list[tuple[str, str]]:
    """The selection's filters in words: (what, value), names for ids (a query each)."""
    named = {
        "outlet": Outlet.objects.filter(pk=params.get("outlet", 0)).values_list("name"),
        "story": Story.objects.filter(pk=params.get("story", 0)).values_list("label"),
        "entity": Entity.objects.filter(pk=params.get("entity", 0)).values_list("name"),
        "speaker": Entity.objects.filter(pk=params.get("speaker", 0)).values_list("name"),
    }
    choices = {"status": dict(AnnotationStatus.choices), "sort": dict(Sort.choices)}
    described = []
    for name, value in params.items():
        if name not in PARAM_LABELS:
            continue
        shown = f"#{value}" if name in (*named, "batch") else value
        if name in named:
            found = named[name].first()
            shown = found[0] if found else shown
        shown = choices.get(name, {}).get(value, shown)
        described.append((PARAM_LABELS[name], str(shown)))
    return described


def assignment_new(request: HttpRequest) -> HttpResponse:
    """`/assignments/new/?<the article list's filters>`: assign that selection."""
    _require_lead(request)
    params, filters = list_query(request.GET.urlencode())
    ids = browse.selection_ids(
        filters, sort=params.get("sort", ""), limit=service.MAX_ROUND_ARTICLES + 1
    )
    selection = urlencode(
        {name: value for name, value in params.items() if name in (*FILTER_PARAMS, "sort")}
    )
    form = AssignForm(request.POST or None, analysts=work.analysts())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = service.assignment_round_create(
                user=request.user,
                article_ids=ids,
                analyst_ids=data["analysts"],
                mode=data["mode"],
                k=data["k"],
                overlap_share=data["overlap_percent"] / 100,
                overlap_analysts=data["overlap_analysts"],
                strategy=data["strategy"],
                seed=data["seed"],
                return_after_days=data["return_after_days"],
                selection=selection,
                label=data["label"],
            )
        except WriteRefused as error:
            name = {"overlap_share": "overlap_percent", "articles": None}.get(
                error.field, error.field
            )
            form.add_error(name if name in form.fields else None, error.message)
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        else:
            skipped = (
                f"{result.skipped} skipped: those analysts had those articles already."
                if result.skipped
                else "none skipped."
            )
            messages.success(
                request,
                f"{result.round}: {result.assigned} assignment{'s' * (result.assigned != 1)} "
                f"over {result.articles} article{'s' * (result.articles != 1)} "
                f"({result.overlap_articles} with overlap); {skipped}",
            )
            return redirect(f"{reverse('assignment-list')}?round={result.round.pk}")
    return render(
        request,
        "annotations/assignment_new.html",
        {
            "form": form,
            "count": len(ids),
            "too_many": len(ids) > service.MAX_ROUND_ARTICLES,
            "max_articles": service.MAX_ROUND_ARTICLES,
            "params": _described(params),
            "list_href": f"{reverse('home')}?{selection}" if selection else reverse("home"),
        },
    )


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) <= 18 else None


OPEN_SHOWN = 200


def assignment_list(request: HttpRequest) -> HttpResponse:
    """Rounds, each analyst's load, and the open assignments (filtered by analyst or
    round) with unassign and reassign."""
    _require_lead(request)
    analyst_id = _id(request.GET.get("analyst"))
    round_id = _id(request.GET.get("round"))
    opened = work.open_assignments(analyst_id=analyst_id, round_id=round_id)
    rows = list(opened[: OPEN_SHOWN + 1])
    analysts = work.analysts()
    return render(
        request,
        "annotations/assignment_list.html",
        {
            "loads": work.team_load(timezone.now()),
            "rounds": work.recent_rounds(),
            "open_rows": rows[:OPEN_SHOWN],
            "more": len(rows) > OPEN_SHOWN,
            "analysts": analysts,
            "analyst_id": analyst_id,
            "round_id": round_id,
            "now": timezone.now(),
            "here": request.get_full_path(),
        },
    )


@require_POST
def assignment_unassign(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        assignment = service.assignment_unassign(user=request.user, assignment_id=pk)
    except (NotAllowed, WriteRefused, Assignment.DoesNotExist) as error:
        _refused(request, error, "unassigned")
    else:
        messages.success(
            request,
            f"Unassigned {assignment.article.title} from {assignment.analyst.get_username()}.",
        )
    return _back(request, "assignment-list")


@require_POST
def assignment_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    analyst_id = _id(request.POST.get("analyst"))
    if analyst_id is None:
        messages.error(request, "Not reassigned: pick the analyst to give it to.")
        return _back(request, "assignment-list")
    try:
        new = service.assignment_reassign(
            user=request.user, assignment_id=pk, analyst_id=analyst_id
        )
    except (NotAllowed, WriteRefused, Assignment.DoesNotExist) as error:
        _refused(request, error, "reassigned")
    else:
        messages.success(
            request, f"Reassigned {new.article.title} to {new.analyst.get_username()}."
        )
    return _back(request, "assignment-list")
