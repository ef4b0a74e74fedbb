"""Drive one gateway process as ClusterShell's initiator does, and measure it.

Used by compare_gateway.py; runs with the ClusterShell 1.10.1 peer venv's
interpreter. A run starts the gateway as `<exe> -m ClusterShell.Gateway
-Bu` with pipes, and plays PropagationChannel's part with ClusterShell's own
Message classes: the XML header, `<channel version="1.10.1">` and a CFG
(the pickled TopologyTree `admin: gw1`, `gw1: node[1-N]`) at once; the CTL
`shell` (remote false: the gateway runs the command locally once per node,
`%h` replaced by the node name) when the CFG is acknowledged; the CTL `eof`
when the shell is acknowledged; `</channel>` and the end of stdin once
every node's RET has arrived. Everything the gateway writes is parsed with
expat as it arrives; OUT payloads are decoded and counted per node (lines,
bytes, and a digest of the lines in order).

Relay runs (Spec.relay) put a sub-gateway between the gateway and the nodes
(`admin: gw1`, `gw1: gw2`, `gw2: node[1-N]`): the gateway measured starts
gw2 (the same program, by its absolute path, in `invoke_gateway` and in
CLUSTERSHELL_GW_PYTHON_EXECUTABLE) through a stand-in `ssh`
first on PATH that runs the command on this machine, and relays its
messages. The sub-gateway is a child of the gateway: its CPU is in the
children's figures, its memory is not in the gateway's.

What is measured, and how it is kept to the gateway process alone:
- CPU: user + system time of the gateway process itself (all its threads),
  read from /proc/<pid>/stat (fields utime, stime) once it has exited but
  before it is reaped (waitid with WNOWAIT), in clock ticks (10 ms
  resolution at the usual USER_HZ of 100). The commands it ran are its
  children; their time is in cutime/cstime, reported apart, never added.
  wait4's rusage (the gateway plus its reaped children) is kept as a
  cross-check: own + children must equal it.
- Wall: from the gateway's start to the last RET (what an initiator
  waits for), and to its exit.
- Peak RSS: VmHWM of the gateway process from /proc/<pid>/status, sampled
  every 50 ms and once more after the last RET (the high-water mark only
  grows, so the last sample is the peak); the commands' memory is not in
  it.
"""
import base64
import hashlib
import os
import pickle
import shlex
import resource
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time
import xml.parsers.expat

from ClusterShell.Communication import ConfigurationMessage, ControlMessage
from ClusterShell.Defaults import DEFAULTS
from ClusterShell.NodeSet import NodeSet
from ClusterShell.Task import task_self
from ClusterShell.Topology import TopologyGraph

CLK_TCK = os.sysconf('SC_CLK_TCK')
LINE_BYTES = 80
GATEWAY_NAME = 'gw1'
SUB_GATEWAY_NAME = 'gw2'

# Runs the remote command (the last argument) here, whatever the host.
STAND_IN_SSH = """#!/bin/sh
last=
for arg; do last=$arg; done
exec sh -c "$last"
"""


def matrix_command(lines):
    """Prints LINES lines of 80 bytes naming the node and the line number."""
    return ("awk 'BEGIN { for (i = 1; i <= %d; i++) "
            "printf \"%%%%-79s\\n\", \"%%h line \" i }'" % lines)


def matrix_line(node, i):
    """The line number I (from 1) of NODE, as matrix_command prints it."""
    return ('%s line %d' % (node, i)).ljust(LINE_BYTES - 1).encode() + b'\n'


def stream_command(lines):
    """Prints LINES identical 80-byte lines as fast as possible."""
    # The gateway may leave SIGPIPE ignored in its children: yes then
    # reports EPIPE on stderr instead of dying quietly.
    return ("line=$(printf '%%%%-79s' '%%h stream'); "
            "yes \"$line\" 2>/dev/null | head -n %d" % lines)


class Spec:
    """One run: the gateway command, the targets and the command."""

    def __init__(self, argv, nodes, lines, grooming, command, fanout=64,
                 digest=True, timeout=3600, rss_limit_kib=None, relay=False):
        self.argv = argv
        self.nodes = NodeSet('node[1-%d]' % nodes)
        self.lines = lines
        self.grooming = grooming
        self.command = command
        self.fanout = fanout
        self.digest = digest
        self.timeout = timeout
        self.rss_limit_kib = rss_limit_kib
        self.relay = relay


