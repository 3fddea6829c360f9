"""The pinyin window scan of :meth:`hotfuse.match.LexiconIndex._pinyin_candidates`, as
plain loops over integer arrays for numba to compile (:func:`compiled`).

:mod:`hotfuse._scan` imports this module and compiles :func:`scan` when the compiled
scan is switched on (``HOTFUSE_KERNEL=numba``, :func:`hotfuse.set_kernel`); the
pure-Python scan in :mod:`hotfuse.match` stays the reference. The banks below give the
integer ids: characters, coarse keys and cost rows, shared by every index (each grows as
new ones are seen, under a lock, and is published whole), and :class:`IndexArrays`, one
per lexicon index. The loops repeat that scan step by step, the same float operations in the
same order (no fast-math), so every window it keeps comes out with the same distance;
rounding and the last distance test stay in Python (``round(d, 6)`` as CPython has it).
This module imports nothing from hotfuse, and numba only in :func:`compile_scan`.

Arrays (``int64`` unless said; CSR: ``*_o`` offsets, ``*_v`` values):

* the utterance: ``cid`` the character ids of the segment's units, in order;
* the characters (:class:`CharBank`): ``ck_o``/``ck_v`` coarse-key ids,
  ``cr_o``/``cr_v`` reading ids, ``c1`` the one reading id (-1 with several);
* the costs (:class:`RowBank`): ``cost[row, reading]`` (float64);
* the index (:class:`IndexArrays`, packed in ``ib`` and ``fb``), per target ``t`` (0
  syllables for other kinds): ``tm`` syllables, ``th``
  hotword, ``tx`` generation cost, ``tf`` floor (float64), and per syllable from
  ``ts_o[t]``: ``ts_row`` cost rows, ``ts_key`` coarse-key ids;
* postings: ``hk`` sorted key-pair ids of the heads with ``ho``/``hv`` their targets;
  ``pk``/``po``/``pv`` the anchors (single keys when ``single``, else key pairs);
  ``tight`` per target (uint8); key pair ``(a, b)`` has id ``a * KEYS + b``;
* ``limits`` per hotword (float64; ``inf`` for none), ``md`` the max distance, ``indel``.

Out: windows ``(start, length, target, distance)`` in ``oa``/``ol``/``ot`` (packed in
``oi``) and ``od`` (:func:`buffers`, :func:`windows`); the return value is how many there
are (more than the buffers hold: call again, larger).
"""

from __future__ import annotations

import importlib
import math
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import numpy as np

#: key-pair ids are ``first * KEYS + second`` (the coarse keys number far fewer)
KEYS = 1 << 16

_INF = math.inf
_LOCK = threading.RLock()  # the banks call each other under it


def _floordiv(a: float, b: float) -> float:
    """``a // b`` for floats, as CPython computes it (``float_floor_div``, with C's fmod
    and floor: numba has no ``math.fmod``)."""
    mod = np.fmod(a, b)
    div = (a - mod) / b
    if mod != 0.0 and (b < 0.0) != (mod < 0.0):
        div -= 1.0
    if div != 0.0:
        fd = np.floor(div)
        if div - fd > 0.5:
            fd += 1.0
    else:
        fd = np.copysign(0.0, a / b)
    return float(fd)


def _sub(cost: Any, row: int, i: int, cid: Any, cr_o: Any, cr_v: Any, c1: Any) -> float:
    """The cost of the unit at ``i`` for the syllable of cost row ``row``: its one
    reading's, or the cheapest of its readings'."""
    c = cid[i]
    r = c1[c]
    if r >= 0:
        return float(cost[row, r])
    best = _INF
    for x in range(cr_o[c], cr_o[c + 1]):
        v = cost[row, cr_v[x]]
        if v < best:
            best = v
    return float(best)


def _cheapest(cost: Any, t0: int, m: int, ts_row: Any, r: int) -> float:
    """A reading's cheapest substitution for any syllable of the target whose rows
    start at ``t0`` (``_CheapestOf``)."""
    best = _INF
    for j in range(m):
        v = cost[ts_row[t0 + j], r]
        if v < best:
            best = v
    return float(best)


