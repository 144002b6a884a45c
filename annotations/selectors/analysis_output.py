"""The analysis figures as the API answers them and the pages' charts draw them: JSON
dicts, tidy CSV rows and graph files, every figure with the link to its evidence. The API
and the pages call these, so that a chart, its table and its export never disagree."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote_plus

from django.urls import reverse

from annotations.analysis import exports, network
from annotations.selectors import analysis
from annotations.selectors.analysis import (
    AnalysisFilters,
    EvidenceLinks,
    Interval,
    Side,
    Sources,
    StanceMatrix,
    entity_url,
    evidence_url,
    query_of,
    quotes_url,
)
from annotations.selectors.analysis import (
    counted as counted_as,
)
from annotations.selectors.browse import month_end

# --- the stance matrix ------------------------------------------------------------------


def _side_dict(side: Side) -> dict[str, Any]:
    return {
        "id": side.key,
        "entity_id": side.entity_id,
        "name": side.name,
        "kind": side.kind,
        "support": side.support,
        "oppose": side.oppose,
        "other": side.other,
        "net": side.net,
        "total": side.total,
        "url": entity_url(side.entity_id),
    }


def matrix_dict(matrix: StanceMatrix, params: dict[str, str]) -> dict[str, Any]:
    link = EvidenceLinks(params)
    return {
        "summary": matrix.summary,
        "statements": matrix.statements,
        "holders_total": matrix.holders_total,
        "targets_total": matrix.targets_total,
        "holders": [_side_dict(side) for side in matrix.holders],
        "targets": [_side_dict(side) for side in matrix.targets],
        "cells": [
            {
                "holder": cell.holder,
                "target": cell.target,
                "support": cell.support,
                "oppose": cell.oppose,
                "other": cell.other,
                "net": cell.net,
                "total": cell.total,
                "evidence": link(holder=cell.holder, target=cell.target),
            }
            for holder in matrix.holders
            for target in matrix.targets
            if (cell := matrix.cell(holder.key, target.key)) is not None
        ],
    }


def matrix_rows(matrix: StanceMatrix, params: dict[str, str]) -> list[dict[str, Any]]:
    """One tidy row per non-empty cell, with both ends' names, ids and kinds."""
    rows = []
    for holder in matrix.holders:
        for target in matrix.targets:
            cell = matrix.cell(holder.key, target.key)
            if cell is None:
                continue
            rows.append(
                {
                    "holder": holder.name,
                    "holder_id": holder.entity_id,
                    "holder_kind": holder.kind,
                    "target": target.name,
                    "target_id": target.entity_id,
                    "target_kind": target.kind,
                    "support": cell.support,
                    "oppose": cell.oppose,
                    "other": cell.other,
                    "net": cell.net,
                    "total": cell.total,
                }
            )
    if not rows:
        rows.append(
            dict.fromkeys(
                (
                    "holder",
                    "holder_id",
                    "holder_kind",
                    "target",
                    "target_id",
                    "target_kind",
                    "support",
                    "oppose",
                    "other",
                    "net",
                    "total",
                ),
                "",
            )
        )
    return rows


# --- networks ---------------------------------------------------------------------------


def network_for(
    filters: AnalysisFilters, *, mode: str, normalization: str, limit: int
) -> network.Graph:
    """The network of the `limit` most active holders of the selection: to their `limit`
    most addressed targets (two-mode), or to each other by shared targets (one-mode).
    One scan of the selection and one or two queries for names, whatever its size; one
    more holder and target than drawn is read, to say whether the limit left any out."""
    found = analysis.scan(filters, holders=limit + 1, targets=None)
    more = len(found.holders) > limit
    holders = found.holders[:limit]
    kept = {side.key for side in holders}
    tallies = [tally for tally in found.tallies if tally.holder in kept]
    if mode == "two-mode":
        totals: dict[str, int] = {}
        for tally in tallies:
            totals[tally.target] = totals.get(tally.target, 0) + tally.statements

        def order(key: str) -> tuple[Any, ...]:
            entity_id, topic = analysis.parse_key(key)
            return (-totals[key], entity_id is None, entity_id or 0, topic)

        ranked = sorted(totals, key=order)
        more = more or len(ranked) > limit
        targets = set(ranked[:limit])
        tallies = [tally for tally in tallies if tally.target in targets]
        names = analysis.entity_names(
            {pk for key in targets if (pk := analysis.parse_key(key)[0]) is not None}
        )
        infos: dict[str, network.NodeInfo] = {}
        for key in targets:
            entity_id, _ = analysis.parse_key(key)
            if entity_id is None:
                infos[key] = network.NodeInfo(key, None, found.labels.get(key, ""), "TOPIC")
            else:
                name, kind = names.get(entity_id, ("", ""))
                infos[key] = network.NodeInfo(key, entity_id, name, kind)
        # A holder that is also a target is one node (an actor).
        infos |= {side.key: side.info() for side in holders}
    else:
        # The targets only join actors in a one-mode network: they are not drawn, and
        # need no names.
        infos = {
            key: network.NodeInfo(key, analysis.parse_key(key)[0], "", "")
            for key in {tally.target for tally in tallies}
        } | {side.key: side.info() for side in holders}
    graph = network.network(infos, tallies, mode=mode, normalization=normalization, limit=limit)
    return replace(graph, truncated=graph.truncated or more)


