"""DNA network semantics (annotations/analysis/network.py), no database.

Every expected figure is computed independently of the code under test: by hand for a small
fixture (the arithmetic is in the comments), and for a seeded random fixture by a literal
port of DNA's loops (Exporter.computeOneModeMatrix / computeTwoModeMatrix) over plain dicts,
with networkx for degrees and shared targets.
"""

import itertools
import random
import time
from collections import defaultdict

import networkx as nx
import pytest

from annotations.analysis.network import (
    ONE_MODE_AGGREGATIONS,
    ONE_MODE_NORMALIZATIONS,
    TWO_MODE_AGGREGATIONS,
    TWO_MODE_NORMALIZATIONS,
    NodeInfo,
    Tally,
    network,
    one_mode_network,
    two_mode_network,
)

# Actors: keys do not sort like names, so the name tie-break is visible.
ALPHA = NodeInfo("e3", 3, "Alpha", "ORG")
BETA = NodeInfo("e1", 1, "Beta", "PERSON")
CHARLIE = NodeInfo("e2", 2, "Charlie", "GPE")
X = NodeInfo("e10", 10, "Xland", "GPE")
Y = NodeInfo("e11", 11, "Yorg", "ORG")
Z = NodeInfo("t:sanctions", None, "sanctions", "TOPIC")
NODES = [ALPHA, BETA, CHARLIE, X, Y, Z]


def tally(holder, target, sign, count):
    return Tally(holder.key, target.key, sign, count)


# A: X +1 x2, Y -1 x1, Z 0 x1          (support 2, oppose 1, other 1: activity 4)
# B: X +1 x1, X -1 x1, Y -1 x2         (support 1, oppose 3, other 0: activity 4)
# C: Y +1 x1, Z 0 x2, X 0 x1           (support 1, oppose 0, other 3: activity 4)
ONE_MODE_TALLIES = [
    tally(ALPHA, X, 1, 2),
    tally(ALPHA, Y, -1, 1),
    tally(ALPHA, Z, 0, 1),
    tally(BETA, X, 1, 1),
    tally(BETA, X, -1, 1),
    tally(BETA, Y, -1, 2),
    tally(CHARLIE, Y, 1, 1),
    tally(CHARLIE, Z, 0, 2),
    tally(CHARLIE, X, 0, 1),
]


def edge_map(graph):
    return {(e.source, e.target): e for e in graph.edges}


def weights(graph):
    return {(e.source, e.target): e.weight for e in graph.edges}


# -- one-mode, by hand ---------------------------------------------------------------------

# neutral="exclude": boolean qualifier, sign-0 statements out of weights and denominators.
# Counted statements: A 3 (X:S2, Y:O1), B 4 (X:S1 O1, Y:O2), C 1 (Y:S1).
# congruence  A-B: X S2*S1 + Y O1*O2 = 4; A-C: 0; B-C: 0.
# conflict    A-B: X S2*O1 = 2; A-C: Y O1*S1 = 1; B-C: Y O2*S1 = 2.
# average:  A-B (3+4)/2 = 3.5, A-C (3+1)/2 = 2, B-C (4+1)/2 = 2.5
# cosine:   A-B 3*4 = 12, A-C 3*1 = 3, B-C 4*1 = 4
# jaccard:  A-B m10 0 + m01 1 (B's X:O) + m11 (2*1 + 1*2) = 5
#           A-C m10 3 + m01 1 + m11 0 = 4;  B-C m10 4 + m01 1 + m11 0 = 5
AB, AC, BC = (ALPHA.key, BETA.key), (ALPHA.key, CHARLIE.key), (BETA.key, CHARLIE.key)
EXCLUDE_EXPECTED = {
    ("congruence", "no"): {AB: 4.0},
    ("congruence", "average"): {AB: 4 / 3.5},
    ("congruence", "cosine"): {AB: 4 / 12},
    ("congruence", "jaccard"): {AB: 4 / 5},
    ("conflict", "no"): {AB: 2.0, AC: 1.0, BC: 2.0},
    ("conflict", "average"): {AB: 2 / 3.5, AC: 1 / 2, BC: 2 / 2.5},
    ("conflict", "cosine"): {AB: 2 / 12, AC: 1 / 3, BC: 2 / 4},
    ("conflict", "jaccard"): {AB: 2 / 5, AC: 1 / 4, BC: 2 / 5},
    # subtract = congruence - conflict
    ("subtract", "no"): {AB: 2.0, AC: -1.0, BC: -2.0},
}


