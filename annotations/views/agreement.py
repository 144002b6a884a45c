"""The Agreement page: how far analysts agree over a selection of articles (the filters
live in the URL), overall and per field, per pair of analysts, per story and per article
(worst first), each article linking to its disagreements. Leads and admins only."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from annotations.agreement.metrics import Counts
from annotations.agreement.report import FIELDS, WHOLE_UNIT, ScopeAgreement
from annotations.forms import AgreementForm
from annotations.selectors.agreement import (
    AgreementData,
    adjudication_path,
    agreement_for,
    reader_path,
)
from newsdesk import roles

# Articles listed on the page, worst first; the API and its CSV list them all.
ARTICLES_SHOWN = 50
FIELD_LABELS = {
    "speaker": "Speaker",
    "cue": "Cue",
    "kind": "Kind",
    "holder": "Holder",
    "target": "Target",
    "polarity": "Polarity",
    WHOLE_UNIT: "Whole unit",
}
KIND_LABELS = {"quote": "Quotes", "stance": "Stances"}


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@dataclass
class Line:
    """One row of a table: what it is, its link, its scores and its counts."""

    label: str
    counts: Counts
    percent: str
    href: str = ""
    kind: str = ""
    kappa: str = "—"
    kappa_kind: str = ""
    alpha: str = "—"
    alpha_u: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def _field_lines(scope: ScopeAgreement) -> list[Line]:
    spans = {s.kind: s for s in scope.spans}
    lines = []
    for kind in FIELDS:
        span = spans[kind]
        lines.append(
            Line(
                label=f"{KIND_LABELS[kind]}: where (spans)",
                kind=kind,
                counts=span.counts,
                percent=_percent(span.percent),
                alpha_u={"value": _score(span.alpha_u)},
                extra={"span": True, "left_out": span.left_out, "merged": span.merged},
            )
        )
        for f in scope.fields:
            if f.kind != kind:
                continue
            lines.append(
                Line(
                    label=f"{KIND_LABELS[kind]}: {FIELD_LABELS[f.field].lower()}",
                    kind=kind,
                    counts=f.counts,
                    percent=_percent(f.percent),
                    kappa=_score(f.kappa),
                    kappa_kind=f.kappa_kind,
                    alpha=_score(f.alpha),
                )
            )
    return lines


def _scope_line(data: AgreementData, scope: ScopeAgreement, href: str = "") -> Line:
    return Line(
        label=data.label(scope),
        href=href,
        counts=scope.counts,
        percent=_percent(scope.percent),
        alpha_u={s.kind: _score(s.alpha_u) for s in scope.spans},
        extra={"articles": scope.articles},
    )


def _page_link(params: dict[str, str], **changes: str) -> str:
    merged = {**params, **changes}
    kept = [(name, merged[name]) for name in AgreementForm.PARAMS if merged.get(name)]
    base = reverse("agreement")
    return f"{base}?{urlencode(kept)}" if kept else base


def agreement(request: HttpRequest) -> HttpResponse:
    if not roles.is_lead(request.user):
        raise PermissionDenied("Only leads and admins may read agreement between analysts.")
    form = AgreementForm(request.GET)
    params = form.values()
    data = agreement_for(form.selection(viewer=request.user))
    report = data.report

    shown = report.articles[:ARTICLES_SHOWN]
    shown_ids = {s.key for s in shown}
    by_article: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for d in report.disagreements:
        if d.article_id not in shown_ids:
            continue
        by_article[d.article_id].append(
            {
                "kind": d.kind,
                "field": FIELD_LABELS.get(d.field, d.field),
                "start": d.start,
                "end": d.end,
                "values": [
                    {
                        "coder": data.coder_name(c),
                        "value": v,
                        "href": reader_path(d.article_id, d.kind, d.items[c])
                        if c in d.items
                        else "",
                    }
                    for c, v in d.values.items()
                ],
            }
        )
    articles = []
    for scope in shown:
        line = _scope_line(data, scope, reader_path(scope.key))
        line.extra.update(
            {
                "id": scope.key,
                "coders": ", ".join(data.coder_name(c) for c in scope.coders),
                "adjudicate": adjudication_path(scope.key),
                "disagreements": by_article.get(scope.key, []),
            }
        )
        articles.append(line)
    pairs = [_scope_line(data, scope) for scope in report.pairs]
    stories = [
        _scope_line(data, scope, _page_link(params, story=str(scope.key)))
        for scope in report.stories
    ]
    api_query = urlencode([(k, v) for k, v in params.items()])
    context = {
        "params": params,
        "errors": form.errors,
        "data": data,
        "report": report,
        "overall": _scope_line(data, report.overall),
        "field_lines": _field_lines(report.overall),
        "pairs": pairs,
        "stories": stories,
        "articles": articles,
        "articles_hidden": max(0, len(report.articles) - ARTICLES_SHOWN),
        "clear": reverse("agreement"),
        "csv": f"{reverse('api-agreement')}?{api_query}{'&' if api_query else ''}format=csv",
        "json": f"{reverse('api-agreement')}{'?' if api_query else ''}{api_query}",
    }
    return render(request, "annotations/agreement.html", context)