def network_summary(graph: network.Graph) -> str:
    actors = [node for node in graph.nodes if node.type == "actor"]
    ties = len(graph.edge_table)
    if not graph.nodes:
        return "No stances in this selection: no network to draw."
    if graph.mode == "two-mode":
        targets = len(graph.nodes) - len(actors)
        text = (
            f"{counted_as(len(actors), 'holder')}, {counted_as(targets, 'other target')} "
            f"(holding no stance), {counted_as(ties, 'tie')}."
        )
    else:
        text = (
            f"{counted_as(len(actors), 'actor')}, {counted_as(ties, 'tie')} of "
            f"{graph.mode} (normalisation: {graph.normalization})."
        )
    if ties:
        source, target, weight = graph.strongest()
        text += f" Strongest: {source.name} and {target.name} ({weight:.3g})."
    if graph.truncated:
        text += f" Only the {graph.limit} most active actors are drawn."
    return text


def _edge_evidence(graph: network.Graph, params: dict[str, str]) -> exports.EdgeLink:
    """The statements behind a tie: a holder's on a target (two-mode), or two actors' on
    their shared targets (one-mode). Each key is URL-quoted once, not once per edge."""
    base = EvidenceLinks(params).base
    quoted = {node.key: quote_plus(node.key) for node in graph.nodes}
    if graph.mode == "two-mode":
        return lambda source, target: f"{base}holder={quoted[source]}&target={quoted[target]}"
    relation = quote_plus(graph.mode)
    return lambda source, target: (
        f"{base}actors={quoted[source]}%2C{quoted[target]}&relation={relation}"
    )


def _node_url(node: Any) -> str | None:
    return entity_url(node.entity_id)


def network_chunks(graph: network.Graph, params: dict[str, str], fmt: str) -> Iterator[bytes]:
    """The network in `fmt` (json, graphml, gexf or csv), as chunks to stream."""
    if fmt == "graphml":
        return exports.graphml_chunks(graph)
    if fmt == "gexf":
        return exports.gexf_chunks(graph)
    if fmt == "csv":
        return exports.graph_csv_chunks(graph)
    return exports.graph_json_chunks(
        graph,
        _node_url,
        _edge_evidence(graph, params),
        summary=network_summary(graph),
        more={"evidence": evidence_url(params)},
    )


# --- timelines --------------------------------------------------------------------------


def period_end(start: date, interval: str) -> date:
    if interval == Interval.DAY:
        return start
    if interval == Interval.WEEK:
        return start + timedelta(days=6)
    return month_end(start)


def _narrowed(params: dict[str, str], start: date, interval: str) -> dict[str, str]:
    """The selection's parameters, its dates narrowed to one period."""
    first, last = start, period_end(start, interval)
    if "from" in params:
        first = max(first, date.fromisoformat(params["from"]))
    if "to" in params:
        last = min(last, date.fromisoformat(params["to"]))
    return {**params, "from": first.isoformat(), "to": last.isoformat()}


def list_url(params: dict[str, str], **more: Any) -> str:
    kept = {key: value for key, value in params.items() if key not in ("layer", "analyst")}
    return f"{reverse('home')}?{query_of(kept, **more)}"