@pytest.mark.parametrize(("aggregation", "normalization"), sorted(EXCLUDE_EXPECTED))
def test_one_mode_weights_by_hand_with_neutral_excluded(aggregation, normalization):
    graph = one_mode_network(
        NODES, ONE_MODE_TALLIES, aggregation=aggregation, normalization=normalization
    )
    assert weights(graph) == pytest.approx(EXCLUDE_EXPECTED[aggregation, normalization])
    assert graph.directed is False
    assert graph.neutral == "exclude"


# neutral="midpoint": integer qualifier -1/0/+1, range 2; proximity 1 - |q1 - q2| / 2.
# All statements count: A 4, B 4, C 4.
# congruence A-B: X S2*S1 = 2, Y O1*O2 = 2 -> 4
#            A-C: X S2*N1*.5 = 1, Z N1*N2 = 2 -> 3
#            B-C: X S1*N1*.5 + O1*N1*.5 = 1, Y O2*S1*0 -> 1
# conflict   A-B: X S2*O1 = 2 -> 2
#            A-C: X S2*N1*.5 = 1, Y O1*S1 = 1 -> 2
#            B-C: X .5 + .5 = 1, Y O2*S1 = 2 -> 3
# average: every pair (4+4)/2 = 4.
MIDPOINT_EXPECTED = {
    ("congruence", "no"): {AB: 4.0, AC: 3.0, BC: 1.0},
    ("conflict", "no"): {AB: 2.0, AC: 2.0, BC: 3.0},
    ("congruence", "average"): {AB: 1.0, AC: 0.75, BC: 0.25},
    ("conflict", "cosine"): {AB: 2 / 16, AC: 2 / 16, BC: 3 / 16},
}


@pytest.mark.parametrize(("aggregation", "normalization"), sorted(MIDPOINT_EXPECTED))
def test_one_mode_weights_by_hand_with_neutral_as_midpoint(aggregation, normalization):
    graph = one_mode_network(
        NODES,
        ONE_MODE_TALLIES,
        aggregation=aggregation,
        normalization=normalization,
        neutral="midpoint",
    )
    assert weights(graph) == pytest.approx(MIDPOINT_EXPECTED[aggregation, normalization])


def test_one_mode_edge_evidence_counts_and_shared_targets():
    edges = edge_map(one_mode_network(NODES, ONE_MODE_TALLIES, aggregation="conflict"))
    # A-B share X and Y. A there: S2 O1; B there: S1 O1 O2 -> support 3, oppose 4.
    assert (edges[AB].shared, edges[AB].support, edges[AB].oppose, edges[AB].other) == (
        2,
        3,
        4,
        0,
    )
    # A-C share X, Y, Z. A: S2 O1 N1; C: N1 S1 N2 -> support 3, oppose 1, other 4.
    assert (edges[AC].shared, edges[AC].support, edges[AC].oppose, edges[AC].other) == (
        3,
        3,
        1,
        4,
    )
    # B-C share X, Y. B: S1 O1 O2; C: N1 S1 -> support 2, oppose 3, other 1.
    assert (edges[BC].shared, edges[BC].support, edges[BC].oppose, edges[BC].other) == (
        2,
        2,
        3,
        1,
    )
    assert {e.polarity for e in edges.values()} == {"conflict"}


def test_one_mode_subtract_polarity_follows_the_sign_of_the_weight():
    edges = edge_map(one_mode_network(NODES, ONE_MODE_TALLIES, aggregation="subtract"))
    assert edges[AB].polarity == "congruence"
    assert edges[AC].polarity == "conflict"


def test_one_mode_nodes_are_actors_ranked_by_activity_then_name():
    graph = one_mode_network(NODES, ONE_MODE_TALLIES, aggregation="congruence")
    # All three hold 4 statements: the name decides (Alpha, Beta, Charlie), not the key.
    assert [n.key for n in graph.nodes] == ["e3", "e1", "e2"]
    a, b, c = graph.nodes
    assert (a.type, a.activity, a.support, a.oppose, a.other) == ("actor", 4, 2, 1, 1)
    assert (b.activity, b.support, b.oppose, b.other) == (4, 1, 3, 0)
    assert (c.activity, c.support, c.oppose, c.other) == (4, 1, 0, 3)
    # Congruence has only the A-B tie; C stays as an isolate (DNA keeps its row).
    assert [n.degree for n in graph.nodes] == [1, 1, 0]
    assert (a.entity_id, a.name, a.kind) == (3, "Alpha", "ORG")


