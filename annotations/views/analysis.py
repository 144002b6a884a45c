"""The Analysis section: the stance matrix, the networks, timelines, sources and the
statements behind every figure. Every page takes the article list's filters and the
layer from the URL (AnalysisForm), so a view can be shared as a link, and every figure
links to its evidence. The charts draw from the API endpoints (api_analysis) the page
names in `data-src`; the tables and summaries come from the same selectors."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from annotations.forms import (
    AnalysisForm,
    EventOptions,
    MatrixOptions,
    NetworkOptions,
    QuoteOptions,
    TimelineOptions,
)
from annotations.selectors import analysis
from annotations.selectors.analysis import AnalysisFilters, Layer, query_of
from annotations.selectors.analysis_output import sources_summary
from articles.models import Entity, Outlet, Story
from newsdesk import roles

STATEMENTS_PAGE = 50

TABS = (
    ("analysis-matrix", "Stance matrix"),
    ("analysis-network", "Networks"),
    ("analysis-timeline", "Timelines"),
    ("analysis-sources", "Sources"),
    ("analysis-evidence", "Statements"),
    ("analysis-quotes", "Quotes"),
)


@dataclass
class Selection:
    form: AnalysisForm
    filters: AnalysisFilters
    params: dict[str, str]
    problems: list[str]

    def query(self, **more: Any) -> str:
        return query_of(self.params, **more)


def _selection(request: HttpRequest) -> Selection:
    form = AnalysisForm(request.GET)
    form.is_valid()  # filters() reads the cleaned data; a bad value is dropped and said
    return Selection(form, form.filters(viewer=request.user), form.values(), form.problems())


def _analysts() -> list[tuple[int, str]]:
    users = get_user_model().objects.filter(groups__name=roles.ANALYST).order_by("username")
    return list(users.values_list("pk", "username"))


def _context(request: HttpRequest, selection: Selection, here: str, **more: Any) -> dict[str, Any]:
    """What every analysis page shows: the filter bar (with the names of the selected
    outlet, story and entity), the tabs keeping the selection, what was dropped."""
    params = selection.params
    names: dict[str, str] = {}
    if "story" in params:
        story = Story.objects.filter(pk=params["story"]).values_list("label", flat=True).first()
        names["story"] = story or f"story {params['story']}"
    entity_ids = [params[name] for name in ("entity", "speaker") if name in params]
    if entity_ids:
        found = dict(Entity.objects.filter(pk__in=entity_ids).values_list("pk", "name"))
        for name in ("entity", "speaker"):
            if name in params:
                names[name] = found.get(int(params[name]), f"entity {params[name]}")
    query = selection.query()
    outlets = list(Outlet.objects.order_by("name").values_list("pk", "name"))
    analysts = _analysts()
    return {
        "chips": _chips(params, names, outlets, analysts),
        "selection": selection,
        "params": params,
        "problems": selection.problems,
        "outlets": outlets,
        "analysts": analysts,
        "layers": Layer.choices,
        "names": names,
        "tabs": [
            (name, label, f"{reverse(name)}{'?' + query if query else ''}", name == here)
            for name, label in TABS
        ],
        "left_out": analysis.left_out(selection.filters),
        "here": here,
        "keep": [],
        **more,
    }


def _chips(
    params: dict[str, str],
    names: dict[str, str],
    outlets: list[tuple[int, str]],
    analysts: list[tuple[int, str]],
) -> list[str]:
    """The active selection in words, for the closed filter box's summary; outlets' and
    analysts' names come from the menus' lists, already read."""
    chips = []
    if params.get("q"):
        chips.append(f"search: {params['q']}")
    if "outlet" in params:
        outlet = dict(outlets).get(int(params["outlet"]))
        chips.append(f"outlet: {outlet or params['outlet']}")
    for name in ("story", "entity", "speaker"):
        if name in params:
            chips.append(f"{name}: {names.get(name, params[name])}")
    if "batch" in params:
        chips.append(f"import #{params['batch']}")
    if "status" in params:
        chips.append(f"review: {params['status'].replace('_', ' ')}")
    if "from" in params:
        chips.append(f"from {params['from']}")
    if "to" in params:
        chips.append(f"until {params['to']}")
    layer = Layer(params.get("layer", Layer.ALL.value)).label
    if "analyst" in params:
        username = dict(analysts).get(int(params["analyst"]))
        layer = f"{layer}: {username or params['analyst']}"
    chips.append(f"layer: {layer.lower()}")
    return chips


def _page_links(page: Any, query: str) -> dict[str, str]:
    """Previous and next page links that keep the selection and the narrowing."""
    links = {}
    if page.has_previous():
        links["previous"] = f"?{query}&page={page.previous_page_number()}"
    if page.has_next():
        links["next"] = f"?{query}&page={page.next_page_number()}"
    return links


def _api(name: str, selection: Selection, **more: Any) -> str:
    return f"{reverse(name)}?{selection.query(**more)}"


def _options(form_class: Any, request: HttpRequest) -> tuple[dict[str, Any], list[str]]:
    """An analysis page's own parameters: the valid ones, and the dropped ones said."""
    form = form_class(request.GET)
    form.is_valid()
    data = {key: value for key, value in form.cleaned_data.items() if key not in form.errors}
    problems = [f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()]
    return data, problems