def timeline_dict(
    filters: AnalysisFilters, params: dict[str, str], *, actor: int | None, interval: str
) -> dict[str, Any]:
    """An actor's quotes and stances per period, or the selection's articles per outlet
    per period; each point links to the quotes, statements or articles it counts."""
    series_out = []
    if actor is not None:
        for series in analysis.actor_timeline(filters, actor, interval):
            points = []
            for start, count in series.points:
                narrowed = _narrowed(params, start, interval)
                if series.key == "quotes":
                    link = quotes_url(narrowed, quoted=actor)
                else:
                    link = evidence_url(narrowed, holder=f"e{actor}", side=series.key)
                points.append({"period": start.isoformat(), "count": count, "evidence": link})
            series_out.append({"key": series.key, "label": series.label, "points": points})
    else:
        for series in analysis.coverage_timeline(filters, interval):
            outlet = series.key.removeprefix("outlet-")
            # Articles without an outlet have no list of their own to link to.
            points = [
                {
                    "period": start.isoformat(),
                    "count": count,
                    "evidence": list_url(_narrowed(params, start, interval), outlet=outlet)
                    if outlet != "none"
                    else None,
                }
                for start, count in series.points
            ]
            series_out.append({"key": series.key, "label": series.label, "points": points})
    return {
        "interval": interval,
        "actor": actor,
        "summary": timeline_summary(series_out, interval, actor is not None),
        "series": series_out,
    }


def timeline_summary(series: list[dict[str, Any]], interval: str, of_actor: bool) -> str:
    counted = [(s["label"], sum(p["count"] for p in s["points"])) for s in series]
    periods = sorted({p["period"] for s in series for p in s["points"]})
    if not periods:
        return "Nothing in this selection to put on a timeline."
    what = ", ".join(f"{label}: {total}" for label, total in counted if total)
    busiest = max(
        periods,
        key=lambda period: sum(
            p["count"] for s in series for p in s["points"] if p["period"] == period
        ),
    )
    lines = len([c for c in counted if c[1]])
    across = counted_as(lines, "series", "series") if of_actor else counted_as(lines, "outlet")
    return (
        f"{counted_as(len(periods), interval)} from {periods[0]} to {periods[-1]} across "
        f"{across} ({what}); busiest {interval}: {busiest}."
    )


def timeline_rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [
        {
            "series": series["key"],
            "label": series["label"],
            "period": point["period"],
            "count": point["count"],
        }
        for series in body["series"]
        for point in series["points"]
    ]
    return rows or [dict.fromkeys(("series", "label", "period", "count"), "")]


# --- sources ----------------------------------------------------------------------------


def sources_summary(sources: Sources) -> str:
    if not sources.speakers:
        return "No attributed quotes in this selection."
    top = sources.speakers[0]
    return (
        f"{counted_as(sources.quotes, 'attributed quote')} from "
        f"{counted_as(sources.speakers_total, 'speaker')} in "
        f"{counted_as(sources.outlets_total, 'outlet')}; most quoted: {top.name} ({top.quotes})."
    )


def sources_dict(sources: Sources, params: dict[str, str]) -> dict[str, Any]:
    return {
        "summary": sources_summary(sources),
        "quotes": sources.quotes,
        "speakers_total": sources.speakers_total,
        "outlets": [{"id": pk, "name": name} for pk, name in sources.outlets],
        "speakers": [
            {
                "id": f"e{source.entity_id}",
                "entity_id": source.entity_id,
                "name": source.name,
                "kind": source.kind,
                "quotes": source.quotes,
                "outlets": {name: source.outlets.get(pk, 0) for pk, name in sources.outlets},
                "url": entity_url(source.entity_id),
                "evidence": quotes_url(params, quoted=source.entity_id),
            }
            for source in sources.speakers
        ],
    }


def sources_rows(sources: Sources, params: dict[str, str]) -> list[dict[str, Any]]:
    rows = [
        {
            "speaker": source.name,
            "speaker_id": source.entity_id,
            "outlet": name,
            "outlet_id": pk,
            "quotes": source.outlets.get(pk, 0),
            "speaker_quotes": source.quotes,
        }
        for source in sources.speakers
        for pk, name in sources.outlets
    ]
    return rows or [
        dict.fromkeys(
            ("speaker", "speaker_id", "outlet", "outlet_id", "quotes", "speaker_quotes"), ""
        )
    ]


__all__ = [
    "matrix_dict",
    "matrix_rows",
    "network_chunks",
    "network_for",
    "sources_dict",
    "sources_rows",
    "timeline_dict",
    "timeline_rows",
]
