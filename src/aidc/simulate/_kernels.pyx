# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled inner loops of the simulator's fast paths (built at install; see setup.py).

Each function here has a pure-Python twin in the module that calls it, which runs when this
extension was not built; tests/simulate/test_kernels.py holds the two equal with hypothesis.
Why compiled: under a long queue, strict FIFO starts one job per released end, a loop of
~1 us per job in Python; the Philly trace on 640 GPUs spends ~0.1 s there, half of what a
whole ``aidc simulate`` process may cost to be ten times faster than the SimPy model.
"""

from libc.stdint cimport int64_t
from libc.stdlib cimport free, malloc

import numpy as np


cdef struct Running:
    double end_s
    int64_t gpus


cdef inline void _push(Running* heap, Py_ssize_t* n, double end_s, int64_t gpus) noexcept nogil:
    cdef Py_ssize_t i = n[0]
    cdef Py_ssize_t parent
    n[0] += 1
    while i > 0:
        parent = (i - 1) >> 1
        if heap[parent].end_s <= end_s:
            break
        heap[i] = heap[parent]
        i = parent
    heap[i].end_s = end_s
    heap[i].gpus = gpus


cdef inline Running _pop(Running* heap, Py_ssize_t* n) noexcept nogil:
    cdef Running top = heap[0]
    cdef Running last
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t child
    n[0] -= 1
    if n[0] == 0:
        return top
    last = heap[n[0]]
    while True:
        child = 2 * i + 1
        if child >= n[0]:
            break
        if child + 1 < n[0] and heap[child + 1].end_s < heap[child].end_s:
            child += 1
        if heap[child].end_s >= last.end_s:
            break
        heap[i] = heap[child]
        i = child
    heap[i] = last
    return top


def fifo_scalar(const double[::1] submit, const int64_t[::1] need, const double[::1] dur,
                double[::1] start, Py_ssize_t i0, Py_ssize_t i1, double t,
                const double[::1] run_e, const int64_t[::1] run_n, int64_t capacity):
    """Start jobs ``i0 .. i1-1`` under strict FIFO on pooled GPUs; return the state after them.

    The twin of :func:`aidc.simulate.fast._scalar`: a binary heap of the running jobs' ends
    (equal ends kept as separate entries: popping them one by one frees the same GPUs at
    the same instant as merging them). Returns the last start, and the ends and GPUs of the
    jobs still running after it.
    """
    cdef Py_ssize_t cap = run_e.shape[0] + (i1 - i0) + 1
    cdef Running* heap = <Running*> malloc(cap * sizeof(Running))
    cdef Py_ssize_t n = 0
    cdef Py_ssize_t i, k
    cdef int64_t free_gpus = capacity
    cdef int64_t g
    cdef double s, end_s
    cdef Running top
    cdef double[::1] ae
    cdef int64_t[::1] an
    if heap == NULL:
        raise MemoryError()
    try:
        with nogil:
            for k in range(run_e.shape[0]):
                _push(heap, &n, run_e[k], run_n[k])
                free_gpus -= run_n[k]
            for i in range(i0, i1):
                s = submit[i]
                g = need[i]
                if s > t:
                    t = s
                    while n > 0 and heap[0].end_s <= t:
                        top = _pop(heap, &n)
                        free_gpus += top.gpus
                while free_gpus < g:
                    top = _pop(heap, &n)
                    t = top.end_s
                    free_gpus += top.gpus
                free_gpus -= g
                start[i] = t
                end_s = t + dur[i]
                _push(heap, &n, end_s, g)
        alive_e = np.empty(n, dtype=np.float64)
        alive_n = np.empty(n, dtype=np.int64)
        ae, an = alive_e, alive_n
        k = 0
        for i in range(n):
            if heap[i].end_s > t:
                ae[k] = heap[i].end_s
                an[k] = heap[i].gpus
                k += 1
        return t, alive_e[:k], alive_n[:k]
    finally:
        free(heap)
