#!/usr/bin/env python3
"""A `-b` run on thousands of nodes through a tree of gateways: clush
1.10.1 against `cscomm run`, with ssh replaced by a stand-in.

usage: target/peer-venv/bin/python3 benches/compare_tree_run.py
           [--nodes N] [--gateways G] [--levels 1|2] [--fanout F]
           [--command CMD] [--cases LIST] [--timeout S] [--no-write]

Runs with the interpreter of the ClusterShell 1.10.1 peer venv (its `clush`
is the one next to it, its `python3` runs the Python gateways). Needs
release builds of `cscomm` and `cscomm-gateway` (`cargo build --release -p
cscomm`) and of the stand-in ssh (`cargo build --release -p cscomm-benches
--bin fake_ssh`), found in `$CARGO_TARGET_DIR/release` or `target/release`.

One configuration directory (`CLUSTERSHELL_CFGDIR`) serves both tools:
`clush.conf` (`fanout`, `ssh_path` = the stand-in, `color: never`) and
`topology.conf`: with `--levels 1`, `ROOT: gw[1-G]` and `gwI: NODES/G`
nodes each; with `--levels 2`, `ROOT: gwa[1-2]`, each `gwaJ` leads to half
of `gw[1-G]`, and those to the nodes. The stand-in ssh (`fake_ssh`, the
same program for every hop of both tools) skips the ssh options and runs
the command on this machine with `/bin/sh -c`: for the admin's hop to a
gateway it runs `... -m ClusterShell.Gateway -Bu` (the Python gateway or
`cscomm-gateway`, chosen by `CLUSTERSHELL_GW_PYTHON_EXECUTABLE` as clush
does), and the gateways, which get `ssh_path` in the task settings of
their `shell` request, use it for their nodes.

Each case is run once (`--cases`, default all):
  clush/python   clush, Python gateways (ClusterShell 1.10.1)
  clush/cscomm   clush, cscomm-gateway
  cscomm/python  cscomm run, Python gateways
  cscomm/cscomm  cscomm run, cscomm-gateway
Measured: wall time until the admin process exits; its own CPU (user +
system, read from /proc while it is a zombie) and peak RSS (VmHWM, sampled
every 20 ms); each gateway's own CPU, its children's (the node commands
it reaped) and its peak RSS, reported by the stand-in ssh that started it;
the CPU of the whole process tree (wait4 of the admin: every process
below it is reaped by its parent). The outputs must be equal, and say that
every node printed the same thing (one `-b` block naming all nodes, whose
text is what `sh -c CMD` prints here). The ratios are clush/python over
cscomm/cscomm. Unless `--no-write`, the table replaces the part of
`docs/PERFORMANCE.md` between `<!-- tree-run:begin -->` and
`<!-- tree-run:end -->`.
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare_wire as wire  # noqa: E402  (shared helpers)

ROOT, DOC = wire.ROOT, wire.DOC
BEGIN, END = '<!-- tree-run:begin -->', '<!-- tree-run:end -->'
CLK_TCK = os.sysconf('SC_CLK_TCK')
CASES = ['clush/python', 'clush/cscomm', 'cscomm/python', 'cscomm/cscomm']


class Binaries:
    """The programs of a run."""

    def __init__(self, opts):
        release = Path(os.environ.get('CARGO_TARGET_DIR', ROOT / 'target')) / 'release'
        self.cscomm = Path(opts.cscomm or release / 'cscomm')
        self.gateway = Path(opts.cscomm_gateway or release / 'cscomm-gateway')
        self.fake_ssh = Path(opts.fake_ssh or release / 'fake_ssh')
        self.python = Path(sys.executable)
        self.clush = self.python.parent / 'clush'
        for path in (self.cscomm, self.gateway, self.fake_ssh, self.clush):
            if not os.access(path, os.X_OK):
                sys.exit('%s: not found (see the usage: %s --help)' % (path, sys.argv[0]))


def topology(root, nodes, gateways, levels):
    """topology.conf: the nodes split evenly behind `gateways` gateways."""
    per = nodes // gateways
    lines = ['[routes]']
    if levels == 2:
        half = gateways // 2
        lines.append('%s: gwa[1-2]' % root)
        lines.append('gwa1: gw[1-%d]' % half)
        lines.append('gwa2: gw[%d-%d]' % (half + 1, gateways))
    else:
        lines.append('%s: gw[1-%d]' % (root, gateways))
    for i in range(gateways):
        last = nodes if i == gateways - 1 else (i + 1) * per
        lines.append('gw%d: node[%d-%d]' % (i + 1, i * per + 1, last))
    return '\n'.join(lines) + '\n'


def write_config(cfg, opts, bins):
    root = socket.gethostname().split('.')[0]
    (cfg / 'clush.conf').write_text(
        '[Main]\nconfdir:\nfanout: %d\nconnect_timeout: 30\ncommand_timeout: 0\n'
        'color: never\nverbosity: 1\nssh_path: %s\n' % (opts.fanout, bins.fake_ssh))
    (cfg / 'topology.conf').write_text(
        topology(root, opts.nodes, opts.gateways, opts.levels))
    # An empty group configuration: no groups of this machine's.
    (cfg / 'groups.conf').write_text('[Main]\ndefault: none\n')


def peak_rss_kib(pid):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def own_cpu_s(pid):
    """user + system seconds of a process (a zombie too)."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Sampler(threading.Thread):
    """The peak of a process's VmHWM, every 20 ms."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak = max(self.peak, peak_rss_kib(self.pid))
            self.done.wait(0.02)


class Result:
    """The figures of one case."""

    def __init__(self):
        self.wall = self.admin_cpu = self.tree_cpu = 0.0
        self.admin_rss = 0
        self.status = None
        self.gateways = []  # (host, own CPU s, children CPU s, peak RSS KiB)
        self.stdout = self.stderr = ''
        self.timed_out = False


def run_case(argv, env, work, timeout):
    """Runs the admin command once; a Result."""
    result = Result()
    out, err = work / 'stdout', work / 'stderr'
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(out), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        (os.POSIX_SPAWN_OPEN, 2, str(err), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
    ]
    timer = None
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=actions, setsid=True)
    sampler = Sampler(pid)
    sampler.start()

    def stop():
        result.timed_out = True
        try:
            os.killpg(pid, signal.SIGTERM)
        except OSError:
            pass
    timer = threading.Timer(timeout, stop)
    timer.start()
    # Wait without reaping: the zombie's /proc/PID/stat has its own times.
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    result.wall = time.perf_counter() - start
    timer.cancel()
    sampler.done.set()
    sampler.join()
    result.admin_rss = sampler.peak
    result.admin_cpu = own_cpu_s(pid)
    _, status, usage = os.wait4(pid, 0)
    result.status = os.waitstatus_to_exitcode(status)
    result.tree_cpu = usage.ru_utime + usage.ru_stime
    result.stdout = out.read_text(errors='replace')
    result.stderr = err.read_text(errors='replace')
    return result


def gateway_reports(reports, result):
    """Reads what the stand-in ssh wrote of each gateway (waits a little for
    those still winding down after the admin's exit)."""
    deadline = time.monotonic() + 10
    while True:
        result.gateways = []
        for path in sorted(reports.iterdir()):
            host, _, own, children, rss = path.read_text().split()
            result.gateways.append((host, float(own), float(children), int(rss)))
        if len(result.gateways) >= EXPECTED_GATEWAYS or time.monotonic() > deadline:
            return
        time.sleep(0.1)


def check_output(result, opts, expected):
    """Whether stdout is one `-b` block of every node printing `expected`."""
    text = result.stdout
    match = re.fullmatch(r'-{15}\n(\S+) \((\d+)\)\n-{15}\n(.*)', text, re.S)
    if not match:
        return 'not one -b block'
    from ClusterShell.NodeSet import NodeSet
    nodes = NodeSet(match.group(1))
    if len(nodes) != opts.nodes or int(match.group(2)) != opts.nodes:
        return 'block of %d nodes' % len(nodes)
    if match.group(3) != expected:
        return 'block text %r' % match.group(3)[:80]
    return 'ok'


def one(case, opts, bins, cfg, expected):
    tool, gateway = case.split('/')
    env = {k: v for k, v in os.environ.items() if not k.startswith('CLUSTERSHELL_')}
    env['CLUSTERSHELL_CFGDIR'] = str(cfg)
    env['CLUSTERSHELL_GW_PYTHON_EXECUTABLE'] = str(
        bins.python if gateway == 'python' else bins.gateway)
    nodes = 'node[1-%d]' % opts.nodes
    if tool == 'clush':
        argv = [str(bins.clush), '-w', nodes, '-b', opts.command]
    else:
        argv = [str(bins.cscomm), 'run', '-w', nodes, '-b', opts.command]
    with tempfile.TemporaryDirectory(prefix='cscomm-tree-run-') as work:
        work = Path(work)
        reports = work / 'gateways'
        reports.mkdir()
        env['CSCOMM_FAKE_SSH_GATEWAYS'] = str(reports)
        load = os.getloadavg()[0]
        result = run_case(argv, env, work, opts.timeout)
        gateway_reports(reports, result)
    result.load = (load, os.getloadavg()[0])
    result.check = 'timed out' if result.timed_out else check_output(result, opts, expected)
    return result


def mib(kib):
    return kib / 1024.0


def gateway_summary(result):
    """CPU (own) summed, and the largest peak RSS, of the gateways."""
    own = sum(g[1] for g in result.gateways)
    children = sum(g[2] for g in result.gateways)
    rss = max((g[3] for g in result.gateways), default=0)
    return own, children, rss


def rows(results, opts):
    head = ['| case | wall s | admin CPU s | admin peak RSS MiB | gateways CPU s '
            '(own, sum of %d) | gateway peak RSS MiB (largest) | node commands CPU s '
            '(reaped by the gateways) | whole tree CPU s | output | load avg '
            '(before, after) |' % EXPECTED_GATEWAYS,
            '|---|---:|---:|---:|---:|---:|---:|---:|---|---|']
    for case, r in results:
        own, children, rss = gateway_summary(r)
        head.append('| %s | %.2f | %.2f | %.1f | %.2f | %.1f | %.2f | %.2f | %s%s | %.1f, %.1f |'
                    % (case, r.wall, r.admin_cpu, mib(r.admin_rss), own, mib(rss),
                       children, r.tree_cpu, r.check,
                       '' if r.status == 0 else ' (exit %s)' % r.status,
                       r.load[0], r.load[1]))
    by = dict(results)
    if 'clush/python' in by and 'cscomm/cscomm' in by:
        py, rs = by['clush/python'], by['cscomm/cscomm']
        pg, rg = gateway_summary(py), gateway_summary(rs)

        def ratio(a, b):
            return '%.1fx' % (a / b) if b > 0 else 'n/a'
        head.append('| **clush/python over cscomm/cscomm** | %s | %s | %s | %s | %s | | %s | | |'
                    % (ratio(py.wall, rs.wall), ratio(py.admin_cpu, rs.admin_cpu),
                       ratio(py.admin_rss, rs.admin_rss), ratio(pg[0], rg[0]),
                       ratio(pg[2], rg[2]), ratio(py.tree_cpu, rs.tree_cpu)))
    return head


def per_gateway(results):
    lines = []
    for case, r in results:
        gws = ', '.join('%s %.2f s %.1f MiB' % (g[0], g[1], mib(g[3])) for g in r.gateways)
        lines.append('- %s: %s' % (case, gws or 'none reported'))
    return lines


def write_doc(table, gateways, opts, started):
    section = '\n'.join([
        BEGIN,
        '## Tree run: `-b %s` on %d nodes through %d gateways, fake ssh'
        % (opts.command, opts.nodes, EXPECTED_GATEWAYS),
        '',
        'Measured with `%s` on %s (UTC), on %s.'
        % (wire.command(), started, wire.machine()),
        '',
        'Topology: %s; fanout %d on the admin node and on the gateways; ssh '
        'replaced by `fake_ssh` (`benches/src/bin/fake_ssh.rs`: skips the ssh '
        'options and runs the command here with `/bin/sh -c`; the same '
        'program for every hop of both tools, the gateways get it as '
        '`ssh_path` in their task settings). One run per case, one case at a '
        'time. Admin CPU is the process\'s own; gateway CPU each gateway\'s '
        'own (summed), node commands the CPU of what the gateways reaped '
        '(`fake_ssh` + `sh -c` per node); whole tree is everything below the '
        'admin process, itself included. Peak RSS is VmHWM sampled every 20 '
        'ms. The output column checks that stdout is one `-b` block naming '
        'all %d nodes with what `%s` prints here.'
        % ('`ROOT: gw[1-%d]`, `gwI:` %d nodes each' % (opts.gateways, opts.nodes // opts.gateways)
           if opts.levels == 1 else
           '2 levels: `ROOT: gwa[1-2]`, each to %d of `gw[1-%d]`, each of those to %d nodes'
           % (opts.gateways // 2, opts.gateways, opts.nodes // opts.gateways),
           opts.fanout, opts.nodes, opts.command),
        '',
        *table,
        '',
        'Each gateway (own CPU, peak RSS):',
        '',
        *gateways,
        END,
    ])
    text = DOC.read_text()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip('\n') + '\n\n' + section + '\n'
    DOC.write_text(text)


EXPECTED_GATEWAYS = 0


def main():
    global EXPECTED_GATEWAYS
    args = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    args.add_argument('--nodes', type=int, default=4000)
    args.add_argument('--gateways', type=int, default=4,
                      help='gateways that lead to the nodes (default 4)')
    args.add_argument('--levels', type=int, choices=(1, 2), default=1,
                      help='2: two gateways gwa[1-2] in front of them')
    args.add_argument('--fanout', type=int, default=64)
    args.add_argument('--command', default='echo ok')
    args.add_argument('--cases', default=','.join(CASES),
                      help='comma-separated, of %s' % ', '.join(CASES))
    args.add_argument('--timeout', type=float, default=1800,
                      help='seconds a case may take (default 1800)')
    args.add_argument('--cscomm')
    args.add_argument('--cscomm-gateway')
    args.add_argument('--fake-ssh')
    args.add_argument('--no-write', action='store_true',
                      help='print only, leave docs/PERFORMANCE.md alone')
    opts = args.parse_args()
    cases = [c for c in opts.cases.split(',') if c]
    unknown = [c for c in cases if c not in CASES]
    if unknown or opts.gateways < opts.levels or opts.nodes < opts.gateways:
        sys.exit('bad --cases, --gateways or --nodes')
    EXPECTED_GATEWAYS = opts.gateways + (2 if opts.levels == 2 else 0)
    bins = Binaries(opts)
    expected = subprocess.run(['/bin/sh', '-c', opts.command], stdout=subprocess.PIPE,
                              text=True, check=True).stdout
    started = time.strftime('%Y-%m-%d %H:%M', time.gmtime())
    results = []
    with tempfile.TemporaryDirectory(prefix='cscomm-tree-cfg-') as cfg:
        cfg = Path(cfg)
        write_config(cfg, opts, bins)
        for case in cases:
            print('running %s...' % case, file=sys.stderr, flush=True)
            result = one(case, opts, bins, cfg, expected)
            if result.stderr:
                print('%s stderr: %s' % (case, result.stderr[:2000]), file=sys.stderr)
            results.append((case, result))
            print('\n'.join(rows(results, opts)[-1:]), file=sys.stderr, flush=True)
    outputs = {r.stdout for _, r in results if not r.timed_out}
    table = rows(results, opts)
    if len(outputs) > 1:
        table.append('')
        table.append('**The outputs differ between the cases.**')
    gateways = per_gateway(results)
    print('\n'.join(table + [''] + gateways))
    if not opts.no_write:
        write_doc(table, gateways, opts, started)
        print('wrote %s' % DOC.relative_to(ROOT))


if __name__ == '__main__':
    main()