def analysis_home(request: HttpRequest) -> HttpResponse:
    """The section's first page is the stance matrix."""
    return matrix(request)


def matrix(request: HttpRequest) -> HttpResponse:
    selection = _selection(request)
    options, problems = _options(MatrixOptions, request)
    holders = options.get("holders") or analysis.MATRIX_SIZE
    targets = options.get("targets") or analysis.MATRIX_SIZE
    sort = options.get("sort") or "total"
    result = analysis.stance_matrix(selection.filters, holders=holders, targets=targets, sort=sort)
    link = analysis.EvidenceLinks(selection.params)
    rows = []
    for holder in result.holders:
        cells = []
        for target in result.targets:
            cell = result.cell(holder.key, target.key)
            href = link(holder=holder.key, target=target.key) if cell else ""
            cells.append((target, cell, href))
        rows.append((holder, cells, link(holder=holder.key)))
    extra = {"holders": holders, "targets": targets, "sort": sort}
    return render(
        request,
        "annotations/analysis/matrix.html",
        _context(
            request,
            selection,
            "analysis-matrix",
            matrix=result,
            rows=rows,
            sort=sort,
            sorts=analysis.MATRIX_SORTS,
            holders=holders,
            targets=targets,
            option_problems=problems,
            sort_links={
                name: f"{reverse('analysis-matrix')}?{selection.query(**{**extra, 'sort': name})}"
                for name in analysis.MATRIX_SORTS
            },
            columns=[(target, link(target=target.key)) for target in result.targets],
            keep=list(extra.items()),
            exports={
                "CSV": _api("api-analysis-matrix", selection, format="csv", **extra),
                "JSON": _api("api-analysis-matrix", selection, **extra),
            },
        ),
    )


MODES = (
    ("two-mode", "Holders → targets (two-mode)"),
    ("congruence", "Actors who agree (congruence)"),
    ("conflict", "Actors who disagree (conflict)"),
)
NORMALIZATIONS = (
    ("no", "None (counts)"),
    ("average", "Average activity of the two"),
    ("jaccard", "Jaccard"),
    ("cosine", "Cosine (DNA: product of activities)"),
    ("activity", "Activity (the holder's stances)"),
    ("prominence", "Prominence (the target's stances)"),
)


def network(request: HttpRequest) -> HttpResponse:
    selection = _selection(request)
    options, problems = _options(NetworkOptions, request)
    mode = options.get("mode") or "two-mode"
    normalization = options.get("normalization") or "no"
    if normalization not in NetworkOptions.NORMALIZATIONS[mode]:
        normalization = "no"
    limit = options.get("limit") or analysis.NETWORK_SIZE
    extra = {"mode": mode, "normalization": normalization, "limit": limit}
    return render(
        request,
        "annotations/analysis/network.html",
        _context(
            request,
            selection,
            "analysis-network",
            mode=mode,
            normalization=normalization,
            limit=limit,
            modes=MODES,
            normalizations=[
                (value, label)
                for value, label in NORMALIZATIONS
                if value in NetworkOptions.NORMALIZATIONS[mode]
            ],
            option_problems=problems,
            keep=list(extra.items()),
            data_src=_api("api-analysis-network", selection, **extra),
            exports={
                "GraphML": _api("api-analysis-network", selection, format="graphml", **extra),
                "GEXF": _api("api-analysis-network", selection, format="gexf", **extra),
                "CSV (edges)": _api("api-analysis-network", selection, format="csv", **extra),
                "JSON": _api("api-analysis-network", selection, **extra),
                "Event list (CSV)": _api("api-analysis-events", selection, format="csv"),
            },
        ),
    )


def timeline(request: HttpRequest) -> HttpResponse:
    selection = _selection(request)
    options, problems = _options(TimelineOptions, request)
    actor_id = options.get("actor")
    interval = options.get("interval") or "week"
    actor = Entity.objects.filter(pk=actor_id).only("name", "kind").first() if actor_id else None
    if actor_id and actor is None:
        problems.append(f"actor: there is no entity {actor_id}.")
        actor_id = None
    holders = analysis.top_holders(selection.filters, 12)
    extra = {"interval": interval, "actor": actor_id}
    return render(
        request,
        "annotations/analysis/timeline.html",
        _context(
            request,
            selection,
            "analysis-timeline",
            actor=actor,
            interval=interval,
            intervals=analysis.Interval.choices,
            top_actors=holders,
            option_problems=problems,
            keep=[(key, value) for key, value in extra.items() if value],
            data_src=_api("api-analysis-timeline", selection, **extra),
            exports={
                "CSV": _api("api-analysis-timeline", selection, format="csv", **extra),
                "JSON": _api("api-analysis-timeline", selection, **extra),
            },
        ),
    )