class Result:
    """What a run measured and whether the output was complete."""

    def __init__(self):
        self.wall_last_ret = None
        self.wall_exit = None
        self.cpu_own = None
        self.cpu_children = None
        self.cpu_rusage = None
        self.hwm_kib = 0
        self.messages = {}
        self.errors = []
        self.exit_status = None
        self.driver_cpu = None

    @property
    def ok(self):
        return not self.errors

    def __repr__(self):
        return ('Result(cpu_own=%s wall=%s hwm=%s errors=%s)'
                % (self.cpu_own, self.wall_last_ret, self.hwm_kib,
                   self.errors[:3]))


def initiator_messages(spec, srcid):
    """The CFG, CTL shell and CTL eof messages, as PropagationChannel and
    TreeWorker build them."""
    admin = socket.gethostname().split('.')[0]
    graph = TopologyGraph()
    graph.add_route(NodeSet(admin), NodeSet(GATEWAY_NAME))
    if spec.relay:
        graph.add_route(NodeSet(GATEWAY_NAME), NodeSet(SUB_GATEWAY_NAME))
        graph.add_route(NodeSet(SUB_GATEWAY_NAME), spec.nodes)
    else:
        graph.add_route(NodeSet(GATEWAY_NAME), spec.nodes)
    cfg = ConfigurationMessage(GATEWAY_NAME)
    cfg.data_encode(graph.to_tree(admin))

    task = task_self()
    task.set_info('fanout', spec.fanout)
    task.set_info('grooming_delay', spec.grooming)
    info = dict((k, v) for k, v in task._info.items()
                if k not in DEFAULTS._task_info_pkeys_bl)
    shell = ControlMessage(srcid)
    shell.action = 'shell'
    shell.target = spec.nodes
    shell.data_encode({
        'cmd': spec.command,
        'invoke_gateway': '%s -m ClusterShell.Gateway -Bu'
                          % (shlex.quote(spec.argv[0]) if spec.relay
                             else os.path.basename(spec.argv[0])),
        'taskinfo': info,
        'stderr': True,
        'timeout': None,
        'remote': False,
    })
    eof = ControlMessage(srcid)
    eof.action = 'eof'
    # 1.10.1 writes the repr of a Python set of node names here.
    eof.target = set(spec.nodes)
    return cfg, shell, eof


class NodeTally:
    """Per-node output counts."""
    __slots__ = ('lines', 'bytes', 'digest', 'rets')

    def __init__(self, digest):
        self.lines = 0
        self.bytes = 0
        self.digest = hashlib.blake2b(digest_size=16) if digest else None
        self.rets = []


