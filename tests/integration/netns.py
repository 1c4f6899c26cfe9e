"""Several "machines" on this one: network namespaces joined by a bridge, for
the multi-machine tests (real processes, real TCP, no mock of the network).

    with NetNamespaces(2) as net:
        server = net.run_in(0, ["python3", "server.py"])         # a Popen
        net.run(1, ["python3", "client.py", net.addresses[0]])   # a CompletedProcess

Namespace i is named accel-t<pid>s<n>-<i> (pid: the process that made it,
n: which NetNamespaces of that process) and
holds one interface, `net.interface` ("eth0"), with address
`net.addresses[i]` on a /24 of its own, plus its own loopback. The other end
of each veth pair is enslaved to a bridge in the root namespace, which holds
`net.host_address`: a daemon in the root namespace (slurmctld, a rendezvous
server) is reachable from every namespace there. Processes inside still see
this host's hostname, /etc/hosts and file system: only the network differs, so
a hostname that resolves to 127.0.x.x (stock Debian: 127.0.1.1) names each
namespace's own loopback — which is the point of GLOO_SOCKET_IFNAME.

Commands enter a namespace through `nsenter --net=/run/netns/<name>`, not
`ip netns exec`: the latter also unshares the mount namespace and remounts
/sys, which slurmd does not survive.

On exit (also after a failure) every process still inside one of the
namespaces is killed and the namespaces, veths and bridge are removed. A run
that was killed before it could clean up leaves accel-t<pid>* behind; the
next NetNamespaces removes those whose pid is gone. Needs root (CAP_NET_ADMIN
and CAP_SYS_ADMIN for the /run/netns mounts) and `ip` and `nsenter`; raises
unittest.SkipTest saying why otherwise.
"""
import fcntl
import os
import re
import shutil
import signal
import subprocess
import time
import unittest

NETNS_DIR = "/run/netns"
PREFIX = "accel-t"
# 10.77.<k>.0/24, one k per live NetNamespaces; chosen under a lock so that
# test files running at the same time (ctest -j) get different subnets.
SUBNET_FIRST_OCTETS = "10.77"
LOCK_FILE = "/run/accel-netns.lock"
CAP_NET_ADMIN = 12
CAP_SYS_ADMIN = 21


def _ip(*args, check=True):
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


def _has_capability(bit):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> bit & 1)
    return False


def why_not_available():
    """None where network namespaces can be made here, else the reason."""
    for tool in ("ip", "nsenter"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed (Debian: iproute2 / util-linux)"
    if not _has_capability(CAP_NET_ADMIN):
        return "no CAP_NET_ADMIN (run as root)"
    if not _has_capability(CAP_SYS_ADMIN):
        return "no CAP_SYS_ADMIN (`ip netns add` mounts under /run/netns)"
    return None


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pids_in_namespace(path):
    """Pids of live processes whose network namespace is the one bound at
    `path` (same device and inode)."""
    try:
        target = os.stat(path)
    except OSError:
        return []
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            st = os.stat(f"/proc/{name}/ns/net")
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
            found.append(int(name))
    return found


def _kill_all_in(path, timeout=5):
    """SIGKILLs every process inside the namespace at `path` and waits until
    none is left (a zombie still holds the namespace only until reaped, which
    `ip netns del` does not care about)."""
    deadline = time.monotonic() + timeout
    while True:
        pids = pids_in_namespace(path)
        if not pids or time.monotonic() >= deadline:
            return pids
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.02)


def _link_names():
    out = _ip("-o", "link", "show").stdout
    return [m.group(1) for m in re.finditer(r"^\d+: ([^:@]+)[@:]", out, re.M)]


def _link_prefix(owner_pid, instance=None):
    # Interface names have at most 15 characters: a<pid>s<n>v<i> fits for
    # pids up to 7 digits, n < 100 and i < 1000.
    return f"a{owner_pid}s" if instance is None else f"a{owner_pid}s{instance}"


def _remove(names, link_pattern):
    """Removes the namespaces `names` and the links whose names match the
    regular expression `link_pattern` (the bridge and veths of the same
    NetNamespaces). Never raises: cleanup of one thing must not stop
    cleanup of the rest."""
    for name in names:
        _kill_all_in(os.path.join(NETNS_DIR, name))
        _ip("netns", "del", name, check=False)
    for link in _link_names():
        if re.fullmatch(link_pattern, link):
            _ip("link", "del", link, check=False)


def remove_stale():
    """Removes accel-t<pid>* namespaces (and their links) whose pid is no
    longer alive: leftovers of a test run that was killed."""
    try:
        entries = os.listdir(NETNS_DIR)
    except FileNotFoundError:
        return
    stale = {}
    for name in entries:
        m = re.fullmatch(re.escape(PREFIX) + r"(\d+)s\d+-\d+", name)
        if m and not _pid_alive(int(m.group(1))):
            stale.setdefault(int(m.group(1)), []).append(name)
    for owner, names in stale.items():
        _remove(names, re.escape(_link_prefix(owner)) + r"\d+[bv]\d*")