def test_one_mode_limit_cuts_actors_before_the_pairs():
    tallies = [*ONE_MODE_TALLIES, tally(CHARLIE, Y, 1, 1)]  # Charlie now holds 5
    graph = one_mode_network(NODES, tallies, aggregation="conflict", limit=2)
    assert [n.key for n in graph.nodes] == ["e2", "e3"]  # Charlie (5), then Alpha by name
    assert graph.truncated is True
    assert graph.limit == 2
    # Only the Alpha-Charlie tie is left: conflict A-C = Y O1*S2 = 2, no normalisation.
    assert weights(graph) == {("e2", "e3"): 2.0}
    untruncated = one_mode_network(NODES, tallies, aggregation="conflict", limit=3)
    assert untruncated.truncated is False


def test_ties_in_name_fall_back_to_the_key():
    twin_a = NodeInfo("e8", 8, "Same", "ORG")
    twin_b = NodeInfo("e7", 7, "Same", "ORG")
    tallies = [tally(twin_a, X, 1, 1), tally(twin_b, X, 1, 1)]
    graph = one_mode_network([twin_a, twin_b, X], tallies, limit=1)
    assert [n.key for n in graph.nodes] == ["e7"]


# -- two-mode, by hand ---------------------------------------------------------------------

# The one-mode statements plus A -> B (+1): B is an actor and a target, one node.
TWO_MODE_TALLIES = [*ONE_MODE_TALLIES, tally(ALPHA, BETA, 1, 1)]
A_, B_, C_ = ALPHA.key, BETA.key, CHARLIE.key
X_, Y_, Z_ = X.key, Y.key, Z.key
# pair: (support, oppose, other)
PAIRS = {
    (A_, X_): (2, 0, 0),
    (A_, Y_): (0, 1, 0),
    (A_, Z_): (0, 0, 1),
    (A_, B_): (1, 0, 0),
    (B_, X_): (1, 1, 0),
    (B_, Y_): (0, 2, 0),
    (C_, X_): (0, 0, 1),
    (C_, Y_): (1, 0, 0),
    (C_, Z_): (0, 0, 2),
}
IGNORE = {p: float(sum(c)) for p, c in PAIRS.items()}
SUBTRACT = {p: float(s - o) for p, (s, o, _) in PAIRS.items()}
# lexRank over (oppose, other, support): 4, 2, 1.
COMBINE = {p: float(4 * (o > 0) + 2 * (n > 0) + (s > 0)) for p, (s, o, n) in PAIRS.items()}
HELD = {A_: 5, B_: 4, C_: 4}  # statements held (activity denominators)
RECEIVED = {X_: 5, Y_: 4, Z_: 3, B_: 1}  # statements received (prominence)
OUT_DEGREE = {A_: 4, B_: 2, C_: 3}
IN_DEGREE = {X_: 3, Y_: 3, Z_: 2, B_: 1}


def two_mode_expected(aggregation, normalization):
    base = {"ignore": IGNORE, "subtract": SUBTRACT, "combine": COMBINE}[aggregation]
    if normalization == "no":
        return base
    if normalization == "activity":
        below = OUT_DEGREE if aggregation == "combine" else HELD
        return {(h, t): w / below[h] for (h, t), w in base.items()}
    below = IN_DEGREE if aggregation == "combine" else RECEIVED
    return {(h, t): w / below[t] for (h, t), w in base.items()}


@pytest.mark.parametrize(
    ("aggregation", "normalization"),
    list(itertools.product(TWO_MODE_AGGREGATIONS, TWO_MODE_NORMALIZATIONS)),
)
def test_two_mode_weights_by_hand(aggregation, normalization):
    graph = two_mode_network(
        NODES, TWO_MODE_TALLIES, aggregation=aggregation, normalization=normalization
    )
    assert weights(graph) == pytest.approx(two_mode_expected(aggregation, normalization))
    assert graph.directed is True
    assert graph.mode == "two-mode"


