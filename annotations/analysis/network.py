"""Actor networks from stance tallies, with the Discourse Network Analyzer's semantics.

The formulas follow DNA (Philip Leifeld, github.com/leifeld/dna, file
`dna/src/main/java/dna/export/Exporter.java`, commit 2adbf78): `createArray` (the actor x
concept x qualifier count array), `computeTwoModeMatrix` (two-mode aggregation and
normalisation) and `computeOneModeMatrix` (one-mode aggregation and normalisation). Our
terms map onto DNA's: a stance holder is DNA's variable 1 (organisation), a target is
variable 2 (concept), and the stance's sign is the qualifier (DNA's "agreement").

Everything is computed on sparse count matrices (scipy.sparse), never by looping over pairs
in Python, and a `limit` cuts the node set *before* any pairwise work, so a page asking for
the top 100 actors costs the same whatever the size of the corpus.

Inputs are the lead's SQL aggregates: `NodeInfo` per node key and `Tally` per (holder,
target, sign) with a statement count. Output is a `Graph`, independent of any file format
(see `exports`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, NamedTuple

import numpy as np
from scipy import sparse

SUPPORT, OPPOSE, OTHER = 1, -1, 0

TWO_MODE_AGGREGATIONS = ("ignore", "subtract", "combine")
TWO_MODE_NORMALIZATIONS = ("no", "activity", "prominence")
ONE_MODE_AGGREGATIONS = ("congruence", "conflict", "subtract")
ONE_MODE_NORMALIZATIONS = ("no", "average", "jaccard", "cosine")
NEUTRAL_RULES = ("exclude", "midpoint")

Neutral = Literal["exclude", "midpoint"]


@dataclass(frozen=True)
class NodeInfo:
    key: str  # "e12" or "t:nato enlargement"
    entity_id: int | None
    name: str
    kind: str  # PERSON, ORG, GPE, ... or TOPIC


class Tally(NamedTuple):
    """Statements of one holder on one target with one sign (+1, -1 or 0). A named tuple:
    a selection of a hundred thousand stances makes tens of thousands of them."""

    holder: str  # node key
    target: str  # node key
    sign: int
    statements: int


@dataclass(frozen=True)
class Node:
    key: str
    entity_id: int | None
    name: str
    kind: str
    type: str  # "actor" | "target"
    activity: int  # statements: held by an actor, received by a target-only node
    support: int
    oppose: int
    other: int
    degree: int  # in the resulting graph (in + out for two-mode; a self-loop counts twice)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    weight: float
    support: int
    oppose: int
    other: int
    polarity: str
    shared: int


@dataclass(frozen=True, eq=False)
class EdgeTable:
    """Edges as columns (numpy arrays), so that building a large graph stays vectorised.

    `source` and `target` are positions in `Graph.nodes`.
    """

    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    support: np.ndarray
    oppose: np.ndarray
    other: np.ndarray
    shared: np.ndarray
    polarity: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.source.shape[0])

    @classmethod
    def empty(cls) -> EdgeTable:
        ints = np.zeros(0, dtype=np.int64)
        return cls(ints, ints, np.zeros(0), ints, ints, ints, ints, ())


@dataclass(frozen=True, eq=False)
class Graph:
    """A network, independent of any output format.

    mode: "two-mode" (directed holder -> target) or the one-mode aggregation
    ("congruence", "conflict", "subtract"; undirected actor - actor).
    aggregation: DNA's qualifier aggregation that produced the weights.
    limit / truncated: the node cut applied before the computation, and whether it removed
    anything.
    """

    mode: str
    aggregation: str
    normalization: str
    directed: bool
    nodes: tuple[Node, ...]
    edge_table: EdgeTable
    truncated: bool
    limit: int | None
    neutral: str | None = None  # one-mode only: how sign-0 statements entered the weights

    def strongest(self) -> tuple[Node, Node, float]:
        """The ends and weight of the heaviest edge; among equal weights, the last in node
        order. A graph without edges has none (ValueError)."""
        table = self.edge_table
        if not len(table):
            raise ValueError("a graph without edges has no strongest edge")
        i = int(np.lexsort((table.target, table.source, table.weight))[-1])
        source, target = self.nodes[int(table.source[i])], self.nodes[int(table.target[i])]
        return source, target, float(table.weight[i])

    @cached_property
    def edges(self) -> list[Edge]:
        table = self.edge_table
        keys = [node.key for node in self.nodes]
        return [
            Edge(
                source=keys[s],
                target=keys[t],
                weight=w,
                support=sup,
                oppose=opp,
                other=oth,
                polarity=pol,
                shared=sh,
            )
            for s, t, w, sup, opp, oth, sh, pol in zip(
                table.source.tolist(),
                table.target.tolist(),
                table.weight.tolist(),
                table.support.tolist(),
                table.oppose.tolist(),
                table.other.tolist(),
                table.shared.tolist(),
                table.polarity,
                strict=True,
            )
        ]


# -- inputs --------------------------------------------------------------------------------


def _node_map(nodes: Mapping[str, NodeInfo] | Iterable[NodeInfo]) -> dict[str, NodeInfo]:
    if isinstance(nodes, Mapping):
        return dict(nodes)
    return {node.key: node for node in nodes}


class _Tallies:
    """Tallies as code arrays over one key index shared by holders and targets."""

    def __init__(self, tallies: Iterable[Tally], info: Mapping[str, NodeInfo]) -> None:
        rows = tallies if isinstance(tallies, Sequence) else list(tallies)
        n = len(rows)
        # Columns by transposing the tuples, keys coded through one dict: no Python loop
        # over the rows.
        holders, targets, signs, counts = zip(*rows, strict=True) if n else ((), (), (), ())
        self.keys = list(dict.fromkeys(holders + targets))
        index = {key: i for i, key in enumerate(self.keys)}
        self.holder = np.fromiter(map(index.__getitem__, holders), dtype=np.int64, count=n)
        self.target = np.fromiter(map(index.__getitem__, targets), dtype=np.int64, count=n)
        self.sign = np.fromiter(signs, dtype=np.int64, count=n)
        self.count = np.fromiter(counts, dtype=np.int64, count=n)
        unknown = [key for key in self.keys if key not in info]
        if unknown:
            raise ValueError(f"tallies refer to nodes without NodeInfo: {unknown[:5]}")
        if n and not np.isin(self.sign, (SUPPORT, OPPOSE, OTHER)).all():
            raise ValueError("a tally's sign must be +1, -1 or 0")
        if n and (self.count < 0).any():
            raise ValueError("a tally's count must not be negative")
        self.info = info
        self.select(self.count > 0)

    def select(self, mask: np.ndarray) -> None:
        self.holder = self.holder[mask]
        self.target = self.target[mask]
        self.sign = self.sign[mask]
        self.count = self.count[mask]

    def __len__(self) -> int:
        return int(self.count.shape[0])

    def by_sign(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Statement counts per code (support, oppose, other), summed over the tallies."""
        size = len(self.keys)
        return tuple(  # type: ignore[return-value]
            np.bincount(
                codes, weights=np.where(self.sign == sign, self.count, 0), minlength=size
            ).astype(np.int64)
            for sign in (SUPPORT, OPPOSE, OTHER)
        )

    def top(self, codes: np.ndarray, limit: int | None) -> tuple[np.ndarray, bool]:
        """The codes present in `codes`, most statements first, ties by name then key;
        cut to `limit`. Returns (codes in rank order, whether the cut removed any)."""
        totals = np.bincount(codes, weights=self.count, minlength=len(self.keys))
        present = np.unique(codes)
        ranked = sorted(
            present.tolist(),
            key=lambda c: (-totals[c], self.info[self.keys[c]].name, self.keys[c]),
        )
        if limit is not None and len(ranked) > limit:
            return np.asarray(ranked[:limit], dtype=np.int64), True
        return np.asarray(ranked, dtype=np.int64), False