def _used_subnets():
    out = _ip("-o", "-4", "addr", "show").stdout
    prefix = re.escape(SUBNET_FIRST_OCTETS)
    return {int(k) for k in re.findall(rf"inet {prefix}\.(\d+)\.", out)}


class NetNamespaces:
    """`count` network namespaces on one bridge. Use as a context manager (or
    call create() / remove()); the attributes below are valid in between."""

    interface = "eth0"  # the name of each namespace's link to the bridge
    _made_in_this_process = 0

    def __init__(self, count=2):
        if count < 1 or count > 200:
            raise ValueError(f"NetNamespaces(count={count}): between 1 and 200")
        self.count = count
        self.owner = os.getpid()
        instance = NetNamespaces._made_in_this_process % 100
        NetNamespaces._made_in_this_process += 1
        self.names = [f"{PREFIX}{self.owner}s{instance}-{i}" for i in range(count)]
        self._links = _link_prefix(self.owner, instance)
        self.bridge = f"{self._links}b"
        self.subnet = None        # "10.77.k.0/24"
        self.host_address = None  # the bridge's address, in the root namespace
        self.addresses = []       # addresses[i]: namespace i's address on eth0
        self._created = False

    # -- life cycle -------------------------------------------------------

    def __enter__(self):
        self.create()
        return self

    def __exit__(self, *exc):
        self.remove()
        return False

    def create(self):
        why = why_not_available()
        if why:
            raise unittest.SkipTest(f"network namespaces: {why}")
        os.makedirs(os.path.dirname(LOCK_FILE), exist_ok=True)
        with open(LOCK_FILE, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            remove_stale()
            used = _used_subnets()
            free = [k for k in range(256) if k not in used]
            if not free:
                raise RuntimeError(f"NetNamespaces: every {SUBNET_FIRST_OCTETS}.x.0/24 is in use")
            k = free[0]
            self.subnet = f"{SUBNET_FIRST_OCTETS}.{k}.0/24"
            self.host_address = f"{SUBNET_FIRST_OCTETS}.{k}.1"
            self.addresses = [f"{SUBNET_FIRST_OCTETS}.{k}.{i + 2}" for i in range(self.count)]
            self._created = True
            try:
                self._build()
            except subprocess.CalledProcessError as error:
                self.remove()
                if "Operation not permitted" in (error.stderr or ""):
                    raise unittest.SkipTest(f"network namespaces: {' '.join(error.cmd)}: "
                                            f"{error.stderr.strip()}")
                raise RuntimeError(f"NetNamespaces: `{' '.join(error.cmd)}` failed: "
                                   f"{error.stderr.strip()}") from None
            except BaseException:
                self.remove()
                raise

    def _build(self):
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.host_address}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        for i, name in enumerate(self.names):
            outside = f"{self._links}v{i}"
            _ip("netns", "add", name)
            # Made inside the namespace under its final name, so no rename
            # and no name clash with the root namespace's eth0.
            _ip("link", "add", outside, "type", "veth", "peer", "name", self.interface,
                "netns", name)
            _ip("link", "set", outside, "master", self.bridge)
            _ip("link", "set", outside, "up")
            _ip("-n", name, "addr", "add", f"{self.addresses[i]}/24", "dev", self.interface)
            _ip("-n", name, "link", "set", self.interface, "up")
            _ip("-n", name, "link", "set", "lo", "up")
            # The root namespace is the way out (e.g. to a daemon listening
            # on the host's own address).
            _ip("-n", name, "route", "add", "default", "via", self.host_address)

    def remove(self):
        """Kills what still runs inside, deletes namespaces, veths and the
        bridge. Safe to call twice and after a half-done create()."""
        if not self._created:
            return
        self._created = False
        _remove(self.names, re.escape(self._links) + r"[bv]\d*")

    # -- running things inside -------------------------------------------

    def path(self, i):
        """The bind mount naming namespace i, for nsenter or setns."""
        return os.path.join(NETNS_DIR, self.names[i])

    def command(self, i, argv):
        """`argv` wrapped so that it runs in namespace i."""
        return ["nsenter", f"--net={self.path(i)}", "--", *argv]

    def run_in(self, i, argv, **popen_kwargs):
        """Starts `argv` in namespace i; returns the subprocess.Popen."""
        return subprocess.Popen(self.command(i, argv), **popen_kwargs)

    def run(self, i, argv, **run_kwargs):
        """Runs `argv` in namespace i to completion (subprocess.run)."""
        return subprocess.run(self.command(i, argv), **run_kwargs)