def sources(request: HttpRequest) -> HttpResponse:
    selection = _selection(request)
    result = analysis.top_sources(selection.filters)
    rows = [
        (
            source,
            [(name, source.outlets.get(pk, 0)) for pk, name in result.outlets],
            analysis.quotes_url(selection.params, quoted=source.entity_id),
        )
        for source in result.speakers
    ]
    return render(
        request,
        "annotations/analysis/sources.html",
        _context(
            request,
            selection,
            "analysis-sources",
            sources=result,
            rows=rows,
            summary=sources_summary(result),
            data_src=_api("api-analysis-sources", selection),
            exports={
                "CSV": _api("api-analysis-sources", selection, format="csv"),
                "JSON": _api("api-analysis-sources", selection),
            },
        ),
    )


def evidence(request: HttpRequest) -> HttpResponse:
    """The statements behind a figure (a matrix cell, a tie, a point of a timeline), or
    every statement of the selection: DNA's event list, paged."""
    selection = _selection(request)
    options, problems = _options(EventOptions, request)
    narrowing = {
        key: options.get(key) or ""
        for key in ("holder", "target", "side", "relation")
        if options.get(key)
    }
    actors = options.get("actors") or ()
    if actors:
        narrowing["actors"] = ",".join(actors)
    rows = analysis.for_display(
        analysis.evidence(
            selection.filters,
            holder=narrowing.get("holder", ""),
            target=narrowing.get("target", ""),
            side=narrowing.get("side", ""),
            actors=actors,
            relation=narrowing.get("relation", ""),
        )
    )
    page = Paginator(rows, STATEMENTS_PAGE).get_page(request.GET.get("page"))
    keys = [narrowing.get("holder"), narrowing.get("target"), *actors]
    entity_ids = []
    for key in keys:
        if key:
            entity_id, _ = analysis.parse_key(key)
            if entity_id is not None:
                entity_ids.append(entity_id)
    names = dict(Entity.objects.filter(pk__in=entity_ids).values_list("pk", "name"))

    def label(key: str) -> str:
        entity_id, topic = analysis.parse_key(key)
        return names.get(entity_id, f"entity {entity_id}") if entity_id is not None else topic

    narrowed = [
        (name, label(value) if name in ("holder", "target") else value)
        for name, value in narrowing.items()
        if name != "actors"
    ]
    if actors:
        narrowed.insert(0, ("actors", " and ".join(label(key) for key in actors)))
    page_links = _page_links(page, selection.query(**narrowing))
    return render(
        request,
        "annotations/analysis/statements.html",
        _context(
            request,
            selection,
            "analysis-evidence",
            page=page,
            narrowed=narrowed,
            option_problems=problems,
            page_links=page_links,
            clear_narrowing=f"{reverse('analysis-evidence')}?{selection.query()}",
            exports={
                "Event list (CSV)": _api(
                    "api-analysis-events", selection, format="csv", **narrowing
                ),
                "JSONL": _api("api-analysis-events", selection, format="jsonl", **narrowing),
            },
        ),
    )


def quotes(request: HttpRequest) -> HttpResponse:
    """The quotes behind a figure (a timeline's point, a source's count): the selection's
    attributed quotes in its layer, one speaker's with `quoted`, paged."""
    selection = _selection(request)
    options, problems = _options(QuoteOptions, request)
    quoted = options.get("quoted")
    rows = analysis.quotes(selection.filters).filter(speaker__isnull=False)
    speaker = None
    if quoted:
        speaker = Entity.objects.filter(pk=quoted).values_list("name", flat=True).first()
        rows = rows.filter(speaker_id=quoted)
    page = Paginator(analysis.quotes_for_display(rows), STATEMENTS_PAGE).get_page(
        request.GET.get("page")
    )
    narrowing = {"quoted": quoted} if quoted else {}
    page_links = _page_links(page, selection.query(**narrowing))
    return render(
        request,
        "annotations/analysis/quotes.html",
        _context(
            request,
            selection,
            "analysis-quotes",
            page=page,
            speaker=speaker or (f"entity {quoted}" if quoted else ""),
            option_problems=problems,
            page_links=page_links,
            keep=list(narrowing.items()),
            clear_narrowing=f"{reverse('analysis-quotes')}?{selection.query()}",
        ),
    )
