"""Power controls on the job log: delay job starts under a demand cap, shift flexible jobs to cheap hours.

The scheduler replays the simulated log in order of start time, as an online scheduler
meets the jobs. Each job keeps its simulated start unless that start would push an
interval's power over the cap, or the job is flexible and a cheaper start lies within its
maximum delay. A job is never started earlier than simulated (the engine's order and
node placement stand), and a moved job starts at an interval boundary, where the operator's
15-minute control acts.

GPUs: the simulated log is feasible as it is; the busiest instant of each interval
(``base_max``) bounds its occupancy. A moved job must fit beside ``base_max`` plus the
GPUs of jobs already moved into the interval, counted in full in every interval they
touch: conservative, so no instant ever holds more GPUs than the class has. Moved jobs are
checked against the class's GPU count only (pooled), not against node fragmentation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from aidc.power.coupling import interval_mean

Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Plan:
    """Inputs of :func:`reschedule`, per job and per interval.

    Attributes
    ----------
    start_s, end_s : array (n_jobs,)
        Simulated start and end (NaN start: the job never ran). [s]
    n_gpus : array (n_jobs,)
        GPUs held. [GPU]
    class_index : array (n_jobs,)
        GPU class of each job (index into ``capacity_gpus``). [-]
    power_kw : array (n_jobs,)
        The job's power above its GPUs' idle draw. [kW]
    flexible : array (n_jobs,) of bool
        May be shifted (tenant class marked flexible).
    capacity_gpus : array (n_classes,)
        GPUs of each class. [GPU]
    allowed_kw : array (n_intervals,)
        Largest total job power each interval may hold (inf: no cap). [kW]
    signal : array (n_intervals,) or None
        Price or carbon intensity to shift against; None: no shifting.
    interval_s : float
        Metering interval. [s]
    max_delay_s : float
        Latest a flexible job may start after its simulated start. [s]
    window_s : float
        A start is judged by the signal's mean over ``min(duration, window_s)``. [s]
    cap_power_frac, cap_throughput_frac : array (n_levels,)
        GPU power-limit levels, mildest first: share of the job's power drawn and of its speed
        kept (:mod:`aidc.power.capping`); empty: no capping. [-]
    cappable : array (n_jobs,) of bool or None
        Jobs whose GPUs may be capped (None: none).
    """

    start_s: Array
    end_s: Array
    n_gpus: npt.NDArray[np.int64]
    class_index: npt.NDArray[np.int64]
    power_kw: Array
    flexible: npt.NDArray[np.bool_]
    capacity_gpus: Array
    allowed_kw: Array
    signal: Array | None
    interval_s: float
    max_delay_s: float
    window_s: float
    cap_power_frac: Array = field(default_factory=lambda: np.zeros(0))
    cap_throughput_frac: Array = field(default_factory=lambda: np.zeros(0))
    cappable: npt.NDArray[np.bool_] | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    """What :func:`schedule` decided, per job and per interval.

    Attributes
    ----------
    start_s, end_s : array (n_jobs,)
        New start and end (NaN: no room within the horizon). [s]
    capped : array (n_jobs,) of bool
        Jobs run with their GPUs power-limited in some interval.
    capped_kw : array (n_classes, n_intervals)
        Mean power of the capped jobs above their GPUs' idle draw. [kW]
    capped_work_gpus : array (n_classes, n_intervals)
        GPUs the capped jobs hold, times the share of their speed they keep. [GPU]
    """

    start_s: Array
    end_s: Array
    capped: npt.NDArray[np.bool_]
    capped_kw: Array
    capped_work_gpus: Array


def busiest_instant(
    start_s: Array, end_s: Array, n_gpus: Array, n_intervals: int, interval_s: float
) -> Array:
    """Largest number of GPUs held at any instant of each interval (a job ending at t frees its GPUs at t).

    Examples
    --------
    One job of 4 GPUs on [0, 900) and one of 2 GPUs on [900, 1800): 4 then 2; overlapping, 6.

    >>> gpus = np.array([4, 2])
    >>> busiest_instant(np.array([0.0, 900.0]), np.array([900.0, 1800.0]), gpus, 2, 900.0).tolist()
    [4.0, 2.0]
    >>> busiest_instant(np.array([0.0, 450.0]), np.array([900.0, 1800.0]), gpus, 2, 900.0).tolist()
    [6.0, 2.0]
    """
    ok = np.isfinite(start_s) & (end_s > start_s)
    t = np.concatenate([end_s[ok], start_s[ok]])
    d = np.concatenate([-n_gpus[ok], n_gpus[ok]]).astype(float)
    order = np.lexsort((d, t))  # ends before starts at the same instant
    t, occ = t[order], np.cumsum(d[order])
    out = np.zeros(n_intervals)
    k = np.minimum((t // interval_s).astype(np.int64), n_intervals - 1)
    inside = t < n_intervals * interval_s
    np.maximum.at(out, k[inside], occ[inside])
    # what is held when the interval opens counts too
    i = np.searchsorted(t, np.arange(n_intervals) * interval_s, side="right")
    carried = np.where(i > 0, occ[np.maximum(i - 1, 0)], 0.0)
    return np.maximum(out, carried)


def occupancy(start_s: float, duration_s: float, interval_s: float) -> tuple[int, Array]:
    """First interval a job touches and the share of each touched interval it runs [-].

    Examples
    --------
    >>> k0, occ = occupancy(450.0, 1575.0, 900.0)
    >>> k0, occ.tolist()
    (0, [0.5, 1.0, 0.25])
    """
    k0 = int(start_s // interval_s)
    end_s = start_s + duration_s
    n = max(math.ceil(end_s / interval_s) - k0, 1)
    occ = np.ones(n)
    if n == 1:
        occ[0] = duration_s / interval_s
    else:
        occ[0] = ((k0 + 1) * interval_s - start_s) / interval_s
        occ[-1] = (end_s - (k0 + n - 1) * interval_s) / interval_s
    return k0, occ


def _start_costs(
    s0: Array, dur: Array, cum_signal: Array, dt: float, max_delay_k: int, window_k: int, horizon: int
) -> tuple[npt.NDArray[np.int64], Array]:
    """Return each job's interval and the mean signal of starting 0 .. ``max_delay_k`` intervals later.

    Starts past the horizon are clipped to its last interval (they cost what it costs, and
    do not fit).
    """
    k_base = (s0 // dt).astype(np.int64)
    starts = np.minimum(k_base[:, None] + np.arange(max_delay_k + 1)[None, :], horizon - 1)
    span = np.clip(np.ceil(dur / dt).astype(np.int64), 1, window_k)[:, None]
    end = np.minimum(starts + span, horizon)
    # the signal is scaled to 1 (see reschedule): a flat signal's sums must tie, not differ in the last bit
    return k_base, np.round((cum_signal[end] - cum_signal[starts]) / np.maximum(end - starts, 1), 9)


def reschedule(plan: Plan) -> Array:
    """Return each job's new start under the cap and the shifting rule (NaN: no room within the horizon).

    The horizon is ``len(plan.allowed_kw)`` intervals; a job that finds no start inside it
    is left unstarted.
    """
    return schedule(plan).start_s


def schedule(plan: Plan) -> Schedule:
    """Return each job's start and end under the controls, and the power of the capped jobs.

    A cappable job that the cap would delay first tries to start when simulated with its GPUs
    power-limited, interval by interval, at the mildest level that fits each (full power where
    there is room), running slower while capped; only if the strongest level does not fit
    somewhere in its run is it delayed, at full power. Its extra run time must find GPUs free,
    as a moved job's.
    """
    dt, horizon = plan.interval_s, len(plan.allowed_kw)
    start = plan.start_s.copy()
    dur = plan.end_s - plan.start_s
    end = plan.end_s.copy()
    n_classes = len(plan.capacity_gpus)
    cappable = plan.cappable if plan.cappable is not None else np.zeros(len(start), bool)
    is_capped = np.zeros(len(start), bool)
    capped_kw = np.zeros((n_classes, horizon))
    capped_work = np.zeros((n_classes, horizon))

    placed = np.zeros(len(start), bool)  # jobs whose start is decided (their load is in load_kw)
    # power of the placed cappable jobs still at full power, per interval: the most capping can give
    flex_kw = np.zeros(horizon)
    weakest = float(plan.cap_power_frac[-1]) if len(plan.cap_power_frac) else 1.0

    def done() -> Schedule:
        moved = ~is_capped
        end[moved] = start[moved] + dur[moved]
        return Schedule(start, end, is_capped, capped_kw, capped_work)

    def relieve(s0: float, d: float, p: float) -> bool:
        """Make room for a job at ``s0`` by power-limiting running cappable jobs from its interval on.

        The running jobs, largest power first, each run their remaining work capped where the
        cap needs it (:func:`capped_run`); if together they make room, the job's load and their
        new runs stay, else nothing changes.
        """
        k0, occ = occupancy(s0, d, dt)
        k1 = k0 + len(occ)
        if k1 > horizon:
            return False
        # capping every running cappable job to the strongest level would not make room: give up early
        over_kw = load_kw[k0:k1] + p * occ - room_kw[k0:k1]
        if (over_kw > flex_kw[k0:k1] * (1.0 - weakest) + 1e-9).any():
            return False
        t0 = k0 * dt
        run_end = np.where(is_capped, end, start + dur)
        cand = np.flatnonzero(placed & cappable & ~is_capped & (start < k1 * dt) & (run_end > t0))
        load_kw[k0:k1] += p * occ
        changes = []
        for r in cand[np.argsort(-plan.power_kw[cand], kind="stable")].tolist():
            if not (load_kw[k0:k1] > room_kw[k0:k1]).any():
                break
            a, pr, gr, cr = max(start[r], t0), plan.power_kw[r], plan.n_gpus[r], plan.class_index[r]
            w = start[r] + dur[r] - a  # work left at full speed
            ka, occ_r = occupancy(a, w, dt)
            load_kw[ka : ka + len(occ_r)] -= pr * occ_r
            new = capped_run(a, w, pr, load_kw, room_kw, plan.cap_power_frac, plan.cap_throughput_frac, dt,
                             best_effort=True)
            k_old_end = int((start[r] + dur[r]) // dt)
            if new is None or (gpu_room[cr, k_old_end : new[0] + len(new[1])] < gr).any():
                load_kw[ka : ka + len(occ_r)] += pr * occ_r
                continue
            load_kw[new[0] : new[0] + len(new[1])] += new[1]
            changes.append((r, a, ka, occ_r, new))
        reach = max([k1, *(n[0] + len(n[1]) for *_, n in changes)])
        if not changes or (load_kw[k0:reach] > room_kw[k0:reach] + 1e-9).any():
            for r, _, ka, occ_r, (kn, kw_r, _, _) in reversed(changes):  # undo, last change first
                load_kw[kn : kn + len(kw_r)] -= kw_r
                load_kw[ka : ka + len(occ_r)] += plan.power_kw[r] * occ_r
            load_kw[k0:k1] -= p * occ
            return False
        for r, a, _, _, (kn, kw_r, work_r, end_r) in changes:
            cr, gr = plan.class_index[r], plan.n_gpus[r]
            kf, occ_f = occupancy(start[r], dur[r], dt)
            flex_kw[kf : kf + len(occ_f)] -= plan.power_kw[r] * occ_f  # capped now: no longer at full power
            if a > start[r]:  # its full-power part before the limit
                kb, occ_b = occupancy(start[r], a - start[r], dt)
                capped_kw[cr, kb : kb + len(occ_b)] += plan.power_kw[r] * occ_b
                capped_work[cr, kb : kb + len(occ_b)] += gr * occ_b
            capped_kw[cr, kn : kn + len(kw_r)] += kw_r
            capped_work[cr, kn : kn + len(kw_r)] += gr * work_r
            gpu_room[cr, int((start[r] + dur[r]) // dt) : kn + len(kw_r)] -= gr
            is_capped[r], end[r] = True, end_r
        return True

    base_max = np.stack(
        [
            busiest_instant(
                plan.start_s, plan.end_s, np.where(plan.class_index == c, plan.n_gpus, 0), horizon, dt
            )
            for c in range(n_classes)
        ]
    )
    # GPUs free beside the simulated occupancy and the jobs moved so far, per class and interval
    gpu_room = plan.capacity_gpus[:, None] - base_max
    load_kw = np.zeros(horizon)
    room_kw = plan.allowed_kw
    capped = bool(np.isfinite(room_kw).any())
    shift = plan.signal is not None
    cum_signal = np.zeros(1)
    if plan.signal is not None:
        scale = float(np.abs(plan.signal).max(initial=0.0)) or 1.0
        cum_signal = np.concatenate([[0.0], np.cumsum(plan.signal / scale)])
    max_delay_k = int(plan.max_delay_s // dt)
    window_k = max(int(plan.window_s // dt), 1)
    ran = np.flatnonzero(np.isfinite(plan.start_s) & (dur > 0))
    order = ran[np.argsort(plan.start_s[ran], kind="stable")]
    if not capped and (not shift or _no_gpu_conflict(plan, order, gpu_room, max_delay_k)):
        # Nothing can block a start: jobs keep theirs, flexible ones take their cheapest candidate.
        flex = order[plan.flexible[order]] if shift else order[:0]
        start[flex] = _cheapest_starts(
            plan.start_s[flex], cum_signal, dt, max_delay_k, window_k, horizon, dur[flex]
        )
        return done()
    # The longest run of first starters whose load stays under the cap keeps its starts unchecked.
    first = _head_under_cap(plan, order, room_kw) if capped and not shift else 0
    if first:
        head = order[:first]
        placed[head] = True
        flex = head[cappable[head]]
        flex_kw += interval_mean(plan.start_s[flex], plan.end_s[flex], plan.power_kw[flex], horizon, dt)
        load_kw += interval_mean(plan.start_s[head], plan.end_s[head], plan.power_kw[head], horizon, dt)
    order = order[first:]
    if not capped:
        # A moved job takes only GPUs free beside the simulated occupancy, so no room ever falls
        # below zero and a job that may not move keeps its start: only flexible ones need a look.
        order = order[plan.flexible[order]]
    cols = (
        plan.start_s[order].tolist(),
        dur[order].tolist(),
        plan.class_index[order].tolist(),
        plan.n_gpus[order].tolist(),
        plan.power_kw[order].tolist(),
        plan.flexible[order].tolist(),
    )
    rows = list(zip(order.tolist(), *cols, strict=True))
    # each flexible job's starts in the reach of its maximum delay, cheapest first (ties: earliest)
    ranked: list[list[int]] = [[0]] * len(order)
    if shift:
        flex = np.flatnonzero(plan.flexible[order])
        _, cost = _start_costs(plan.start_s[order[flex]], dur[order[flex]], cum_signal, dt, max_delay_k,
                               window_k, horizon)
        for pos, row in zip(flex.tolist(), np.argsort(cost, axis=1, kind="stable").tolist(), strict=True):
            ranked[pos] = row
    retry_at, i = 0, 0
    while i < len(rows):
        j, s0, d, c, g, p, flexible = rows[i]
        if capped and not shift and i >= retry_at:
            # a run of starters that fits under the cap and beside the moved jobs keeps its starts
            m = _run_under_cap(plan, order[i:], load_kw, room_kw, gpu_room)
            if m:
                run = order[i : i + m]
                placed[run] = True
                k0 = int(plan.start_s[run].min() // dt)
                flex = run[cappable[run]]
                flex_kw[k0:] += interval_mean(
                    plan.start_s[flex] - k0 * dt, plan.end_s[flex] - k0 * dt, plan.power_kw[flex],
                    horizon - k0, dt,
                )
                load_kw[k0:] += interval_mean(
                    plan.start_s[run] - k0 * dt,
                    plan.end_s[run] - k0 * dt,
                    plan.power_kw[run],
                    horizon - k0,
                    dt,
                )
                i += m
                continue
            retry_at = i + 32  # a run starts only past the cap's episode: look again later
        i += 1
        room = gpu_room[c]

        def fits(s: float, moved: bool, d: float = d, g: int = g, p: float = p, room: Array = room) -> bool:
            k0, occ = occupancy(s, d, dt)
            k1 = k0 + len(occ)
            if k1 > horizon:
                return False
            # moved jobs may fill what a job held in the simulation: then it must wait too
            if (room[k0:k1] < (g if moved else 0)).any():
                return False
            return not (capped and (load_kw[k0:k1] + p * occ > room_kw[k0:k1]).any())

        k_base = int(s0 // dt)
        candidates = (s0 if k == 0 else (k_base + k) * dt for k in ranked[i - 1])  # the first usually fits
        chosen = next((s for s in candidates if fits(s, moved=s != s0)), math.nan)
        if math.isnan(chosen) and capped and cappable[j]:
            slowed = capped_run(s0, d, p, load_kw, room_kw, plan.cap_power_frac, plan.cap_throughput_frac, dt)
            if slowed is not None:
                k0, kw, work, end_s = slowed
                k1, k_sim_end = k0 + len(kw), int((s0 + d) // dt)
                # past its simulated end the job holds GPUs it did not hold in the simulation
                if (room[k_sim_end:k1] >= g).all():
                    start[j], end[j], is_capped[j], placed[j] = s0, end_s, True, True
                    load_kw[k0:k1] += kw
                    capped_kw[c, k0:k1] += kw
                    capped_work[c, k0:k1] += g * work
                    room[k_sim_end:k1] -= g
                    continue
        if math.isnan(chosen) and capped and len(plan.cap_power_frac) and relieve(s0, d, p):
            start[j], placed[j] = s0, True  # its load is placed; it held these GPUs in the simulation
            if cappable[j]:
                k0, occ = occupancy(s0, d, dt)
                flex_kw[k0 : k0 + len(occ)] += p * occ
            continue
        if math.isnan(chosen):  # earliest boundary after the simulated start where it fits
            k = _first_fit(int(s0 // dt) + 1, max(math.ceil(d / dt), 1), p, g, load_kw, room_kw, room)
            chosen = k * dt if k >= 0 else math.nan
        start[j] = chosen
        if math.isnan(chosen):
            continue
        placed[j] = True
        k0, occ = occupancy(chosen, d, dt)
        if capped:
            load_kw[k0 : k0 + len(occ)] += p * occ
            if cappable[j]:
                flex_kw[k0 : k0 + len(occ)] += p * occ
        if chosen != s0:
            room[k0 : k0 + len(occ)] -= g
    return done()


def capped_run(
    s0: float,
    duration_s: float,
    power_kw: float,
    load_kw: Array,
    room_kw: Array,
    power_frac: Array,
    speed_frac: Array,
    interval_s: float,
    best_effort: bool = False,
) -> tuple[int, Array, Array, float] | None:
    """Run a job from ``s0`` with its GPUs power-limited, interval by interval, where the cap needs it.

    In each interval the job draws its full power if it fits beside ``load_kw`` under
    ``room_kw``, else the mildest level that fits (``power_kw * power_frac``) and runs at
    ``speed_frac`` of its speed there; each interval it touches counts in full for the fit
    (conservative). ``best_effort``: where no level fits, run at the strongest one anyway (the
    caller checks the cap afterwards).

    Returns
    -------
    tuple or None
        First interval, mean power added per interval [kW], share of each interval's time it
        works at full speed [-], and its end [s]; None if even the strongest level does not fit
        in some interval of its run, or the run leaves the horizon.

    Examples
    --------
    A 1 h job of 4 kW from t = 0 on 900 s intervals, 2 kW free in the first two intervals:
    capped to half its power at 80 % of its speed there, then full. Work done by 1,800 s:
    0.8 x 1,800 = 1,440 s; the remaining 2,160 s take two intervals and 360 s: end 3,960 s.

    >>> free = np.array([2.0, 2.0, 9.0, 9.0, 9.0, 9.0])
    >>> k0, kw, work, end = capped_run(0.0, 3600.0, 4.0, np.zeros(6), free, np.array([0.5]),
    ...                                np.array([0.8]), 900.0)
    >>> k0, kw.tolist(), [round(w, 3) for w in work.tolist()], end
    (0, [2.0, 2.0, 4.0, 4.0, 1.6], [0.8, 0.8, 1.0, 1.0, 0.4], 3960.0)
    """
    dt, horizon = interval_s, len(load_kw)
    k0 = int(s0 // dt)
    slowest = float(speed_frac[-1]) if len(speed_frac) else 1.0
    k1 = min(k0 + math.ceil((s0 - k0 * dt + duration_s / slowest) / dt) + 1, horizon)
    if k1 <= k0:
        return None
    free = room_kw[k0:k1] - load_kw[k0:k1]
    pf, sf = np.concatenate([[1.0], power_frac]), np.concatenate([[1.0], speed_frac])
    fit = power_kw * pf[None, :] <= free[:, None]
    fits_any = fit.any(axis=1)
    level = np.where(fits_any, np.argmax(fit, axis=1), len(pf) - 1)  # the mildest that fits (0: full power)
    speed = np.where(fits_any | best_effort, sf[level], 0.0)
    avail = np.full(k1 - k0, dt)
    avail[0] = (k0 + 1) * dt - s0
    done = np.cumsum(speed * avail)
    last = int(np.searchsorted(done, duration_s * (1 - 1e-12)))
    if last >= k1 - k0 or (speed[: last + 1] == 0).any():
        return None
    t_last = (duration_s - (done[last - 1] if last else 0.0)) / speed[last]  # time run in the last one
    share = avail[: last + 1] / dt
    share[-1] = t_last / dt
    end_s = float((s0 if last == 0 else (k0 + last) * dt) + t_last)
    return k0, power_kw * pf[level[: last + 1]] * share, speed[: last + 1] * share, end_s

def _run_under_cap(
    plan: Plan, rest: npt.NDArray[np.int64], load_kw: Array, room_kw: Array, gpu_room: Array
) -> int:
    """Return how many of the next starters fit together at their starts beside ``load_kw`` (galloping).

    Their power must stay under the room, and no moved job may have taken GPUs they held
    (``gpu_room >= 0`` over their span).
    """
    dt = plan.interval_s

    def under(m: int) -> bool:
        run = rest[:m]
        k0 = int(plan.start_s[run].min() // dt)
        k1 = min(int(np.ceil(plan.end_s[run].max() / dt)) + 1, len(room_kw))
        load = interval_mean(
            plan.start_s[run] - k0 * dt, plan.end_s[run] - k0 * dt, plan.power_kw[run], k1 - k0, dt
        )
        return bool((load_kw[k0:k1] + load <= room_kw[k0:k1]).all() and (gpu_room[:, k0:k1] >= 0).all())

    if not under(1):
        return 0
    lo, hi = 1, 2
    while hi <= len(rest) and under(hi):
        lo, hi = hi, hi * 2
    hi = min(hi, len(rest) + 1)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if under(mid) else (lo, mid)
    return lo


def _no_gpu_conflict(plan: Plan, order: npt.NDArray[np.int64], gpu_room: Array, max_delay_k: int) -> bool:
    """Whether every flexible job could be moved anywhere in its delay and no class runs out of GPUs.

    Bounds each interval's extra GPUs by all flexible jobs that could reach it (simulated
    start to start plus the maximum delay plus their length).
    """
    dt, horizon = plan.interval_s, gpu_room.shape[1]
    flex = order[plan.flexible[order]]
    k0 = (plan.start_s[flex] // dt).astype(np.int64)
    k1 = np.minimum(np.ceil(plan.end_s[flex] / dt).astype(np.int64) + max_delay_k + 1, horizon)
    for c in range(gpu_room.shape[0]):
        m = plan.class_index[flex] == c
        reach = np.cumsum(
            np.bincount(k0[m], plan.n_gpus[flex][m], horizon + 1)
            - np.bincount(k1[m], plan.n_gpus[flex][m], horizon + 1)
        )[:horizon]
        if (gpu_room[c] < reach).any():
            return False
    return True


def _cheapest_starts(
    s0: Array, cum_signal: Array, dt: float, max_delay_k: int, window_k: int, horizon: int, dur: Array
) -> Array:
    """Return the cheapest start of each job [s], when every candidate fits."""
    k_base, cost = _start_costs(s0, dur, cum_signal, dt, max_delay_k, window_k, horizon)
    best = np.argmin(cost, axis=1)  # the first of equal costs: the earliest start
    return np.where(best == 0, s0, (k_base + best) * dt)


def _head_under_cap(plan: Plan, order: npt.NDArray[np.int64], room_kw: Array) -> int:
    """Return the largest ``m`` such that the first ``m`` starters together stay under the cap everywhere.

    Load only grows as jobs are added, so each of them passes its check in :func:`reschedule`
    at its simulated start; found by bisection on ``m``.
    """

    def under(m: int) -> bool:
        head = order[:m]
        load = interval_mean(
            plan.start_s[head], plan.end_s[head], plan.power_kw[head], len(room_kw), plan.interval_s
        )
        return bool((load <= room_kw).all())

    lo, hi = 0, len(order)
    if under(hi):
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if under(mid) else (lo, mid)
    return lo


def _first_fit(
    k: int, span: int, p: float, g: int, load_kw: Array, room_kw: Array, gpu_room: Array, chunk: int = 8192
) -> int:
    """Return the first interval ``>= k`` from which ``span`` intervals hold ``p`` kW and ``g`` GPUs more.

    -1 if there is none within the horizon.

    Counts the last, partly used interval in full (conservative); scans the horizon in
    chunks, each a handful of array operations.
    """
    horizon = len(load_kw)
    while k + span <= horizon:
        hi = min(horizon, k + chunk + span)
        ok = (load_kw[k:hi] + p <= room_kw[k:hi]) & (gpu_room[k:hi] >= g)
        bad = np.flatnonzero(~ok)
        run_start = np.concatenate([[0], bad + 1])
        run_len = np.concatenate([bad, [len(ok)]]) - run_start
        hit = np.flatnonzero(run_len >= span)
        if len(hit):
            return int(k + run_start[hit[0]])
        if hi == horizon:
            return -1
        k = k + int(run_start[-1]) if run_start[-1] > 0 else hi - span + 1
    return -1