def _check_limit(limit: int | None) -> None:
    if limit is not None and limit < 0:
        raise ValueError("limit must be None or >= 0")


def _node(info: NodeInfo, type_: str, counts: tuple[int, int, int], degree: int) -> Node:
    support, oppose, other = counts
    return Node(
        key=info.key,
        entity_id=info.entity_id,
        name=info.name,
        kind=info.kind,
        type=type_,
        activity=support + oppose + other,
        support=support,
        oppose=oppose,
        other=other,
        degree=degree,
    )


def _degrees(size: int, source: np.ndarray, target: np.ndarray) -> list[int]:
    degree = np.bincount(source, minlength=size) + np.bincount(target, minlength=size)
    return [int(d) for d in degree]


# -- two-mode ------------------------------------------------------------------------------


def _polarity(support: np.ndarray, oppose: np.ndarray) -> tuple[str, ...]:
    labels = np.array(["neutral", "support", "oppose", "mixed"], dtype=object)
    code = (support > 0).astype(np.int64) + 2 * (oppose > 0).astype(np.int64)
    return tuple(labels[code].tolist())


def two_mode_network(
    nodes: Mapping[str, NodeInfo] | Iterable[NodeInfo],
    tallies: Iterable[Tally],
    *,
    aggregation: str = "ignore",
    normalization: str = "no",
    limit: int | None = None,
) -> Graph:
    """The holder -> target network (DNA's two-mode network, `computeTwoModeMatrix`).

    The sign is DNA's *integer* qualifier with the levels -1 (oppose), 0 (other) and +1
    (support), so every statement counts and `ignore` gives the total count:

    - ``ignore``: weight = support + oppose + other (DNA sums the array over all levels).
    - ``subtract``: weight = support - oppose (DNA adds |q| x count for q >= 0 and subtracts
      it for q < 0; the 0 level adds nothing).
    - ``combine``: weight = the lexical rank of which levels occur, levels in DNA's sorted
      order (-1, 0, +1) read as binary digits (`lexRank`): 1 support only, 2 other only,
      3 other + support, 4 oppose only, 5 mixed, 6 oppose + other, 7 all three.

    Normalisation (DNA divides each cell, a zero denominator gives 0):

    - ``activity``: by the holder's row. ``ignore``/``subtract``: the holder's number of
      statements (DNA: row sum of the matrix, or of the array over all levels); ``combine``:
      the holder's number of targets (cells > 0).
    - ``prominence``: the same by the target's column. (For ``combine`` DNA's loop reads
      ``mat[i][j]`` with the indices swapped; the intended count, the target's number of
      holders, is used here.)

    An edge exists for every holder-target pair with at least one statement, so a
    ``subtract`` edge can weigh 0 (as much support as opposition) or less.

    Limit: the top `limit` holders by statements, then, among the statements of those,
    the top `limit` targets by statements received (ties by name, then key). Node counts
    and edges are computed on what remains. A key that holds and receives statements is one
    node (type "actor", counts = statements held); `shared` on an edge is its statement
    count.
    """
    if aggregation not in TWO_MODE_AGGREGATIONS:
        raise ValueError(f"two-mode aggregation must be one of {TWO_MODE_AGGREGATIONS}")
    if normalization not in TWO_MODE_NORMALIZATIONS:
        raise ValueError(f"two-mode normalization must be one of {TWO_MODE_NORMALIZATIONS}")
    _check_limit(limit)
    info = _node_map(nodes)
    data = _Tallies(tallies, info)

    holders, cut_holders = data.top(data.holder, limit)
    data.select(np.isin(data.holder, holders))
    targets, cut_targets = data.top(data.target, limit)
    data.select(np.isin(data.target, targets))
    holders = holders[np.isin(holders, data.holder)]

    # Node order: actors in rank order, then targets that hold nothing, in rank order.
    target_only = targets[~np.isin(targets, holders)]
    order = np.concatenate([holders, target_only])
    position = np.full(len(data.keys), -1, dtype=np.int64)
    position[order] = np.arange(order.shape[0])

    # Per pair (source, target) in node order: counts by sign.
    size = max(int(order.shape[0]), 1)
    pair_code = position[data.holder] * size + position[data.target]
    pairs, inverse = np.unique(pair_code, return_inverse=True)

    def per_pair(sign: int) -> np.ndarray:
        counts = np.where(data.sign == sign, data.count, 0)
        return np.bincount(inverse, weights=counts, minlength=pairs.shape[0]).astype(np.int64)

    support, oppose, other = per_pair(SUPPORT), per_pair(OPPOSE), per_pair(OTHER)
    total = support + oppose + other
    source, target = pairs // size, pairs % size

    if aggregation == "ignore":
        weight = total.astype(np.float64)
    elif aggregation == "subtract":
        weight = (support - oppose).astype(np.float64)
    else:  # combine: bits in DNA's level order -1, 0, +1
        weight = (4 * (oppose > 0) + 2 * (other > 0) + 1 * (support > 0)).astype(np.float64)

    if normalization != "no":
        side = source if normalization == "activity" else target
        if aggregation == "combine":
            denominator: np.ndarray = np.bincount(side, minlength=size).astype(np.float64)
        else:
            denominator = np.bincount(side, weights=total, minlength=size)
        below = denominator[side]
        weight = np.divide(weight, below, out=np.zeros_like(weight), where=below != 0)

    held = data.by_sign(data.holder)
    received = data.by_sign(data.target)
    degree = _degrees(int(order.shape[0]), source, target)
    node_list = []
    for i, code in enumerate(order.tolist()):
        is_actor = i < holders.shape[0]
        counts = held if is_actor else received
        node_list.append(
            _node(
                info[data.keys[code]],
                "actor" if is_actor else "target",
                (int(counts[0][code]), int(counts[1][code]), int(counts[2][code])),
                degree[i],
            )
        )

    table = EdgeTable(
        source=source,
        target=target,
        weight=weight,
        support=support,
        oppose=oppose,
        other=other,
        shared=total,
        polarity=_polarity(support, oppose),
    )
    return Graph(
        mode="two-mode",
        aggregation=aggregation,
        normalization=normalization,
        directed=True,
        nodes=tuple(node_list),
        edge_table=table,
        truncated=cut_holders or cut_targets,
        limit=limit,
    )


