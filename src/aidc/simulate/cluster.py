"""The cluster: GPU nodes by class, and the allocators that place jobs on them.

A :class:`Cluster` is plain data (node classes and placement). During a run the engine
asks an *allocator* whether a job fits and where it goes:

- ``pooled``: only the GPU count matters (a job of ``n`` GPUs fits when ``n`` GPUs are free);
- ``node``: a job of at most one node's GPUs runs inside one node (best fit: the fullest
  node that still has room); a larger job takes ``ceil(n / gpus_per_node)`` whole free nodes.

Allocators hold the per-run state (free GPUs, which job is where); a new one is built for
every run, so two simulations in one process never share anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from aidc.errors import InputError

Placement = Literal["pooled", "node"]


@dataclass(frozen=True, slots=True)
class NodeClass:
    """A group of identical GPU nodes.

    Parameters
    ----------
    gpu_class : str
        GPU model key (e.g. ``"h100"``), matched against a job's ``gpu_class``.
    n_nodes : int
        Number of nodes.
    gpus_per_node : int
        GPUs in each node.
    """

    gpu_class: str
    n_nodes: int
    gpus_per_node: int

    @property
    def n_gpus(self) -> int:
        """GPUs of the class."""
        return self.n_nodes * self.gpus_per_node


@dataclass(frozen=True, slots=True, init=False)
class Cluster:
    """GPU nodes by class and a placement rule.

    ``Cluster(n_gpus, gpus_per_node)`` builds a one-class cluster (for trace replay);
    :meth:`from_design` builds one class per GPU model of a design's fleet.

    Examples
    --------
    >>> c = Cluster(6144, 8)
    >>> c.n_gpus, c.classes[0].n_nodes
    (6144, 768)
    """

    classes: tuple[NodeClass, ...]
    placement: Placement

    def __init__(
        self,
        n_gpus: int | None = None,
        gpus_per_node: int = 8,
        placement: Placement = "pooled",
        *,
        classes: Iterable[NodeClass] | None = None,
    ) -> None:
        if classes is None:
            if n_gpus is None or n_gpus < 1 or gpus_per_node < 1:
                raise InputError.single(
                    "a cluster needs at least one GPU and one GPU per node",
                    field="gpus", found=(n_gpus, gpus_per_node), expected="n_gpus >= 1, gpus_per_node >= 1",
                )
            n_nodes = math.ceil(n_gpus / gpus_per_node)
            if n_nodes * gpus_per_node != n_gpus and placement == "node":
                raise InputError.single(
                    "with node placement the GPU count must be a multiple of the GPUs per node",
                    field="gpus", found=n_gpus, expected=f"a multiple of {gpus_per_node}",
                )
            classes = (NodeClass("any", n_nodes, gpus_per_node),) if n_nodes * gpus_per_node == n_gpus \
                else (NodeClass("any", 1, n_gpus),)
        classes = tuple(c for c in classes if c.n_nodes > 0)
        if not classes:
            raise InputError.single("the cluster has no GPU nodes", field="fleet.servers")
        if placement not in ("pooled", "node"):
            raise InputError.single("unknown placement", field="placement", found=placement,
                                    expected="pooled or node")
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "placement", placement)

    @property
    def n_gpus(self) -> int:
        """Total GPUs."""
        return sum(c.n_gpus for c in self.classes)

    @classmethod
    def from_design(cls, design: Any, scenario: Any, placement: Placement = "node") -> Cluster:
        """Build the cluster of a design: one node class per GPU model of ``design.fleet.servers``.

        Server types without GPUs (CPU, storage) are left out; server types with the same
        GPU model and node size are merged.
        """
        catalog = scenario.servers()
        counts: dict[tuple[str, int], int] = {}
        for key, count in sorted(design.fleet.servers.items()):
            server = catalog[key]
            if server.n_gpus <= 0 or count <= 0:
                continue
            model = server.gpu_model or key
            counts[(model, server.n_gpus)] = counts.get((model, server.n_gpus), 0) + int(count)
        classes = [NodeClass(m, n, g) for (m, g), n in sorted(counts.items())]
        return cls(placement=placement, classes=classes)


class Allocator(Protocol):
    """Where jobs go in one node class during one run (engine state, never shared)."""

    capacity: int  # GPUs of the nodes that are up
    free: int  # free GPUs on nodes that are up

    def allocate(self, job: int, n_gpus: int) -> bool:
        """Place ``job`` if it fits now; return whether it was placed."""
        ...

    def release(self, job: int) -> None:
        """Free the GPUs of ``job``."""
        ...

    def nodes_of(self, job: int) -> tuple[int, ...]:
        """Nodes that ``job`` occupies (empty for pooled placement)."""
        ...

    def earliest_fit_s(
        self, n_gpus: int, releases: Iterable[tuple[float, int]], t_s: float
    ) -> tuple[float, int]:
        """Earliest time a job of ``n_gpus`` fits, given future releases ``(end_s, job)`` by end.

        Returns the time and the GPUs that are spare at that time beside the job (``-1``
        when spare GPUs cannot be lent safely, as with node placement).
        """
        ...

    def victims_to_fit(self, n_gpus: int, candidates: Iterable[int]) -> list[int] | None:
        """Return the running jobs to stop so that a job of ``n_gpus`` fits, taken in ``candidates`` order.

        Returns ``None`` when stopping all of them would not make it fit.
        """
        ...


class PooledAllocator:
    """Pooled placement: only the number of free GPUs matters."""

    def __init__(self, node_class: NodeClass, n_gpus_of: list[int]) -> None:
        self.capacity = node_class.n_gpus
        self.free = self.capacity
        self._n = n_gpus_of

    def allocate(self, job: int, n_gpus: int) -> bool:  # noqa: D102
        if n_gpus > self.free:
            return False
        self.free -= n_gpus
        return True

    def release(self, job: int) -> None:  # noqa: D102
        self.free += self._n[job]

    def nodes_of(self, job: int) -> tuple[int, ...]:  # noqa: D102
        return ()

    def victims_to_fit(self, n_gpus: int, candidates: Iterable[int]) -> list[int] | None:  # noqa: D102
        free, victims = self.free, []
        for job in candidates:
            if free >= n_gpus:
                break
            free += self._n[job]
            victims.append(job)
        return victims if free >= n_gpus else None

    def earliest_fit_s(self, n_gpus, releases, t_s):  # noqa: D102, ANN001, ANN201
        free = self.free
        if n_gpus <= free:
            return t_s, free - n_gpus
        fit_s = math.inf
        for end_s, job in releases:
            if end_s > fit_s:
                break  # every release at the fitting instant is counted in the spare GPUs
            free += self._n[job]
            if free >= n_gpus:
                fit_s = end_s
        return (fit_s, free - n_gpus) if fit_s < math.inf else (math.inf, 0)


class NodeAllocator:
    """Node placement: best fit inside one node, whole nodes for larger jobs.

    ``_bucket[k]`` is the set of up nodes with exactly ``k`` free GPUs, so finding a node
    costs O(GPUs per node), not O(nodes).
    """

    def __init__(self, node_class: NodeClass, n_gpus_of: list[int]) -> None:
        self.gpn = node_class.gpus_per_node
        self.capacity = node_class.n_gpus
        self.free = self.capacity
        self._n = n_gpus_of
        self._node_free = [self.gpn] * node_class.n_nodes
        self._bucket: list[set[int]] = [set() for _ in range(self.gpn + 1)]
        self._bucket[self.gpn] = set(range(node_class.n_nodes))
        self._where: dict[int, tuple[int, ...]] = {}
        self._down: set[int] = set()
        self.n_nodes = node_class.n_nodes

    def _take(self, node: int, g: int) -> None:
        f = self._node_free[node]
        self._bucket[f].discard(node)
        self._node_free[node] = f - g
        self._bucket[f - g].add(node)

    def allocate(self, job: int, n_gpus: int) -> bool:  # noqa: D102
        gpn = self.gpn
        if n_gpus > self.free:
            return False
        if n_gpus <= gpn:
            for k in range(n_gpus, gpn + 1):
                if self._bucket[k]:
                    node = next(iter(self._bucket[k]))  # set order of ints is deterministic
                    self._take(node, n_gpus)
                    self._where[job] = (node,)
                    self.free -= n_gpus
                    return True
            return False
        k = -(-n_gpus // gpn)
        whole = self._bucket[gpn]
        if len(whole) < k:
            return False
        nodes = tuple(sorted(whole)[:k])
        for node in nodes:
            self._take(node, gpn)
        self._where[job] = nodes
        self.free -= k * gpn
        return True

    def release(self, job: int) -> None:  # noqa: D102
        nodes = self._where.pop(job)
        g = self._n[job] if len(nodes) == 1 else self.gpn
        for node in nodes:
            if node in self._down:
                continue
            self._take(node, -g)
            self.free += g

    def nodes_of(self, job: int) -> tuple[int, ...]:  # noqa: D102
        return self._where.get(job, ())

    def victims_to_fit(self, n_gpus: int, candidates: Iterable[int]) -> list[int] | None:  # noqa: D102
        # Free the candidates' GPUs one by one (in the caller's order) until a node, or enough
        # whole nodes, would hold the job; then stop only those on the node(s) it would take.
        gpn, k = self.gpn, -(-n_gpus // self.gpn)
        node_free = list(self._node_free)
        for node in self._down:
            node_free[node] = -10**9
        freed: list[int] = []

        def target() -> set[int] | None:
            if n_gpus <= gpn:
                node = next((i for i, f in enumerate(node_free) if f >= n_gpus), None)
                return None if node is None else {node}
            whole = [i for i, f in enumerate(node_free) if f == gpn]
            return set(whole[:k]) if len(whole) >= k else None

        nodes = target()
        for job in candidates:
            if nodes is not None:
                break
            where = self._where.get(job, ())
            g = self._n[job] if len(where) == 1 else gpn
            for node in where:
                node_free[node] += g
            freed.append(job)
            nodes = target()
        if nodes is None:
            return None
        return [j for j in freed if nodes.intersection(self._where.get(j, ()))]

    def jobs_on(self, node: int) -> list[int]:
        """Jobs running on ``node``."""
        return [j for j, nodes in self._where.items() if node in nodes]

    def fail(self, node: int) -> None:
        """Take ``node`` down (its jobs must have been released first)."""
        f = self._node_free[node]
        self._bucket[f].discard(node)
        self._down.add(node)
        self.capacity -= self.gpn
        self.free -= f

    def repair(self, node: int) -> None:
        """Bring ``node`` back up, empty."""
        self._down.discard(node)
        self._node_free[node] = self.gpn
        self._bucket[self.gpn].add(node)
        self.capacity += self.gpn
        self.free += self.gpn

    def earliest_fit_s(self, n_gpus, releases, t_s):  # noqa: D102, ANN001, ANN201
        gpn = self.gpn
        node_free = list(self._node_free)
        for node in self._down:
            node_free[node] = -10**9  # a down node never fits in this look-ahead
        k = -(-n_gpus // gpn)

        def fits() -> bool:
            if n_gpus <= gpn:
                return max(node_free) >= n_gpus
            return sum(1 for f in node_free if f == gpn) >= k

        if fits():
            return t_s, -1
        for end_s, job in releases:
            nodes = self._where.get(job, ())
            g = self._n[job] if len(nodes) == 1 else gpn
            for node in nodes:
                node_free[node] += g
            if fits():
                return end_s, -1
        return math.inf, -1


ALLOCATORS: dict[str, Callable[[NodeClass, list[int]], Allocator]] = {
    "pooled": PooledAllocator, "node": NodeAllocator}