class Reader:
    """Parses the gateway's stream and plays the initiator's next move."""

    def __init__(self, spec, proc, messages, started):
        self.spec, self.proc, self.started = spec, proc, started
        self.cfg, self.shell, self.eof = messages
        self.tally = dict((n, NodeTally(spec.digest)) for n in spec.nodes)
        self.pending_rets = len(spec.nodes)
        self.result_counts = {}
        self.errors = []
        self.done_at = None
        self._names = {}
        self._attrs = None
        self._chunks = []
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.buffer_text = True
        self.parser.buffer_size = 1 << 20
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._chars

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def nodes(self, text):
        names = self._names.get(text)
        if names is None:
            names = list(NodeSet(text))
            self._names[text] = names
        return names

    def _start(self, name, attrs):
        if name == 'message':
            self._attrs = attrs
            self._chunks = []

    def _chars(self, data):
        if self._attrs is not None:
            self._chunks.append(data)

    def _end(self, name):
        if name != 'message':
            return
        attrs, self._attrs = self._attrs, None
        kind = attrs.get('type')
        self.result_counts[kind] = self.result_counts.get(kind, 0) + 1
        handler = getattr(self, '_on_' + str(kind), None)
        if handler is None:
            self.errors.append('unexpected message %s' % attrs)
        else:
            handler(attrs, ''.join(self._chunks))

    def _on_ACK(self, attrs, _payload):
        ack = int(attrs['ack'])
        if ack == self.cfg.msgid:
            self.send(self.shell.xml() + b'\n')
        elif ack == self.shell.msgid:
            self.send(self.eof.xml() + b'\n')

    def _on_OUT(self, attrs, payload):
        data = pickle.loads(base64.b64decode(payload))
        lines, size = data.count(b'\n') + 1, len(data) + 1
        for node in self.nodes(attrs['nodes']):
            tally = self.tally.get(node)
            if tally is None:
                self.errors.append('output for unknown node %s' % node)
                continue
            tally.lines += lines
            tally.bytes += size
            if tally.digest is not None:
                tally.digest.update(data)
                tally.digest.update(b'\n')

    def _on_SER(self, attrs, payload):
        data = pickle.loads(base64.b64decode(payload))
        self.errors.append('stderr from %s: %r' % (attrs['nodes'], data[:200]))

    def _on_RET(self, attrs, _payload):
        for node in self.nodes(attrs['nodes']):
            tally = self.tally.get(node)
            if tally is None:
                self.errors.append('RET for unknown node %s' % node)
                continue
            tally.rets.append(int(attrs['retcode']))
            self.pending_rets -= 1
        if self.pending_rets <= 0 and self.done_at is None:
            self.done_at = time.monotonic()

    def _on_ERR(self, attrs, _payload):
        self.errors.append('ERR from gateway: %s' % attrs.get('reason'))

    def _on_TIM(self, attrs, _payload):
        self.errors.append('TIM for %s' % attrs.get('nodes'))

    def _on_RTR(self, attrs, _payload):
        self.errors.append('unexpected RTR %s' % attrs)

    def feed(self, data):
        try:
            self.parser.Parse(data, False)
        except xml.parsers.expat.ExpatError as err:
            self.errors.append('gateway stream: %s' % err)
            return False
        return True


def proc_stat(pid):
    """(utime, stime, cutime, cstime) in seconds, from /proc/<pid>/stat."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    # fields[0] is the state (stat field 3): utime is field 14.
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return tuple(v / CLK_TCK for v in (utime, stime, cutime, cstime))


def vm_hwm_kib(pid):
    """VmHWM of a live process in KiB (0 once it has exited)."""
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Sampler(threading.Thread):
    """Reads the gateway's VmHWM every 50 ms; kills the gateway's process
    group when it passes limit_kib (a runaway gateway must not take the
    machine down), which then fails the run."""

    def __init__(self, pid, limit_kib=None):
        threading.Thread.__init__(self, daemon=True)
        self.pid, self.hwm, self.stop = pid, 0, threading.Event()
        self.limit_kib, self.exceeded = limit_kib, False

    def run(self):
        while not self.stop.wait(0.05):
            self.hwm = max(self.hwm, vm_hwm_kib(self.pid))
            if self.limit_kib and self.hwm > self.limit_kib:
                self.exceeded = True
                try:
                    os.killpg(self.pid, 9)
                except ProcessLookupError:
                    pass
                return


def drain(pipe, sink):
    """Collects the gateway's stderr."""
    for chunk in iter(lambda: pipe.read1(65536), b''):
        sink.append(chunk)