def test_two_mode_edge_counts_polarity_and_nodes():
    graph = two_mode_network(NODES, TWO_MODE_TALLIES)
    edges = edge_map(graph)
    assert {p: (e.support, e.oppose, e.other) for p, e in edges.items()} == PAIRS
    assert {p: e.shared for p, e in edges.items()} == {p: sum(c) for p, c in PAIRS.items()}
    assert edges[A_, X_].polarity == "support"
    assert edges[A_, Y_].polarity == "oppose"
    assert edges[B_, X_].polarity == "mixed"
    assert edges[C_, Z_].polarity == "neutral"
    # Actors by statements held (A 5; B and C 4, by name), then targets that hold nothing
    # by statements received (X 5, Y 4, Z 3).
    assert [(n.key, n.type) for n in graph.nodes] == [
        (A_, "actor"),
        (B_, "actor"),
        (C_, "actor"),
        (X_, "target"),
        (Y_, "target"),
        (Z_, "target"),
    ]
    by_key = {n.key: n for n in graph.nodes}
    assert (by_key[B_].activity, by_key[B_].support, by_key[B_].oppose) == (4, 1, 3)
    x = by_key[X_]
    assert (x.activity, x.support, x.oppose, x.other, x.entity_id) == (5, 3, 1, 1, 10)
    assert by_key[Z_].entity_id is None
    # Degrees as networkx counts them on the same directed graph.
    reference = nx.DiGraph(list(PAIRS))
    assert {n.key: n.degree for n in graph.nodes} == dict(reference.degree())


def test_two_mode_limit_takes_top_holders_then_their_top_targets():
    graph = two_mode_network(NODES, TWO_MODE_TALLIES, limit=1)
    # Alpha holds most (5); among Alpha's targets Xland received most from Alpha (2).
    assert [n.key for n in graph.nodes] == [A_, X_]
    assert weights(graph) == {(A_, X_): 2.0}
    assert graph.truncated is True
    assert graph.nodes[1].activity == 2  # counted on what the graph shows


def test_network_dispatches_on_the_api_mode():
    assert network(NODES, TWO_MODE_TALLIES, mode="two-mode").mode == "two-mode"
    graph = network(NODES, ONE_MODE_TALLIES, mode="conflict", normalization="jaccard")
    assert weights(graph) == pytest.approx(EXCLUDE_EXPECTED["conflict", "jaccard"])


def test_empty_input_gives_empty_graphs():
    for graph in (
        two_mode_network([], []),
        one_mode_network([], []),
        one_mode_network(NODES, [], normalization="jaccard", limit=5),
    ):
        assert graph.nodes == ()
        assert graph.edges == []
        assert graph.truncated is False


def test_zero_counts_are_ignored_and_bad_input_refused():
    graph = two_mode_network(NODES, [tally(ALPHA, X, 1, 0)])
    assert graph.nodes == ()
    with pytest.raises(ValueError, match="sign"):
        two_mode_network(NODES, [tally(ALPHA, X, 2, 1)])
    with pytest.raises(ValueError, match="NodeInfo"):
        one_mode_network([ALPHA], [tally(ALPHA, X, 1, 1)])
    with pytest.raises(ValueError, match="normalization"):
        one_mode_network(NODES, ONE_MODE_TALLIES, normalization="activity")
    with pytest.raises(ValueError, match="aggregation"):
        two_mode_network(NODES, TWO_MODE_TALLIES, aggregation="congruence")


# -- random fixture against a literal port of DNA's loops ----------------------------------


