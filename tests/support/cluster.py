"""A real Redis Cluster of our own for tests: masters, their replicas, and failover on demand.

Each node is a `redis-server --cluster-enabled yes` on a free port of 127.0.0.1, its data (AOF)
and `nodes.conf` in a directory of its own; `redis-cli --cluster create` joins them and hands
the 16384 slots out to the masters. A small `--cluster-node-timeout` makes a SIGKILLed master's
replica take over within seconds.

    with LocalRedisCluster(tmp_path) as cluster:        # 3 masters + 3 replicas, cluster ok
        client = redis.RedisCluster.from_url(cluster.url)
        shard = cluster.shard_of_key("newsroom:{s3}:articles")
        promoted = cluster.kill_master(shard.master)    # SIGKILL, wait for the replica to take over
        cluster.restart(shard.master)                   # back, as a replica of `promoted`
"""

from __future__ import annotations

import random
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import redis
from redis.crc import key_slot

from support.servers import redis_server_command

# A node's cluster bus listens on its port + 10000, so a node's port must leave room for it.
BUS_PORT_OFFSET = 10_000
# Below the kernel's ephemeral range (32768+ on Linux), where free_port() and every outgoing
# connection take their ports, so that neither the port nor its bus port is taken by chance.
NODE_PORTS = range(10_000, 22_000)

T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    """A master, the slots it serves, and the replicas that follow it (all by port)."""

    master: int
    replicas: tuple[int, ...]
    slots: tuple[tuple[int, int], ...]

    def serves(self, slot: int) -> bool:
        return any(first <= slot <= last for first, last in self.slots)


@dataclass(frozen=True)
class _NodeView:
    """One line of CLUSTER NODES."""

    node_id: str
    port: int
    flags: frozenset[str]
    master_id: str | None
    slots: tuple[tuple[int, int], ...]

    @classmethod
    def parse(cls, line: str) -> _NodeView:
        # <id> <ip:port@cport[,hostname]> <flags> <master|-> <ping> <pong> <epoch> <link> <slot>...
        fields = line.split()
        address = fields[1].split("@", 1)[0]
        slots = []
        for item in fields[8:]:
            if item.startswith("["):  # a slot being imported or migrated, not served yet
                continue
            first, _, last = item.partition("-")
            slots.append((int(first), int(last or first)))
        return cls(
            node_id=fields[0],
            port=int(address.rsplit(":", 1)[1]),
            flags=frozenset(fields[2].split(",")),
            master_id=None if fields[3] == "-" else fields[3],
            slots=tuple(sorted(slots)),
        )

    @property
    def failed(self) -> bool:
        return bool(self.flags & {"fail", "fail?", "noaddr", "handshake"})


