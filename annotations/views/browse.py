"""The article list, the home page: search, facets, sorting, grouping by story.

Every filter lives in the URL (GET parameters), so a page can be bookmarked and shared,
and every link keeps the other filters. htmx swaps `#list-body` when it is there; without
JavaScript the same links and forms load the whole page.
"""

from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from annotations.selectors import browse, team
from annotations.selectors.browse import AnnotationStatus, ArticleFilters, Sort
from newsdesk import roles

ID = {"required": False, "min_value": 1, "max_value": 2**63 - 1}
# The URL parameters, in the order links write them.
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
    "sort",
    "group",
)
FILTER_PARAMS = PARAMS[:9]


class ListForm(forms.Form):
    """The GET parameters. A bad value is dropped, as if it were not given."""

    q = forms.CharField(required=False, max_length=300, strip=True)
    outlet = forms.IntegerField(**ID)
    entity = forms.IntegerField(**ID)
    speaker = forms.IntegerField(**ID)
    story = forms.IntegerField(**ID)
    batch = forms.IntegerField(**ID)
    status = forms.ChoiceField(required=False, choices=AnnotationStatus.choices)
    sort = forms.ChoiceField(required=False, choices=Sort.choices)
    group = forms.ChoiceField(required=False, choices=[("story", "Story")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: no class attribute can carry its name.
        self.fields["from"] = forms.DateField(required=False)
        self.fields["to"] = forms.DateField(required=False)

    def values(self) -> dict[str, str]:
        """The valid, non-empty parameters as strings: what every link starts from."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        out = {}
        for name in PARAMS:
            value = cleaned.get(name)
            if name in self.errors or value in (None, ""):
                continue
            out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out


def list_query(query: str) -> tuple[dict[str, str], ArticleFilters]:
    """An article list's query string (`q=...&story=3&from=...`): its valid parameters, as
    the list keeps them, and the filters they make. What a bulk action on the list's
    selection (assigning it, from the page or the API) reads."""
    params = ListForm(QueryDict(query.lstrip("?"))).values()
    return params, _filters(params)


def _filters(params: dict[str, str]) -> ArticleFilters:
    def number(name: str) -> int | None:
        return int(params[name]) if name in params else None

    def day(name: str) -> date | None:
        return date.fromisoformat(params[name]) if name in params else None

    return ArticleFilters(
        q=params.get("q", ""),
        outlet=number("outlet"),
        entity=number("entity"),
        speaker=number("speaker"),
        story=number("story"),
        batch=number("batch"),
        status=params.get("status", ""),
        date_from=day("from"),
        date_to=day("to"),
    )


class Links:
    """Links to this page with some parameters changed and the others kept. A change of
    filter, sort or grouping goes back to page 1."""

    def __init__(self, params: dict[str, str]) -> None:
        self.params = params
        self.base = reverse("home")

    def to(self, **changes: Any) -> str:
        params = {**self.params, **{key.rstrip("_"): value for key, value in changes.items()}}
        if "page" not in changes:
            params.pop("page", None)
        kept = [(name, str(params[name])) for name in (*PARAMS, "page") if params.get(name)]
        return f"{self.base}?{urlencode(kept)}" if kept else self.base


@dataclass
class Option:
    label: str
    count: int
    href: str
    selected: bool
    detail: str = ""  # a page about the value (the entity page)


@dataclass
class Facet:
    name: str
    title: str
    options: list[Option]
    clear: str  # the same page without this facet's filter
    help: str = ""

    @property
    def active(self) -> bool:
        return any(option.selected for option in self.options)


STATUS_HELP = (
    "Untouched: no analyst has reviewed a suggestion or added a quote, mention, stance or "
    "note. In progress: something was reviewed or added, and suggested quotes or mentions "
    "are still left. Done: something was reviewed or added, and no suggestion is left."
)


def _id_facet(
    name: str, title: str, values: list[browse.FacetValue], links: Links, detail: str = ""
) -> Facet:
    options = [
        Option(
            label=value.label,
            count=value.count,
            href=links.to(**{name: "" if value.selected else value.value}),
            selected=value.selected,
            detail=reverse(detail, args=[value.value]) if detail else "",
        )
        for value in values
    ]
    return Facet(name, title, options, links.to(**{name: ""}))


def _facets(listing: browse.ArticleFacets, links: Links) -> list[Facet]:
    status = _id_facet("status", TITLES["status"], listing.statuses, links)
    status.help = STATUS_HELP
    months = Facet(
        "published",
        "Published",
        [
            Option(
                label=value.label,
                count=value.count,
                href=(
                    links.to(from_="", to="")
                    if value.selected
                    else links.to(
                        from_=value.value.isoformat(), to=browse.month_end(value.value).isoformat()
                    )
                ),
                selected=value.selected,
            )
            for value in listing.months
        ],
        links.to(from_="", to=""),
    )
    return [
        status,
        _id_facet("outlet", TITLES["outlet"], listing.outlets, links),
        _id_facet("entity", TITLES["entity"], listing.entities, links, "entity-detail"),
        _id_facet("speaker", TITLES["speaker"], listing.speakers, links, "entity-detail"),
        _id_facet("story", TITLES["story"], listing.stories, links),
        months,
    ]


# The facets' titles, which the active filters repeat.
TITLES = {
    "status": "Annotation status",
    "outlet": "Outlet",
    "entity": "Entity mentioned",
    "speaker": "Speaker quoted",
    "story": "Story",
}


def _chips(
    params: dict[str, str], chosen: dict[str, str], links: Links
) -> list[tuple[str, str, str]]:
    """The active filters, each with a link that removes it: (what, value, href). Their
    names come with the page (`chosen`), not with the facets, which load after it."""
    chips = []
    if "q" in params:
        chips.append(("Search", params["q"], links.to(q="")))
    statuses = dict(AnnotationStatus.choices)
    for name in ("status", "outlet", "entity", "speaker", "story"):
        if name in params:
            label = statuses[params[name]] if name == "status" else chosen.get(name)
            chips.append((TITLES[name], label or f"#{params[name]}", links.to(**{name: ""})))
    if "batch" in params:
        chips.append(("Import", f"#{params['batch']}", links.to(batch="")))
    if "from" in params:
        chips.append(("Published from", params["from"], links.to(from_="")))
    if "to" in params:
        chips.append(("Published until", params["to"], links.to(to="")))
    return chips


def coverage(outlets: int, unknown: int) -> str:
    """Who covered a story, in words: its outlets, and its articles whose outlet is not
    known (imports without one), which no outlet count can hold."""

    def some(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    unknown_part = f"{some(unknown, 'article')} of unknown outlet"
    if outlets and unknown:
        return f"{some(outlets, 'outlet')} and {unknown_part} covered this"
    if unknown:
        return f"{unknown_part} covered this"
    return f"{some(outlets, 'outlet')} covered this"


def _assign_href(params: dict[str, str]) -> str:
    kept = {name: value for name, value in params.items() if name in (*FILTER_PARAMS, "sort")}
    return f"{reverse('assignment-new')}?{urlencode(kept)}"


def _viewed(request: HttpRequest) -> tuple[dict[str, str], ArticleFilters]:
    """The request's valid parameters and their filters, as the analyst sees them (their
    blind articles with their own work only)."""
    params = ListForm(request.GET).values()
    filters = _filters(params)
    if team.codes_blind(request.user):
        blind = tuple(team.blind_articles(request.user).values_list("article_id", flat=True))
        filters = replace(filters, viewer=request.user.pk, blind=blind)
    return params, filters


def _partial(request: HttpRequest) -> bool:
    # htmx asks for the part it swaps; a restore from its history (cache miss) wants it all.
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _facets_href(params: dict[str, str]) -> str:
    kept = [(name, params[name]) for name in PARAMS if name in params]
    return f"{reverse('article-facets')}?{urlencode(kept)}" if kept else reverse("article-facets")


def article_facets(request: HttpRequest) -> HttpResponse:
    """The list's facets with their counts, for the same query as the list: the page
    loads them right after itself (htmx), or, without JavaScript, its "Show counts" link
    opens them as a page of their own. Their links lead to the list."""
    params, filters = _viewed(request)
    links = Links({name: value for name, value in params.items() if name != "page"})
    counted = browse.article_facets(filters)
    context = {
        "counted": counted,
        "facets": _facets(counted, links),
        "params": params,
        "list_href": links.to(),
        "chips": _chips(params, {}, links),
    }
    template = "articles/_facets.html" if _partial(request) else "articles/facets_page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def article_list(request: HttpRequest) -> HttpResponse:
    params, filters = _viewed(request)
    links = Links(params)
    listing = browse.article_listing(
        filters,
        sort=params.get("sort", ""),
        grouped=params.get("group") == "story",
        page=request.GET.get("page"),
    )
    links.params = {**params, "page": str(listing.page.number)}
    context = {
        "listing": listing,
        "params": params,
        "hidden": {k: v for k, v in params.items() if k in FILTER_PARAMS and k != "q"},
        # The facets' own URL, with the same query: the page loads it right after itself.
        "facets_href": _facets_href(params),
        "chips": _chips(params, listing.chosen, links),
        "clear": links.base,
        "sorts": [
            (label, links.to(sort=value), value == listing.sort)
            for value, label in Sort.choices
            if value != Sort.RELEVANCE or filters.searching
        ],
        "group_href": links.to(group="" if listing.grouped else "story"),
        "links": links,
        # Leads and admins assign the selection (every filter kept) to analysts.
        "assign_href": _assign_href(params) if roles.is_lead(request.user) else "",
        "pages": {
            "previous": links.to(page=listing.page.number - 1)
            if listing.page.has_previous()
            else "",
            "next": links.to(page=listing.page.number + 1) if listing.page.has_next() else "",
            "first": links.to(page=1) if listing.page.number > 2 else "",
            "last": links.to(page=listing.page.paginator.num_pages)
            if listing.page.number < listing.page.paginator.num_pages - 1
            else "",
        },
        # A search too broad to rank was shown newest first: ranking it is one link away.
        "rank_href": links.to(sort=Sort.RELEVANCE.value) if listing.unranked else "",
        # Grouped: each story with the link to all its matching articles, ungrouped, and
        # who covered it.
        "groups": [
            (
                group,
                links.to(story=group.story.pk, group="") if group.story else "",
                coverage(group.story.outlet_count, group.story.unknown_outlet_count)
                if group.story
                else "",
            )
            for group in (listing.page.object_list if listing.grouped else [])
        ],
    }
    template = "articles/_list_body.html" if _partial(request) else "articles/article_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
