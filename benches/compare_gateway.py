#!/usr/bin/env python3
"""Measure gateway processes fed the exact stream an initiator sends.

usage: target/peer-venv/bin/python3 benches/compare_gateway.py
           [--cscomm /abs/path/to/cscomm-gateway]
           [--gateway python|/abs/exe [--gateway ...]] [--repeat N]
           [--matrix 1000x100,100x1000,20x20000] [--grooming 0.25,0]
           [--stream-bytes 1G] [--stream-nodes 8] [--no-stream]
           [--no-matrix] [--relay] [--rss-limit 12G] [--write-doc]

Each run starts one gateway (`python`: ClusterShell 1.10.1's own, i.e. the
peer venv's `python3 -m ClusterShell.Gateway -Bu`; or any executable,
started as `<exe> -m ClusterShell.Gateway -Bu`; `--cscomm PATH` is short
for `--gateway python --gateway PATH`) and drives it as
ClusterShell's initiator does (see gateway_driver.py): CFG, CTL `shell`
with `remote` false (the command runs locally on this machine once per
target), CTL `eof`, then reads every message back until all RETs arrived,
checking that every node's lines arrived complete and in order.

The matrix: N nodes x L lines of 80 bytes for each NxL of --matrix, with
grooming (taskinfo grooming_delay) at each value of --grooming (0: off).
With --relay, each matrix case also runs with the gateway relaying through
a sub-gateway of the same program (`gw1: gw2`, `gw2: nodes`, started over
a stand-in ssh that runs it on this machine; see gateway_driver.py).

The streaming run pushes --stream-bytes of 80-byte lines through the
gateway from --stream-nodes nodes (grooming --stream-grooming) and reports
its peak RSS. A gateway whose RSS passes --rss-limit is killed and its run
fails (the Python gateway's grows with the stream: about 0.5 GiB for 64 MiB
with grooming on).

Figures per run: the gateway process's own CPU time (user+sys, not its
commands'), wall time until the last RET, peak RSS (VmHWM). With two
gateways, both are printed with the ratios first/second. --write-doc
rewrites the part of docs/PERFORMANCE.md between `<!-- gateway:begin -->`
and `<!-- gateway:end -->` (creating the file or the markers if needed).
"""
import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / 'target' / 'peer-venv' / 'bin' / 'python3'
DOC = ROOT / 'docs' / 'PERFORMANCE.md'
BEGIN, END = '<!-- gateway:begin -->', '<!-- gateway:end -->'

sys.dont_write_bytecode = True  # no __pycache__ left in benches/
try:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import gateway_driver as driver
except ImportError:
    # Not the peer venv: run again with its interpreter.
    if Path(sys.executable) != VENV_PYTHON and VENV_PYTHON.exists():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON)] + sys.argv)
    raise


def size(text):
    """1G, 512M, 1000000 -> bytes."""
    units = {'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30}
    if text[-1:].upper() in units:
        return int(float(text[:-1]) * units[text[-1:].upper()])
    return int(text)


def parse_args():
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--gateway', action='append', metavar='EXE',
                   help="'python' (default) or an absolute path; twice to "
                        "compare (ratios are first/second)")
    p.add_argument('--cscomm', metavar='PATH',
                   help='the cscomm-gateway executable: compare it with the '
                        'Python gateway (ratios are Python/cscomm)')
    p.add_argument('--matrix', default='1000x100,100x1000,20x20000',
                   help='NODESxLINES list (default %(default)s)')
    p.add_argument('--grooming', default='0.25,0',
                   help='grooming delays in seconds, 0 = off '
                        '(default %(default)s)')
    p.add_argument('--fanout', type=int, default=64)
    p.add_argument('--repeat', type=int, default=1,
                   help='runs per case; the median is shown')
    p.add_argument('--stream-bytes', type=size, default=size('1G'))
    p.add_argument('--stream-nodes', type=int, default=8)
    p.add_argument('--stream-grooming', type=float, default=0.25)
    p.add_argument('--no-stream', action='store_true')
    p.add_argument('--no-matrix', action='store_true')
    p.add_argument('--relay', action='store_true',
                   help='also run each matrix case through a sub-gateway')
    p.add_argument('--rss-limit', type=size, default=size('12G'),
                   help='kill a gateway whose RSS passes this (default 12G)')
    p.add_argument('--timeout', type=float, default=3600,
                   help='seconds per run before it fails')
    p.add_argument('--write-doc', action='store_true',
                   help='rewrite the gateway section of docs/PERFORMANCE.md')
    args = p.parse_args()
    if args.cscomm:
        if not os.path.isabs(args.cscomm):
            args.cscomm = os.path.abspath(args.cscomm)
        if not os.access(args.cscomm, os.X_OK):
            p.error('--cscomm %s: no such executable (build it first: '
                    'cargo build --release -p cscomm)' % args.cscomm)
        args.gateway = (args.gateway or ['python']) + [args.cscomm]
    args.gateway = args.gateway or ['python']
    if len(args.gateway) > 2:
        p.error('two gateways at most (--gateway twice, or one and --cscomm)')
    return args