def _diagonal(
    cost: Any,
    ts_row: Any,
    t0: int,
    m: int,
    a: int,
    bound: float,
    cid: Any,
    cr_o: Any,
    cr_v: Any,
    c1: Any,
) -> float:
    """The window of ``m`` units from ``a`` against the target whose rows start at ``t0``,
    no indel: the sum of its diagonal, in order, or -1 once a prefix is over ``bound``
    (where the Python scan breaks off)."""
    d = 0.0
    for j in range(m):
        d = d + _sub(cost, ts_row[t0 + j], a + j, cid, cr_o, cr_v, c1)
        if d > bound:
            return -1.0
    return d


def _put(
    oa: Any, ol: Any, ot: Any, od: Any, cnt: int, a: int, length: int, t: int, d: float
) -> int:
    """Write window ``cnt`` if the buffers hold it; the count of windows after it."""
    if cnt < oa.shape[0]:
        oa[cnt] = a
        ol[cnt] = length
        ot[cnt] = t
        od[cnt] = d
    return cnt + 1


def _anchor(
    an: Any, na: int, pk: Any, po: Any, pv: Any, tight: Any, key: int, p: int, q: int
) -> tuple[Any, int]:
    """Append ``(t, p, q)`` to the anchors ``an[:na]`` for every target ``t`` that is not
    tight posted under ``key`` (``an`` doubles when full); the anchors and their count."""
    at = _find(pk, key)
    if at < 0:
        return an, na
    for z in range(po[at], po[at + 1]):
        t = pv[z]
        if tight[t] != 0:
            continue
        if na == an.shape[0]:
            grown = np.empty((2 * na, 3), np.int64)
            grown[:na] = an
            an = grown
        an[na, 0] = t
        an[na, 1] = p
        an[na, 2] = q
        na += 1
    return an, na


def _find(keys: Any, key: int) -> int:
    """The place of ``key`` in the sorted ``keys``, or -1."""
    i = np.searchsorted(keys, key)
    if i < keys.shape[0] and keys[i] == key:
        return int(i)
    return -1


def _has_key(ck_o: Any, ck_v: Any, c: int, key: int) -> bool:
    for x in range(ck_o[c], ck_o[c + 1]):  # noqa: SIM110 - a loop numba compiles
        if ck_v[x] == key:
            return True
    return False