def run(spec, env):
    """Runs the gateway once; returns a Result."""
    if not spec.relay:
        return run_with(spec, env)
    tmp = tempfile.mkdtemp(prefix='cscomm-relay-')
    try:
        ssh = os.path.join(tmp, 'ssh')
        with open(ssh, 'w') as f:
            f.write(STAND_IN_SSH)
        os.chmod(ssh, stat.S_IRWXU)
        # ClusterShell's gateway builds the sub-gateway's command from this
        # variable (ours takes the request's invoke_gateway): the same
        # program either way.
        env = dict(env, PATH=tmp + os.pathsep + env.get('PATH', ''),
                   CLUSTERSHELL_GW_PYTHON_EXECUTABLE=spec.argv[0])
        return run_with(spec, env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_with(spec, env):
    """Runs the gateway once with `env`; returns a Result."""
    result = Result()
    srcid = id(spec)
    messages = initiator_messages(spec, srcid)
    own = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    proc = subprocess.Popen(spec.argv, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, start_new_session=True)
    sampler = Sampler(proc.pid, spec.rss_limit_kib)
    sampler.start()
    stderr = []
    drainer = threading.Thread(target=drain, args=(proc.stderr, stderr),
                               daemon=True)
    drainer.start()
    reader = Reader(spec, proc, messages, started)
    try:
        converse(reader, proc, spec, started)
    except (BrokenPipeError, TimeoutError) as err:
        reader.errors.append('%s: %s' % (type(err).__name__, err))
    # The last sample of the high-water mark, before the gateway winds down.
    result.hwm_kib = max(sampler.hwm, vm_hwm_kib(proc.pid))
    sampler.stop.set()
    try:
        reader.send(b'</channel>')
    except BrokenPipeError:
        pass
    finish(proc, spec, started, result)
    drainer.join(5)
    end = resource.getrusage(resource.RUSAGE_SELF)
    result.driver_cpu = (end.ru_utime + end.ru_stime
                         - own.ru_utime - own.ru_stime)
    if reader.done_at is not None:
        result.wall_last_ret = reader.done_at - started
    result.messages = reader.result_counts
    result.errors = reader.errors + verify(spec, reader.tally)
    if sampler.exceeded:
        result.errors.insert(0, 'gateway killed: peak RSS passed the limit '
                             'of %d MiB' % (spec.rss_limit_kib // 1024))
    if stderr:
        result.errors.append('gateway stderr: %r'
                             % b''.join(stderr)[-500:])
    return result


def converse(reader, proc, spec, started):
    """Sends the opening, then reads until every RET arrived."""
    cfg = reader.cfg
    reader.send(b'<?xml version="1.0" encoding="utf-8"?>\n'
                b'<channel version="1.10.1">' + cfg.xml() + b'\n')
    fd = proc.stdout.fileno()
    while reader.pending_rets > 0:
        if time.monotonic() - started > spec.timeout:
            raise TimeoutError('no end after %d s' % spec.timeout)
        data = os.read(fd, 1 << 20)
        if not data:
            reader.errors.append('gateway closed its stdout early')
            return
        if not reader.feed(data):
            return


def finish(proc, spec, started, result):
    """Closes the gateway's stdin, then measures it as it exits."""
    try:
        proc.stdin.close()
    except BrokenPipeError:
        pass
    # Drain stdout (the gateway may still write) while waiting for its exit.
    threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
    deadline = time.monotonic() + 30
    while True:
        info = os.waitid(os.P_PID, proc.pid,
                         os.WEXITED | os.WNOWAIT | os.WNOHANG)
        if info is not None:
            break
        if time.monotonic() > deadline:
            result.errors.append('gateway still running 30 s after EOF')
            os.killpg(proc.pid, 9)
            deadline = float('inf')
        time.sleep(0.002)
    result.wall_exit = time.monotonic() - started
    utime, stime, cutime, cstime = proc_stat(proc.pid)
    result.cpu_own = utime + stime
    result.cpu_children = cutime + cstime
    _, status, rusage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    result.exit_status = proc.returncode
    result.cpu_rusage = rusage.ru_utime + rusage.ru_stime


def verify(spec, tally):
    """Every node: one RET 0, every line, in order (digest)."""
    errors = []
    for node, t in tally.items():
        if t.rets != [0]:
            errors.append('%s: RETs %s' % (node, t.rets))
        if t.lines != spec.lines or t.bytes != spec.lines * LINE_BYTES:
            errors.append('%s: %d lines, %d bytes (want %d, %d)'
                          % (node, t.lines, t.bytes, spec.lines,
                             spec.lines * LINE_BYTES))
        elif t.digest is not None:
            want = hashlib.blake2b(digest_size=16)
            for i in range(1, spec.lines + 1):
                want.update(matrix_line(node, i))
            if want.digest() != t.digest.digest():
                errors.append('%s: lines differ from the expected ones'
                              % node)
        if len(errors) > 10:
            errors.append('...')
            break
    return errors