def cscomm_note(args):
    """Says plainly when no cscomm-gateway is measured, and where one is."""
    if len(args.gateway) > 1 or args.gateway[0] != 'python':
        return None
    places = [Path(os.environ.get('CARGO_TARGET_DIR', ROOT / 'target')),
              ROOT / 'target']
    found = [str(p / 'release' / 'cscomm-gateway') for p in places
             if (p / 'release' / 'cscomm-gateway').exists()]
    hint = ('a build exists at %s; ' % found[0]) if found else \
        'no cscomm-gateway build found (cargo build --release -p cscomm); '
    return ('NOTE: cscomm-gateway is NOT measured in this run, only the '
            'Python gateway: %spass --cscomm /abs/path/to/cscomm-gateway to '
            'add its column and the ratios.' % hint)


def gateway_argv(name):
    if name == 'python':
        return [str(VENV_PYTHON), '-m', 'ClusterShell.Gateway', '-Bu']
    if not os.path.isabs(name) or not os.access(name, os.X_OK):
        sys.exit('--gateway needs python or an executable absolute path: %s'
                 % name)
    return [name, '-m', 'ClusterShell.Gateway', '-Bu']


def cases(args):
    """(label, nodes, lines, grooming, command maker, digest, relay) per case."""
    out = []
    if not args.no_matrix:
        for dims in args.matrix.split(','):
            nodes, lines = (int(x) for x in dims.lower().split('x'))
            for grooming in (float(g) for g in args.grooming.split(',')):
                label = '%dx%d %s' % (nodes, lines, 'groom %gs' % grooming
                                      if grooming > 0.001 else 'no groom')
                out.append((label, nodes, lines, grooming,
                            driver.matrix_command, True, False))
                if args.relay:
                    out.append((label + ' relay', nodes, lines, grooming,
                                driver.matrix_command, True, True))
    if not args.no_stream:
        per_node = args.stream_bytes // args.stream_nodes
        lines = -(-per_node // driver.LINE_BYTES)
        label = 'stream %s (%dx%d)' % (human(lines * driver.LINE_BYTES
                                             * args.stream_nodes),
                                       args.stream_nodes, lines)
        out.append((label, args.stream_nodes, lines, args.stream_grooming,
                    driver.stream_command, False, False))
    return out


def human(n):
    for unit in ('B', 'KiB', 'MiB', 'GiB'):
        if n < 1024 or unit == 'GiB':
            return '%.3g %s' % (n, unit) if unit != 'B' else '%d B' % n
        n /= 1024.0


def gateway_env(logdir):
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith('CLUSTERSHELL_') and k != 'PYTHONPATH')
    env['CLUSTERSHELL_GW_LOG_DIR'] = logdir
    return env


def measure(argv, case, args, env):
    """Median figures over --repeat runs of one case; None values on error."""
    label, nodes, lines, grooming, command, digest, relay = case
    runs = []
    for _ in range(args.repeat):
        spec = driver.Spec(argv, nodes, lines, grooming, command(lines),
                           fanout=args.fanout, digest=digest,
                           timeout=args.timeout,
                           rss_limit_kib=args.rss_limit // 1024,
                           relay=relay)
        result = driver.run(spec, env)
        if not result.ok:
            print('  %s FAILED: %s' % (label, '; '.join(result.errors[:5])),
                  file=sys.stderr)
            return {'ok': False, 'errors': result.errors}
        runs.append(result)
    med = lambda f: statistics.median(f(r) for r in runs)
    return {
        'ok': True,
        'cpu': med(lambda r: r.cpu_own),
        'children': med(lambda r: r.cpu_children),
        'rusage': med(lambda r: r.cpu_rusage),
        'wall': med(lambda r: r.wall_last_ret),
        'exit': med(lambda r: r.wall_exit),
        'rss': med(lambda r: r.hwm_kib) / 1024.0,
        'out': runs[0].messages.get('OUT', 0),
        'driver': med(lambda r: r.driver_cpu),
    }