def scan(
    cid: Any,
    ck_o: Any,
    ck_v: Any,
    cr_o: Any,
    cr_v: Any,
    c1: Any,
    cost: Any,
    ib: Any,
    fb: Any,
    single: bool,
    tight: Any,
    any_tight: bool,
    limits: Any,
    md: float,
    indel: float,
    oi: Any,
    od: Any,
) -> int:
    # the index's int arrays, packed in one (IndexArrays.ints: 12 offsets, then the
    # arrays), its floats in another, and the output's ints in one: a call with a dozen
    # arguments, not thirty (numba checks each one's type per call)
    tm, th, ts_o = ib[ib[0] : ib[1]], ib[ib[1] : ib[2]], ib[ib[2] : ib[3]]
    ts_row, ts_key = ib[ib[3] : ib[4]], ib[ib[4] : ib[5]]
    hk, ho, hv = ib[ib[5] : ib[6]], ib[ib[6] : ib[7]], ib[ib[7] : ib[8]]
    pk, po, pv = ib[ib[8] : ib[9]], ib[ib[9] : ib[10]], ib[ib[10] : ib[11]]
    nt = tm.shape[0]
    tx, tf = fb[:nt], fb[nt : 2 * nt]
    cap = od.shape[0]
    oa, ol, ot = oi[:cap], oi[cap : 2 * cap], oi[2 * cap : 3 * cap]
    n = cid.shape[0]
    cnt = 0
    # -- tight targets: from a character pair holding their first two keys
    if any_tight:
        for p in range(n - 1):
            c, c2 = cid[p], cid[p + 1]
            for x in range(ck_o[c], ck_o[c + 1]):
                k1 = ck_v[x]
                for y in range(ck_o[c2], ck_o[c2 + 1]):
                    at = _find(hk, k1 * KEYS + ck_v[y])
                    if at < 0:
                        continue
                    for z in range(ho[at], ho[at + 1]):
                        t = hv[z]
                        if tight[t] != 1:
                            continue
                        m = tm[t]
                        if p + m > n:
                            continue
                        limit = md
                        lo = limits[th[t]]
                        if lo < limit:
                            limit = lo
                        if limit < 0:
                            continue
                        bound = limit * m - tx[t] + 1e-9
                        if bound < 0:
                            continue
                        d = _diagonal(cost, ts_row, ts_o[t], m, p, bound, cid, cr_o, cr_v, c1)
                        if d >= 0.0:
                            cnt = _put(oa, ol, ot, od, cnt, p, m, t, d)
    # -- the other targets: their anchors (target, p, q), then target by target
    an = np.empty((64, 3), np.int64)
    na = 0
    for p in range(n):
        c = cid[p]
        for x in range(ck_o[c], ck_o[c + 1]):
            if single:  # one key anchors (a small lexicon)
                an, na = _anchor(an, na, pk, po, pv, tight, ck_v[x], p, p)
                continue
            for q in range(p + 1, min(p + 3, n)):  # a key pair one or two apart
                cq = cid[q]
                for y in range(ck_o[cq], ck_o[cq + 1]):
                    an, na = _anchor(an, na, pk, po, pv, tight, ck_v[x] * KEYS + ck_v[y], p, q)
    if na == 0:
        return cnt
    an_t, an_p, an_q = an[:na, 0], an[:na, 1], an[:na, 2]
    order = np.argsort(an_t, kind="mergesort")
    starts = np.zeros(n + 1, np.uint8)
    masks = np.zeros(n + 1, np.int64)
    acc = np.zeros(n + 2, np.float64)
    prev = np.empty(0, np.float64)
    cur = np.empty(0, np.float64)
    g0 = 0
    while g0 < na:
        t = an_t[order[g0]]
        g1 = g0
        while g1 < na and an_t[order[g1]] == t:
            g1 += 1
        lo_g, hi_g = g0, g1
        g0 = g1
        m = tm[t]
        limit = md
        lo = limits[th[t]]
        if lo < limit:
            limit = lo
        if limit < 0:
            continue
        extra = tx[t]
        floor = tf[t]
        bound = limit * m - extra + 1e-9
        if bound < 0:
            continue
        t0 = ts_o[t]
        if bound < indel:
            # no indel fits: windows as long as the target, their diagonal
            if m > n:
                continue
            e = int(_floordiv(bound + 1e-6, floor)) if floor > 0 else m
            if (e < m) if single else (m - e > -((-m) // 3)):
                for g in range(lo_g, hi_g):
                    p = an_p[order[g]]
                    q = an_q[order[g]]
                    gap = q - p
                    cp, cq = cid[p], cid[q]
                    for j in range(max(0, p - n + m), min(p, m - 1 - gap) + 1):
                        if _has_key(ck_o, ck_v, cp, ts_key[t0 + j]) and _has_key(
                            ck_o, ck_v, cq, ts_key[t0 + j + gap]
                        ):
                            starts[p - j] = 1
            else:
                for g in range(lo_g, hi_g):
                    p = an_p[order[g]]
                    q = an_q[order[g]]
                    for a in range(max(0, q - m + 1), min(p, n - m) + 1):
                        starts[a] = 1
            for a in range(n):
                if starts[a] == 0:
                    continue
                starts[a] = 0
                d = _diagonal(cost, ts_row, t0, m, a, bound, cid, cr_o, cr_v, c1)
                if d >= 0.0:
                    cnt = _put(oa, ol, ot, od, cnt, a, m, t, d)
            continue
        # per start, the window lengths asked for (bit L - m + 1 for length L)
        any_mask = False
        top_len = 0
        for length in range(m - 1, m + 2):
            if length < 2 or (length == m - 1 and m < 3) or length > n:
                continue
            if abs(length - m) * indel > bound:
                continue
            bit = 1 << (length - m + 1)
            for g in range(lo_g, hi_g):
                p = an_p[order[g]]
                q = an_q[order[g]]
                for a in range(max(0, q - length + 1), min(p, n - length) + 1):
                    masks[a] |= bit
                    any_mask = True
                    if length > top_len:
                        top_len = length
        if not any_mask:
            continue
        a0 = -1
        a1 = -1
        for a in range(n):
            if masks[a] != 0:
                if a0 < 0:
                    a0 = a
                a1 = a
        end = min(n, a1 + top_len)
        total = 0.0
        acc[0] = 0.0
        for i in range(a0, end):
            c = cid[i]
            r = c1[c]
            if r >= 0:
                cc = _cheapest(cost, t0, m, ts_row, r)
            else:
                cc = _INF
                for x in range(cr_o[c], cr_o[c + 1]):
                    v = _cheapest(cost, t0, m, ts_row, cr_v[x])
                    if v < cc:
                        cc = v
            total += cc if cc < indel else indel
            acc[i - a0 + 1] = total
        k = int(_floordiv(bound + 1e-6, indel))
        over = bound + 1e-6
        if prev.shape[0] < m + 1:
            prev = np.empty(m + 1, np.float64)
            cur = np.empty(m + 1, np.float64)
        for a in range(a0, a1 + 1):
            mask = masks[a]
            if mask == 0:
                continue
            masks[a] = 0
            shortest = m - 1
            while not (mask >> (shortest - m + 1)) & 1:
                shortest += 1
            longest = m + 1
            while not (mask >> (longest - m + 1)) & 1:
                longest -= 1
            if acc[a - a0 + shortest] - acc[a - a0] > over:
                continue
            # the banded DP from a (_banded_dp)
            for j in range(m + 1):
                prev[j] = j * indel if j <= k else _INF
            for i in range(1, longest + 1):
                lo_j = i - k if i > k else 1
                hi_j = i + k if i + k < m else m
                for j in range(m + 1):
                    cur[j] = _INF
                left = _INF
                if i <= k:
                    left = i * indel
                    cur[0] = left
                best = left
                for j in range(lo_j, hi_j + 1):
                    v = prev[j - 1] + _sub(cost, ts_row[t0 + j - 1], a + i - 1, cid, cr_o, cr_v, c1)
                    up = prev[j] + indel
                    if up < v:
                        v = up
                    if left + indel < v:
                        v = left + indel
                    cur[j] = v
                    if v < best:
                        best = v
                    left = v
                if best > bound:
                    break
                if i >= m - 1 and (mask >> (i - m + 1)) & 1 and cur[m] < _INF:
                    cnt = _put(oa, ol, ot, od, cnt, a, i, t, cur[m])
                prev, cur = cur, prev
    return cnt


def buffers(cap: int) -> tuple[Any, Any]:
    """Output buffers of :func:`scan` for ``cap`` windows: starts, lengths and targets
    one after the other in an int array, distances in a float array."""
    return np.empty(3 * cap, np.int64), np.empty(cap, np.float64)


def windows(oi: Any, od: Any, got: int) -> tuple[list[int], list[int], list[int], list[float]]:
    """The first ``got`` windows of :func:`scan`'s buffers as lists."""
    cap = od.shape[0]
    return (
        oi[:got].tolist(),
        oi[cap : cap + got].tolist(),
        oi[2 * cap : 2 * cap + got].tolist(),
        od[:got].tolist(),
    )


def compile_scan() -> None:
    """Compile :func:`scan` with numba (cached on disk: the first process compiles it,
    later ones load it). Raises ImportError without numba."""
    numba = importlib.import_module("numba")  # untyped: imported by name
    g = globals()
    for name in (
        "_floordiv",
        "_sub",
        "_cheapest",
        "_diagonal",
        "_put",
        "_find",
        "_anchor",
        "_has_key",
        "scan",
    ):
        fn = g[name]
        if not hasattr(fn, "py_func"):
            g[name] = numba.njit(cache=True)(fn)


# --------------------------------------------------------------------------- banks
class _Ids:
    """Dense ids for hashable keys (coarse keys), assigned on first sight."""

    def __init__(self) -> None:
        self.ids: dict[Hashable, int] = {}

    def get(self, key: Hashable) -> int:
        got = self.ids.get(key)
        if got is None:
            with _LOCK:
                got = self.ids.setdefault(key, len(self.ids))
        return got


KEY_IDS = _Ids()


class _Growing:
    """An int64 array appended to in place (capacity doubles); ``view()`` is what is
    filled."""

    __slots__ = ("_a", "n")

    def __init__(self, first: Sequence[int] = ()) -> None:
        self._a = np.zeros(max(64, 2 * len(first)), np.int64)
        self._a[: len(first)] = first
        self.n = len(first)

    def extend(self, values: Sequence[int]) -> None:
        need = self.n + len(values)
        if need > self._a.shape[0]:
            grown = np.zeros(2 * need, np.int64)
            grown[: self.n] = self._a[: self.n]
            self._a = grown
        self._a[self.n : need] = values
        self.n = need

    def view(self) -> Any:
        return self._a[: self.n]


class CharBank:
    """Per character seen: its coarse-key ids, reading ids and one reading id, as CSR
    arrays (``arrays``: ``ck_o, ck_v, cr_o, cr_v, c1``), grown by :meth:`ids_of`.

    ``info(ch)`` gives ``(coarse keys, reading ids, one reading id or -1)``, what the
    Python scan reads (``match._SCAN_INFO``)."""

    def __init__(self, info: Callable[[str], tuple[Sequence[str], Sequence[int], int]]) -> None:
        self._info = info
        self._ids: dict[str, int] = {}
        self._ck_o = _Growing([0])
        self._ck_v = _Growing()
        self._cr_o = _Growing([0])
        self._cr_v = _Growing()
        self._c1 = _Growing()
        self.arrays: tuple[Any, ...] = self._publish()

    def _publish(self) -> tuple[Any, ...]:
        return tuple(x.view() for x in (self._ck_o, self._ck_v, self._cr_o, self._cr_v, self._c1))

    def ids_of(self, chars: Sequence[str]) -> tuple[Any, tuple[Any, ...]]:
        """The ids of ``chars`` (an int64 array) and the arrays that hold them."""
        get = self._ids.get
        out = [get(ch, -1) for ch in chars]
        if -1 in out:
            with _LOCK:
                self._add([ch for k, ch in enumerate(chars) if out[k] < 0])
                out = [self._ids[ch] for ch in chars]
        return np.array(out, np.int64), self.arrays

    def _add(self, chars: Sequence[str]) -> None:
        """Add the characters not in yet (under the lock): the arrays are extended and
        published first, then the ids, so a thread that finds an id without the lock
        finds arrays that hold it."""
        new = [ch for ch in dict.fromkeys(chars) if ch not in self._ids]
        ck_v: list[int] = []
        ck_o: list[int] = []
        cr_v: list[int] = []
        cr_o: list[int] = []
        c1: list[int] = []
        key_id = KEY_IDS.get
        for ch in new:
            keys, rids, one = self._info(ch)
            ck_v += [key_id(k) for k in keys]
            ck_o.append(self._ck_v.n + len(ck_v))
            cr_v += rids
            cr_o.append(self._cr_v.n + len(cr_v))
            c1.append(one)
        first = self._c1.n
        for bank, values in (
            (self._ck_v, ck_v), (self._ck_o, ck_o), (self._cr_v, cr_v), (self._cr_o, cr_o),
            (self._c1, c1),
        ):  # fmt: skip
            bank.extend(values)
        self.arrays = self._publish()
        self._ids.update(zip(new, range(first, first + len(new)), strict=True))


class RowBank:
    """The cost rows of one substitution table as one float64 matrix (``matrix``; a row
    per target syllable seen, added by :meth:`row_id`)."""

    def __init__(self, row_of: Callable[[Any], Sequence[float]], width: int) -> None:
        self._row_of = row_of
        self._ids: dict[Any, int] = {}
        self._store = np.zeros((64, width), np.float64)
        self.matrix: Any = self._store[:0]

    def row_id(self, syllable: Any) -> int:
        got = self._ids.get(syllable)
        if got is not None:
            return got
        with _LOCK:
            got = self._ids.get(syllable)
            if got is None:
                got = len(self._ids)
                if got == self._store.shape[0]:
                    grown = np.zeros((2 * got, self._store.shape[1]), np.float64)
                    grown[:got] = self._store[:got]
                    self._store = grown
                self._store[got] = self._row_of(syllable)
                self.matrix = self._store[: got + 1]  # before the id (as in CharBank)
                self._ids[syllable] = got
        return got


# --------------------------------------------------------------------------- per index
def _csr(
    postings: Mapping[Any, Sequence[int]], key_of: Callable[[Any], int]
) -> tuple[Any, Any, Any]:
    """Postings as sorted key ids, offsets and targets."""
    rows = sorted([(key_of(k), v) for k, v in postings.items() if v])
    values: list[int] = []
    ends = []
    for _k, v in rows:
        values += v
        ends.append(len(values))
    return (
        np.array([k for k, _ in rows], np.int64),
        np.array([0, *ends], np.int64),
        np.array(values, np.int64),
    )


def pair_id(pair: tuple[str, str]) -> int:
    return KEY_IDS.get(pair[0]) * KEYS + KEY_IDS.get(pair[1])


class IndexArrays:
    """What the kernel reads of one lexicon index (built once, on its first scan)."""

    __slots__ = ("_limits", "floats", "inf", "ints", "single")

    def __init__(
        self,
        n_targets: int,
        n_hotwords: int,
        pinyin: Mapping[int, tuple[Any, int, int, float, float]],
        syllables_of: Callable[[int], Sequence[Any]],
        keys_of: Callable[[int], Sequence[str]],
        rows: RowBank,
        heads: Mapping[tuple[str, str], Sequence[int]],
        singles: Mapping[str, Sequence[int]],
        pairs: Mapping[tuple[str, str], Sequence[int]],
    ) -> None:
        # per target, in order; a target of another kind has no syllables
        tm = [0] * n_targets
        th = [0] * n_targets
        tx = [0.0] * n_targets
        tf = [0.0] * n_targets
        ts_row: list[int] = []
        ts_key: list[int] = []
        row_id, key_id = rows.row_id, KEY_IDS.get
        for t, (_rows, m, h, extra, floor) in sorted(pinyin.items()):
            tm[t], th[t], tx[t], tf[t] = m, h, extra, floor
            ts_row += [row_id(s) for s in syllables_of(t)]
            ts_key += [key_id(k) for k in keys_of(t)]
        lengths = np.array(tm, np.int64)
        ts_o = np.zeros(n_targets + 1, np.int64)
        np.cumsum(lengths, out=ts_o[1:])
        ts_row_a = np.array(ts_row, np.int64)
        ts_key_a = np.array(ts_key, np.int64)
        self.single = bool(singles)
        anchors = _csr(singles, KEY_IDS.get) if singles else _csr(pairs, pair_id)
        parts: list[Any] = [lengths, np.array(th, np.int64), ts_o, ts_row_a, ts_key_a]
        parts += [*_csr(heads, pair_id), *anchors]
        ends = np.cumsum([len(parts) + 1] + [len(x) for x in parts])
        #: what :func:`scan` reads as ``ib``: 12 offsets, then tm, th, ts_o, ts_row,
        #: ts_key, the heads' keys, offsets and targets, the anchors' likewise
        self.ints = np.concatenate([ends.astype(np.int64), *parts])
        #: ``fb``: each target's generation cost, then its floor
        self.floats = np.array(tx + tf, np.float64)
        self.inf = np.full(max(1, n_hotwords), np.inf)
        self._limits: dict[int, tuple[object, Any]] = {}

    def limits(self, table: Sequence[float] | None) -> Any:
        """``table`` (per hotword limits) as an array, kept per table (16 at most); an
        array is itself."""
        if table is None:
            return self.inf
        if isinstance(table, np.ndarray):
            return table
        got = self._limits.get(id(table))
        if got is not None and got[0] is table:
            return got[1]
        arr = np.array(table, np.float64)
        with _LOCK:
            if len(self._limits) >= 16:
                self._limits.clear()
            self._limits[id(table)] = (table, arr)
        return arr