class ClusterNodeProcess:
    """One redis-server of the cluster, started, killed and restarted at will."""

    def __init__(
        self, directory: Path, port: int, node_timeout_ms: int, options: Sequence[str] = ()
    ) -> None:
        self.directory = directory
        self.port = port
        self.node_timeout_ms = node_timeout_ms
        self.options = tuple(options)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def launch(self) -> None:
        """Starts the process without waiting for it (see `answers`)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        command = redis_server_command(
            self.directory,
            self.port,
            options=[
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                str(self.node_timeout_ms),
                # A master waits this long for more replicas before a (diskless) full sync; 5 s
                # by default, which every start and every rejoin would pay.
                "--repl-diskless-sync-delay",
                "0",
                *self.options,
            ],
        )
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def answers(self) -> bool | None:
        """True once it answers PING, None if the process has exited (its port was taken)."""
        if not self.running:
            return None
        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.ConnectionError:
            return False

    def client(self) -> redis.Redis:
        """A plain (non-cluster) connection to this node alone."""
        return redis.Redis(port=self.port, socket_timeout=5, socket_connect_timeout=5)

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to hand anything over."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None:
            return
        # Redis refuses a SIGTERM while it writes its first AOF (right after a replica's full
        # sync) and does not retry: ask again until it goes, then kill it.
        deadline = time.monotonic() + 10
        while self.process.poll() is None and time.monotonic() < deadline:
            self.process.terminate()
            try:
                self.process.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                continue
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class LocalRedisCluster:
    """`masters` masters with `replicas_per_master` replicas each, on free ports of 127.0.0.1;
    `options` go to every node's command line (e.g. `["--cluster-require-full-coverage", "no"]`).

    Nodes are named by their port. `start()` returns once every node reports `cluster_state:ok`
    and every replica is linked to its master (so `WAIT 1` on a master can succeed); `stop()`
    ends every process, also after a failed start."""

    def __init__(
        self,
        directory: Path,
        *,
        masters: int = 3,
        replicas_per_master: int = 1,
        node_timeout_ms: int = 1000,
        options: Sequence[str] = (),
        start_timeout: float = 30.0,
    ) -> None:
        self.directory = directory
        self.masters = masters
        self.replicas_per_master = replicas_per_master
        self.node_timeout_ms = node_timeout_ms
        self.options = tuple(options)
        self.start_timeout = start_timeout
        self.nodes: dict[int, ClusterNodeProcess] = {}

    # -- addresses --------------------------------------------------------------------------

    @property
    def ports(self) -> list[int]:
        return sorted(self.nodes)

    @property
    def url(self) -> str:
        """A URL naming one node; cluster clients discover the others from it."""
        return f"redis://127.0.0.1:{self.ports[0]}"

    @property
    def startup_nodes(self) -> list[tuple[str, int]]:
        return [("127.0.0.1", port) for port in self.ports]

    def client(self, port: int) -> redis.Redis:
        """A plain connection to one node, for commands that must run on that node."""
        return self.nodes[port].client()

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        try:
            self._launch_nodes(self.masters * (1 + self.replicas_per_master))
            self._create()
            self.wait_until_ok()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Ends every node; safe to call more than once."""
        for node in self.nodes.values():
            node.stop()

    def __enter__(self) -> LocalRedisCluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _launch_nodes(self, count: int) -> None:
        """Starts `count` nodes at once; a node whose port was taken meanwhile (it exits) is
        started again on another port."""
        deadline = time.monotonic() + self.start_timeout
        pending: list[ClusterNodeProcess] = []
        while len(self.nodes) + len(pending) < count or pending:
            while len(self.nodes) + len(pending) < count:
                port = self._free_node_port(exclude={*self.nodes, *(n.port for n in pending)})
                node = ClusterNodeProcess(
                    self.directory / f"node-{port}", port, self.node_timeout_ms, self.options
                )
                node.launch()
                pending.append(node)
            still_pending = []
            for node in pending:
                answer = node.answers()
                if answer:
                    self.nodes[node.port] = node
                elif answer is None:
                    node.stop()  # lost the race for its port: try another
                else:
                    still_pending.append(node)
            pending = still_pending
            if time.monotonic() > deadline:
                for node in pending:
                    node.stop()
                raise RuntimeError(f"cluster nodes did not start: {[n.port for n in pending]}")
            if pending:
                time.sleep(0.05)

    @staticmethod
    def _free_node_port(exclude: Iterable[int]) -> int:
        taken = set(exclude)
        for _ in range(1000):
            port = random.choice(NODE_PORTS)
            wanted = {port, port + BUS_PORT_OFFSET}
            if wanted & (taken | {p + BUS_PORT_OFFSET for p in taken}):
                continue
            if _bindable(port) and _bindable(port + BUS_PORT_OFFSET):
                return port
        raise RuntimeError("no free port pair for a cluster node")

    def _create(self) -> None:
        binary = shutil.which("redis-cli")
        if binary is None:
            raise RuntimeError("redis-cli is not installed (apt-get install redis-tools)")
        result = subprocess.run(
            [
                binary,
                "--cluster",
                "create",
                *(f"127.0.0.1:{port}" for port in self.ports),
                "--cluster-replicas",
                str(self.replicas_per_master),
                "--cluster-yes",
            ],
            capture_output=True,
            text=True,
            timeout=self.start_timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"redis-cli --cluster create failed:\n{result.stdout}{result.stderr}"
            )

    # -- what the cluster looks like ----------------------------------------------------------

    def shards(self) -> list[Shard]:
        """Every master serving slots, with its replicas, as a live node sees it."""
        views = self._views(self._any_live_port())
        return _shards(views)

    def shard_of_key(self, key: str | bytes) -> Shard:
        slot = key_slot(key.encode() if isinstance(key, str) else key)
        for shard in self.shards():
            if shard.serves(slot):
                return shard
        raise LookupError(f"no master serves slot {slot}")

    def master_of(self, key: str | bytes) -> int:
        return self.shard_of_key(key).master

    def _views(self, port: int) -> list[_NodeView]:
        with self.client(port) as client:
            text = client.execute_command("CLUSTER", "NODES")
        text = text.decode() if isinstance(text, bytes) else str(text)
        return [_NodeView.parse(line) for line in text.splitlines() if line.strip()]

    def _any_live_port(self) -> int:
        for port in self.ports:
            if self.nodes[port].running:
                return port
        raise RuntimeError("no cluster node is running")

    # -- waiting ------------------------------------------------------------------------------

    def wait_until_ok(self, timeout: float | None = None) -> None:
        """Until every running node reports `cluster_state:ok`, they all see the same masters,
        slots and replicas with every running node among them, every running replica is linked
        to its master, and no node is still writing its first AOF."""
        _wait_for(self._healthy, timeout or self.start_timeout, "cluster_state:ok on every node")

    def _healthy(self) -> bool:
        live = [port for port in self.ports if self.nodes[port].running]
        try:
            layouts = set()
            for port in live:
                with self.client(port) as client:
                    if b"cluster_state:ok" not in client.execute_command("CLUSTER", "INFO"):
                        return False
                    replication = client.info("replication")
                    persistence = client.info("persistence")
                if replication["role"] == "slave" and replication["master_link_status"] != "up":
                    return False
                if persistence["aof_rewrite_in_progress"] or persistence["aof_rewrite_scheduled"]:
                    return False  # a replica's first AOF after its sync: not settled yet
                views = self._views(port)
                if any(view.port in live and view.failed for view in views):
                    return False
                layouts.add(tuple(_shards(views)))
        except redis.ConnectionError:
            return False
        if len(layouts) != 1:
            return False
        (layout,) = layouts
        members = {port for shard in layout for port in (shard.master, *shard.replicas)}
        return members == set(live)

    # -- failover -----------------------------------------------------------------------------

    def kill_master(self, port: int, timeout: float = 30.0) -> int:
        """SIGKILLs the master on `port`, waits until one of its replicas serves its slots and
        the cluster is ok again; returns the promoted replica's port."""
        before = next((s for s in self.shards() if s.master == port), None)
        if before is None or not before.replicas:
            raise ValueError(f"{port} is not a master with replicas")
        self.nodes[port].kill()

        def promoted() -> int | None:
            if not self._healthy():
                return None
            for shard in self.shards():
                if shard.master in before.replicas and shard.slots == before.slots:
                    return shard.master
            return None

        new_master = _wait_for(promoted, timeout, f"a replica of {port} to take over")
        assert new_master is not None  # _wait_for returns only a truthy result
        return new_master

    def restart(self, port: int, timeout: float = 30.0) -> None:
        """Starts a killed node again on its port with its data and nodes.conf; a former master
        whose slots were taken over rejoins as a replica of the new master."""
        node = self.nodes[port]
        node.launch()
        _wait_for(lambda: node.answers() is not False, timeout, f"node {port} to answer")
        if not node.running:
            raise RuntimeError(f"node {port} did not start again (port taken?)")
        _wait_for(self._healthy, timeout, f"node {port} to rejoin the cluster")


def _shards(views: list[_NodeView]) -> list[Shard]:
    by_id = {view.node_id: view for view in views}
    shards = []
    for view in views:
        if "master" in view.flags and view.slots and not view.failed:
            replicas = tuple(
                sorted(
                    other.port
                    for other in by_id.values()
                    if other.master_id == view.node_id and not other.failed
                )
            )
            shards.append(Shard(master=view.port, replicas=replicas, slots=view.slots))
    return sorted(shards, key=lambda shard: shard.slots)


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_for(check: Callable[[], T], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what}")
        time.sleep(0.05)