def random_fixture(seed=17, actors=25, targets=20, rows=200):
    rng = random.Random(seed)
    people = [NodeInfo(f"e{i}", i, f"Actor {rng.randrange(8)}", "PERSON") for i in range(actors)]
    topics = [NodeInfo(f"t:topic {i}", None, f"topic {i}", "TOPIC") for i in range(targets // 2)]
    # Some targets are actors too (entity keys), as in real stance data.
    target_pool = topics + people[: targets - len(topics)]
    seen = set()
    tallies = []
    while len(tallies) < rows:
        holder = rng.choice(people)
        target = rng.choice(target_pool)
        sign = rng.choice((1, 1, -1, 0))
        if (holder.key, target.key, sign) in seen:
            continue
        seen.add((holder.key, target.key, sign))
        tallies.append(Tally(holder.key, target.key, sign, rng.randint(1, 4)))
    return people + topics, tallies


def dna_array(tallies, actors, levels):
    """createArray: a[i][j][k], counts by actor, target and qualifier level."""
    array = defaultdict(float)
    for t in tallies:
        if t.holder in actors and t.sign in levels:
            array[t.holder, t.target, t.sign] += t.statements
    return array


def dna_one_mode(tallies, actors, aggregation, normalization, neutral):
    """computeOneModeMatrix, loop for loop, for the boolean (exclude) or integer (midpoint)
    qualifier."""
    value = {-1: 0.0, 1: 1.0} if neutral == "exclude" else {-1: -1.0, 0: 0.0, 1: 1.0}
    span = max(value.values()) - min(value.values())
    levels = sorted(value, key=value.get)
    array = dna_array(tallies, actors, set(levels))
    targets = sorted({t.target for t in tallies if t.holder in actors})
    result = {}
    for i1, i2 in itertools.permutations(actors, 2):
        tie = 0.0
        for j in targets:
            for k1 in levels:
                for k2 in levels:
                    distance = abs(value[k1] - value[k2]) / span
                    both = array[i1, j, k1] * array[i2, j, k2]
                    if aggregation == "congruence":
                        tie += both * (1 - distance)
                    elif aggregation == "conflict":
                        tie += both * distance
                    else:
                        tie += both * (1 - distance) - both * distance
        n1 = sum(array[i1, j, k] for j in targets for k in levels)
        n2 = sum(array[i2, j, k] for j in targets for k in levels)
        if normalization == "no":
            norm = 1.0
        elif normalization == "average":
            norm = (n1 + n2) / 2
        elif normalization == "cosine":
            norm = (n1 * n1) ** 0.5 * (n2 * n2) ** 0.5
        else:
            m10 = sum(array[i1, j, k] for j in targets for k in levels if array[i2, j, k] == 0)
            m01 = sum(array[i2, j, k] for j in targets for k in levels if array[i1, j, k] == 0)
            m11 = sum(
                array[i1, j, k] * array[i2, j, k]
                for j in targets
                for k in levels
                if array[i1, j, k] > 0 and array[i2, j, k] > 0
            )
            norm = m10 + m01 + m11
        result[i1, i2] = 0.0 if norm == 0 else tie / norm
    return result


@pytest.mark.parametrize("neutral", ["exclude", "midpoint"])
@pytest.mark.parametrize(
    ("aggregation", "normalization"),
    list(itertools.product(ONE_MODE_AGGREGATIONS, ONE_MODE_NORMALIZATIONS)),
)
def test_one_mode_matches_dna_loops_on_random_data(aggregation, normalization, neutral):
    nodes, tallies = random_fixture()
    graph = one_mode_network(
        nodes, tallies, aggregation=aggregation, normalization=normalization, neutral=neutral
    )
    actors = [n.key for n in graph.nodes]
    assert len(actors) == len({t.holder for t in tallies})
    reference = dna_one_mode(tallies, actors, aggregation, normalization, neutral)
    # The matrix is symmetric, as DNA's is.
    for (i1, i2), tie in reference.items():
        assert reference[i2, i1] == pytest.approx(tie)
    position = {key: i for i, key in enumerate(actors)}
    expected = {
        (i1, i2): tie
        for (i1, i2), tie in reference.items()
        if position[i1] < position[i2] and tie != 0
    }
    assert weights(graph) == pytest.approx(expected)
    assert len(graph.edges) > 10  # the fixture really has ties of this kind
    degree = nx.Graph()
    degree.add_nodes_from(actors)
    degree.add_edges_from(expected)
    assert {n.key: n.degree for n in graph.nodes} == dict(degree.degree())


def test_one_mode_congruence_conflict_and_shared_match_networkx_projections():
    nodes, tallies = random_fixture(seed=5)
    # Bipartite graphs per sign, weighted by statement counts; target nodes tagged so that
    # an entity that is holder and target stays two bipartite nodes.
    bipartite = {sign: nx.Graph() for sign in (1, -1, 0)}
    for t in tallies:
        g = bipartite[t.sign]
        old = g.get_edge_data(t.holder, ("target", t.target), {"weight": 0})["weight"]
        g.add_edge(t.holder, ("target", t.target), weight=old + t.statements)

    def product(a, b, sa, sb):
        ga, gb = bipartite[sa], bipartite[sb]
        if a not in ga or b not in gb:
            return 0
        common = set(ga[a]) & set(gb[b])
        return sum(ga[a][j]["weight"] * gb[b][j]["weight"] for j in common)

    congruence = edge_map(one_mode_network(nodes, tallies, aggregation="congruence"))
    conflict = edge_map(one_mode_network(nodes, tallies, aggregation="conflict"))
    actors = sorted({t.holder for t in tallies})
    everything = nx.Graph()
    for t in tallies:
        everything.add_edge(t.holder, ("target", t.target))
    shared = nx.bipartite.weighted_projected_graph(everything, actors)
    checked = 0
    for a, b in itertools.combinations(actors, 2):
        same = product(a, b, 1, 1) + product(a, b, -1, -1)
        opposite = product(a, b, 1, -1) + product(a, b, -1, 1)
        pair = (a, b) if (a, b) in congruence or (a, b) in conflict else (b, a)
        assert (congruence[pair].weight if pair in congruence else 0) == same
        assert (conflict[pair].weight if pair in conflict else 0) == opposite
        for edges in (congruence, conflict):
            if pair in edges:
                assert edges[pair].shared == shared[a][b]["weight"]
                checked += 1
    assert checked > 20


def dna_two_mode(tallies, aggregation, normalization):
    """computeTwoModeMatrix with the integer qualifier -1, 0, +1."""
    levels = (-1, 0, 1)
    array = dna_array(tallies, {t.holder for t in tallies}, set(levels))
    pairs = {(t.holder, t.target) for t in tallies}
    mat = {}
    for h, t in pairs:
        cells = [array[h, t, k] for k in levels]
        if aggregation == "ignore":
            mat[h, t] = sum(cells)
        elif aggregation == "subtract":
            mat[h, t] = sum(
                abs(k) * c if k >= 0 else -abs(k) * c for k, c in zip(levels, cells, strict=True)
            )
        else:
            mat[h, t] = sum(2 ** (2 - i) for i, c in enumerate(cells) if c > 0)
    if normalization == "no":
        return mat
    side = 0 if normalization == "activity" else 1
    below = defaultdict(float)
    for pair, w in mat.items():
        if aggregation == "combine":
            below[pair[side]] += 1 if w > 0 else 0
        else:
            below[pair[side]] += sum(array[pair[0], pair[1], k] for k in levels)
    return {p: (0.0 if below[p[side]] == 0 else w / below[p[side]]) for p, w in mat.items()}


@pytest.mark.parametrize(
    ("aggregation", "normalization"),
    list(itertools.product(TWO_MODE_AGGREGATIONS, TWO_MODE_NORMALIZATIONS)),
)
def test_two_mode_matches_dna_loops_on_random_data(aggregation, normalization):
    nodes, tallies = random_fixture(seed=23)
    graph = two_mode_network(nodes, tallies, aggregation=aggregation, normalization=normalization)
    assert weights(graph) == pytest.approx(dna_two_mode(tallies, aggregation, normalization))
    reference = nx.DiGraph(list({(t.holder, t.target) for t in tallies}))
    assert {n.key: n.degree for n in graph.nodes} == dict(reference.degree())


def test_large_input_with_a_limit_stays_fast():
    rng = random.Random(3)
    nodes = [NodeInfo(f"e{i}", i, f"Name {i}", "ORG") for i in range(6000)]
    seen = set()
    tallies = []
    while len(tallies) < 100_000:
        row = (rng.randrange(3000), 3000 + rng.randrange(3000), rng.choice((1, -1, 0)))
        if row in seen:
            continue
        seen.add(row)
        tallies.append(Tally(f"e{row[0]}", f"e{row[1]}", row[2], rng.randint(1, 5)))
    started = time.perf_counter()
    graph = one_mode_network(nodes, tallies, normalization="jaccard", limit=200)
    two = two_mode_network(nodes, tallies, limit=200)
    elapsed = time.perf_counter() - started
    assert len(graph.nodes) == 200
    assert graph.truncated is True
    assert len(two.nodes) == 400
    # About 0.1 s on the development machine for both; generous for a shared CI runner.
    assert elapsed < 1.5