def row(label, gw, m):
    if not m['ok']:
        return '| %s | %s | FAILED | | | | | |' % (label, gw)
    return ('| %s | %s | %.2f | %.2f | %.2f | %.1f | %d | %.2f |'
            % (label, gw, m['cpu'], m['children'], m['wall'], m['rss'],
               m['out'], m['driver']))


def ratio_row(label, a, b):
    if not (a['ok'] and b['ok']):
        return '| %s | ratio | n/a | | n/a | n/a | | |' % label
    r = lambda x, y: '%.1fx' % (x / y) if y > 0 else 'inf'
    return ('| %s | **first/second** | %s | | %s | %s | | |'
            % (label, r(a['cpu'], b['cpu']), r(a['wall'], b['wall']),
               r(a['rss'], b['rss'])))


HEADER = ('| case | gateway | CPU s (own) | CPU s (commands) | wall s '
          '(to last RET) | peak RSS MiB | OUT msgs | driver CPU s |\n'
          '|---|---|---:|---:|---:|---:|---:|---:|')


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return '%s, %d CPUs, Linux %s, Python %s' % (
        cpu, os.cpu_count(), platform.release(), platform.python_version())


def main():
    args = parse_args()
    argvs = [gateway_argv(g) for g in args.gateway]
    note = cscomm_note(args)
    if note:
        print(note, file=sys.stderr, flush=True)
    rows = [HEADER]
    started = time.time()
    failed = False
    with tempfile.TemporaryDirectory(prefix='cscomm-gwbench-') as logdir:
        env = gateway_env(logdir)
        print(HEADER, flush=True)
        for case in cases(args):
            results = []
            for gw, argv in zip(args.gateway, argvs):
                m = measure(argv, case, args, env)
                failed |= not m['ok']
                results.append(m)
                rows.append(row(case[0], gw, m))
                print(rows[-1], flush=True)
            if len(results) == 2:
                rows.append(ratio_row(case[0], *results))
                print(rows[-1], flush=True)
    elapsed = time.time() - started
    print('total %.0f s' % elapsed)
    if note:
        print(note)
    if args.write_doc:
        write_doc(args, rows, elapsed)
    return 1 if failed else 0


def write_doc(args, rows, elapsed):
    gateways = ' vs '.join(args.gateway)
    text = '\n'.join([
        BEGIN,
        '## Gateway: CPU, wall time and memory (`benches/compare_gateway.py`)',
        '',
        'Measured %s on %s; gateway(s): %s; fanout %d; median of %d run(s); '
        'the whole script took %.0f s.' % (
            time.strftime('%Y-%m-%d'), machine(), gateways, args.fanout,
            args.repeat, elapsed),
        '',
    ] + rows + ['', DOC_NOTES, END])
    old = DOC.read_text() if DOC.exists() else '# cscomm performance\n'
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        new = head + text + tail
    else:
        new = old.rstrip('\n') + '\n\n' + text + '\n'
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(new)
    print('wrote the gateway section of %s' % DOC)


DOC_NOTES = """\
How to read it: `CPU s (own)` is the gateway process's own user+system
time (all threads), from `/proc/<pid>/stat` read after it exited and before
it was reaped (10 ms ticks); `CPU s (commands)` is the time of the commands
it ran (its reaped children), shown apart and never counted as the
gateway's. `wall s` runs from the gateway's start to the last RET received.
`peak RSS` is the gateway's VmHWM (its commands not included). `driver
CPU s` is this script's own time reading and checking the stream: while
it stays well under the wall time, the driver is not what limits. Every run
checks that each node's lines all arrived, in order. Ratios are
first/second gateway. Reproduce with
`target/peer-venv/bin/python3 benches/compare_gateway.py` (add
`--gateway python --gateway /abs/path/to/cscomm-gateway` to compare)."""


if __name__ == '__main__':
    sys.exit(main())