# -- one-mode ------------------------------------------------------------------------------


def _levels(neutral: str) -> tuple[tuple[int, ...], tuple[float, ...], float]:
    """Qualifier levels: our signs in DNA's sorted order, DNA's values for them, and DNA's
    `range` (max - min of the values)."""
    if neutral == "exclude":
        # DNA's boolean qualifier: oppose 0, support 1.
        return (OPPOSE, SUPPORT), (0.0, 1.0), 1.0
    # DNA's integer qualifier -1, 0, +1. DNA takes the range from the values present in the
    # data; it is fixed at 2 here, so that a selection without any opposition does not make
    # support against a neutral statement a full conflict.
    return (OPPOSE, OTHER, SUPPORT), (-1.0, 0.0, 1.0), 2.0


def _level_weights(aggregation: str, values: tuple[float, ...], span: float) -> np.ndarray:
    """w(k1, k2) of `computeOneModeMatrix`'s integer/boolean branch."""
    level = np.asarray(values, dtype=np.float64)
    distance = np.abs(level[:, None] - level[None, :]) / span
    if aggregation == "congruence":
        return 1.0 - distance
    if aggregation == "conflict":
        return distance
    return (1.0 - distance) - distance  # subtract


def _values_at(matrix: sparse.csr_array, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """matrix[rows[i], cols[i]], vectorised. `matrix` is a product of csr arrays, which
    scipy returns without duplicates; its indices are sorted in place (once: scipy keeps
    the flag) so that each lookup bisects a row instead of scanning it."""
    if rows.shape[0] == 0:  # scipy answers an empty lookup with a sparse array
        return np.zeros(0)
    matrix.sort_indices()
    return np.asarray(matrix[rows, cols], dtype=np.float64).ravel()


def one_mode_network(
    nodes: Mapping[str, NodeInfo] | Iterable[NodeInfo],
    tallies: Iterable[Tally],
    *,
    aggregation: str = "congruence",
    normalization: str = "no",
    neutral: Neutral = "exclude",
    limit: int | None = None,
) -> Graph:
    """Actor x actor network via shared targets (DNA's one-mode network,
    `Exporter.computeOneModeMatrix`, integer/boolean qualifier branch).

    With `a[i][j][k]` the number of statements of actor i on target j at qualifier level
    k (`createArray`), `v_k` the level's value and `range = max(v) - min(v)`, the raw tie of
    actors i1 != i2 is, summed over targets j and level pairs (k1, k2):

    - ``congruence``: a[i1][j][k1] * a[i2][j][k2] * (1 - |v_k1 - v_k2| / range)
    - ``conflict``:   a[i1][j][k1] * a[i2][j][k2] * (|v_k1 - v_k2| / range)
    - ``subtract``:   congruence - conflict

    Normalisation divides the raw tie by (a zero denominator gives 0), with
    `n_i = sum_jk a[i][j][k]`:

    - ``no``: 1
    - ``average``: (n_i1 + n_i2) / 2
    - ``jaccard``: m10 + m01 + m11 where m10 = sum of a[i1][j][k] over cells where i2 has
      none, m01 the converse, m11 = sum of a[i1][j][k] * a[i2][j][k] over cells both use
    - ``cosine``: sqrt(n_i1^2) * sqrt(n_i2^2), i.e. n_i1 * n_i2 -- DNA's formula, which
      divides by the product of the two actors' activities, not by vector norms.

    Neutral statements (sign 0). DNA's usual qualifier is the boolean "agreement" (yes/no):
    it has no level for a statement that neither supports nor opposes, so in DNA such a
    statement cannot take part in a congruence or conflict tie. ``neutral="exclude"``
    (default) does exactly that: the qualifier is boolean (oppose 0, support 1, range 1),
    a congruence tie counts same-sign pairs and a conflict tie opposite-sign pairs, and
    sign-0 statements are left out of the weights and of every normalisation denominator.
    ``neutral="midpoint"`` instead uses DNA's integer qualifier with the levels -1, 0, +1
    (range 2): a neutral statement is half congruent and half conflicting with a support or
    an opposition on the same target, and fully congruent with another neutral one.

    Edges: every actor pair whose raw tie is not 0 (DNA's matrix cell). `shared` is the
    number of targets both actors made any statement on; `support`/`oppose`/`other` count
    the statements of both actors on those shared targets, by sign (the evidence behind
    the tie). Polarity is the aggregation ("congruence"/"conflict"); for ``subtract`` it is
    "congruence" where the weight is positive and "conflict" where it is negative.

    Nodes are the actors (stance holders), the top `limit` by number of statements (all
    signs), ties by name then key; the cut happens before any pairwise computation. Actors
    without ties stay in the graph with degree 0 (DNA's matrix keeps their rows).
    """
    if aggregation not in ONE_MODE_AGGREGATIONS:
        raise ValueError(f"one-mode aggregation must be one of {ONE_MODE_AGGREGATIONS}")
    if normalization not in ONE_MODE_NORMALIZATIONS:
        raise ValueError(f"one-mode normalization must be one of {ONE_MODE_NORMALIZATIONS}")
    if neutral not in NEUTRAL_RULES:
        raise ValueError(f"neutral must be one of {NEUTRAL_RULES}")
    _check_limit(limit)
    info = _node_map(nodes)
    data = _Tallies(tallies, info)

    actors, truncated = data.top(data.holder, limit)
    data.select(np.isin(data.holder, actors))
    n = int(actors.shape[0])
    row = np.full(len(data.keys), -1, dtype=np.int64)
    row[actors] = np.arange(n)
    targets = np.unique(data.target)
    col = np.full(len(data.keys), -1, dtype=np.int64)
    col[targets] = np.arange(targets.shape[0])
    m = int(targets.shape[0])
    r, c = row[data.holder], col[data.target]

    def counts_of(sign: int) -> sparse.csr_array:
        mask = data.sign == sign
        return sparse.csr_array(
            (data.count[mask].astype(np.float64), (r[mask], c[mask])), shape=(n, m)
        )

    by_sign = {sign: counts_of(sign) for sign in (SUPPORT, OPPOSE, OTHER)}
    levels, values, span = _levels(neutral)
    x = sparse.hstack([by_sign[level] for level in levels], format="csr")
    w = _level_weights(aggregation, values, span)
    y = sparse.hstack(
        [
            sum(w[k1, k2] * by_sign[levels[k1]] for k1 in range(len(levels)))
            for k2 in range(len(levels))
        ],
        format="csr",
    )
    # 1 where an actor made any statement on a target (the constructor sums duplicates).
    used = sparse.csr_array((np.ones(len(data)), (r, c)), shape=(n, m))
    used.data[:] = 1.0
    co_used = used @ used.T
    co_used.sort_indices()  # edges come out ordered by (source, target) position
    shared_matrix = sparse.triu(co_used, k=1, format="coo")
    a = shared_matrix.row.astype(np.int64)
    b = shared_matrix.col.astype(np.int64)
    shared = shared_matrix.data

    raw = _values_at(y @ x.T, a, b)
    keep = raw != 0
    a, b, shared, raw = a[keep], b[keep], shared[keep], raw[keep]

    activity = np.asarray(x.sum(axis=1)).ravel()
    if normalization == "no":
        norm = np.ones_like(raw)
    elif normalization == "average":
        norm = (activity[a] + activity[b]) / 2.0
    elif normalization == "cosine":
        norm = np.sqrt(activity[a] ** 2) * np.sqrt(activity[b] ** 2)
    else:  # jaccard
        present = x.copy()
        present.data[:] = 1.0
        overlap = x @ present.T  # [i1, i2]: i1's counts in cells that i2 uses
        m11 = _values_at(x @ x.T, a, b)
        looked_up = _values_at(overlap, np.concatenate([a, b]), np.concatenate([b, a]))
        m10 = activity[a] - looked_up[: a.shape[0]]
        m01 = activity[b] - looked_up[a.shape[0] :]
        norm = m10 + m01 + m11
    weight = np.divide(raw, norm, out=np.zeros_like(raw), where=norm != 0)

    evidence = (
        sparse.vstack([by_sign[SUPPORT], by_sign[OPPOSE], by_sign[OTHER]], format="csr") @ used.T
    )  # [s * n + i1, i2]: i1's sign-s statements on targets i2 also addressed
    edges = a.shape[0]
    rows = np.concatenate([a + s * n for s in range(3)] + [b + s * n for s in range(3)])
    cols = np.concatenate([b] * 3 + [a] * 3)
    both = _values_at(evidence, rows, cols).astype(np.int64).reshape(2, 3, edges).sum(axis=0)
    support, oppose, other = both[0], both[1], both[2]

    if aggregation == "subtract":
        polarity = tuple(np.where(weight > 0, "congruence", "conflict").tolist())
    else:
        polarity = (aggregation,) * int(a.shape[0])

    held = data.by_sign(data.holder)
    degree = _degrees(n, a, b)
    node_list = tuple(
        _node(
            info[data.keys[code]],
            "actor",
            (int(held[0][code]), int(held[1][code]), int(held[2][code])),
            degree[i],
        )
        for i, code in enumerate(actors.tolist())
    )
    table = EdgeTable(
        source=a,
        target=b,
        weight=weight,
        support=support,
        oppose=oppose,
        other=other,
        shared=shared.astype(np.int64),
        polarity=polarity,
    )
    return Graph(
        mode=aggregation,
        aggregation=aggregation,
        normalization=normalization,
        directed=False,
        nodes=node_list,
        edge_table=table,
        truncated=truncated,
        limit=limit,
        neutral=neutral,
    )


def network(
    nodes: Mapping[str, NodeInfo] | Iterable[NodeInfo],
    tallies: Iterable[Tally],
    *,
    mode: str,
    normalization: str = "no",
    limit: int | None = None,
    aggregation: str = "ignore",
    neutral: Neutral = "exclude",
) -> Graph:
    """The API's `mode` parameter: "two-mode" (with `aggregation`) or a one-mode
    aggregation ("congruence", "conflict", "subtract")."""
    if mode == "two-mode":
        return two_mode_network(
            nodes, tallies, aggregation=aggregation, normalization=normalization, limit=limit
        )
    return one_mode_network(
        nodes,
        tallies,
        aggregation=mode,
        normalization=normalization,
        neutral=neutral,
        limit=limit,
    )
