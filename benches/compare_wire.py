#!/usr/bin/env python3
"""Compare cscomm-wire's decoder with ClusterShell's own reader.

usage: target/peer-venv/bin/python3 benches/compare_wire.py [--reps N]
           [--python-reps N] [--no-write]

Runs with the interpreter of the ClusterShell 1.10.1 peer venv. It

1. builds and runs `wire_throughput` (release) from the cscomm-benches
   package: the same streams and decoding loops as the criterion bench
   `benches/benches/wire.rs`; it writes the two streams to a temporary
   directory and reports its median times as JSON;
2. times ClusterShell's reader on those very bytes, fed as
   `ClusterShell.Communication.Channel.ev_read` feeds it: the stream cut
   into lines, each `line + b"\\n"` given to an incremental expat parser
   (`xml.sax.make_parser(["IncrementalParser"])`, flushed when the parser
   has `flush`) driving `ClusterShell.Communication.XMLReader`, whose
   messages are popped after each line (payloads are not unpickled: the
   Rust side does not decode them either);
3. prints both and their ratio, and rewrites the part of
   `docs/PERFORMANCE.md` between `<!-- wire:begin -->` and
   `<!-- wire:end -->` (creating the file if needed) unless `--no-write`.

Times are medians over the repetitions, in wall-clock time and in time on
CPU (the process's own, which the load of other processes on a shared
machine barely changes); the ratios use CPU time.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import xml.sax
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / 'docs' / 'PERFORMANCE.md'
BEGIN, END = '<!-- wire:begin -->', '<!-- wire:end -->'

CASES = {
    'a': '(a) 100,000 OUT messages of 80-byte lines',
    'b': '(b) 200 CTL write messages of 1 MiB',
}


def run_rust(reps, dump_dir):
    """Build and run wire_throughput; return its results by case name."""
    cmd = ['cargo', 'run', '--quiet', '--release', '-p', 'cscomm-benches',
           '--bin', 'wire_throughput', '--',
           '--reps', str(reps), '--dump', str(dump_dir)]
    out = subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE)
    return {r['case']: r for r in json.loads(out.stdout)['results']}


def lines_of(stream):
    """The lines ClusterShell's stream reader hands to Channel.ev_read
    (without their newline)."""
    lines = stream.split(b'\n')
    if stream.endswith(b'\n'):
        lines.pop()
    return lines


def clustershell_read(lines):
    """Feed `lines` to ClusterShell's reader as Channel.ev_read does;
    return the number of messages it produced (CHA and END included)."""
    from ClusterShell.Communication import XMLReader
    reader = XMLReader()
    parser = xml.sax.make_parser(['IncrementalParser'])
    parser.setContentHandler(reader)
    flush = getattr(parser, 'flush', None)
    count = 0
    for line in lines:
        parser.feed(line + b'\n')
        if flush is not None:
            flush()
        while reader.msg_available():
            reader.pop_msg()
            count += 1
    return count


def run_python(path, reps):
    """Median wall and CPU seconds of reading the stream at `path`."""
    stream = path.read_bytes()
    lines = lines_of(stream)  # split beforehand, as on the Rust side
    walls, cpus, count = [], [], None
    for _ in range(reps):
        wall, cpu = time.perf_counter(), time.process_time()
        count = clustershell_read(lines)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return {'wall_s': statistics.median(walls),
            'cpu_s': statistics.median(cpus),
            'messages': count - 2,  # CHA and END
            'stream_bytes': len(stream), 'reps': reps}


def rate(case, result, key):
    """The figure that matters for a case: messages/s for (a), MB/s for
    (b), from the time under `key`."""
    seconds = result[key]
    if case == 'a':
        return result['messages'] / seconds, 'msg/s'
    return result['stream_bytes'] / seconds / 1e6, 'MB/s'


def fmt(value, unit):
    if unit == 'msg/s':
        return '%.2f M msg/s' % (value / 1e6) if value >= 1e6 \
            else '%.0f k msg/s' % (value / 1e3)
    return '%.0f MB/s' % value


def machine():
    model = ''
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    rustc = subprocess.run(['rustc', '--version'], stdout=subprocess.PIPE,
                           text=True).stdout.strip()
    load = ' '.join('%.1f' % x for x in os.getloadavg())
    return ('%s, %d CPUs; %s; Python %s; load average %s'
            % (model or platform.machine(), os.cpu_count(), rustc,
               platform.python_version(), load))


def command():
    """This run's command line (the comparison script that runs, whichever
    it is), paths relative to the repository."""
    python = Path(sys.executable)
    try:
        python = python.relative_to(ROOT)
    except ValueError:
        pass
    script = 'benches/' + Path(sys.argv[0]).name
    return ' '.join([str(python), script, *sys.argv[1:]])


def table(rust, python):
    """Markdown rows and the plain-text report."""
    import ClusterShell
    rows = ['| stream | cscomm-wire fed | cscomm-wire | ClusterShell %s '
            '(line by line) | ratio |' % ClusterShell.__version__,
            '|---|---|---:|---:|---:|']
    for case in ('a', 'b'):
        py = python[case]
        py_rate, unit = rate(case, py, 'cpu_s')
        for feeding, label in (('chunks_64KiB', 'in 64 KiB chunks'),
                               ('line_by_line', 'line by line')):
            rs = rust['%s/%s' % (case, feeding)]
            if rs['messages'] != py['messages']:
                sys.exit('message counts differ on %s: Rust %d, Python %d'
                         % (case, rs['messages'], py['messages']))
            rs_rate, _ = rate(case, rs, 'cpu_s')
            rs_wall, _ = rate(case, rs, 'wall_s')
            py_wall, _ = rate(case, py, 'wall_s')
            rows.append('| %s | %s | %s (wall: %s) | %s (wall: %s) | %.0fx |'
                        % (CASES[case], label, fmt(rs_rate, unit),
                           fmt(rs_wall, unit), fmt(py_rate, unit),
                           fmt(py_wall, unit), rs_rate / py_rate))
    return rows


def write_doc(rows, rust_reps, python_reps):
    section = '\n'.join([
        BEGIN,
        '## Wire codec: decoding a channel stream',
        '',
        'Measured with `%s` on %s (UTC), on %s.'
        % (command(), time.strftime('%Y-%m-%d %H:%M', time.gmtime()),
           machine()),
        '',
        'cscomm-wire: `FrameDecoder` (release build), median of %d runs, '
        'every frame taken out after each piece fed. ClusterShell: expat '
        'incremental parser + `XMLReader`, fed each line + `\\n` as its '
        '`Channel` does, median of %d runs. On both sides the stream is cut '
        'into lines before timing starts, and payloads are not unpickled. '
        'Figures and ratios use time on CPU (the machine is '
        'shared); wall-clock figures in parentheses. (b) counts bytes of the '
        'stream (base64 text and tags).' % (rust_reps, python_reps),
        '',
        *rows,
        '',
        'Targets for cscomm-wire: 5 M msg/s on (a), 2 GB/s (2000 MB/s) on '
        '(b). The criterion bench with the same loops: '
        '`cargo bench -p cscomm-benches --bench wire`.',
        END,
    ])
    text = DOC.read_text() if DOC.exists() else (
        '# Performance\n\nMeasured figures, each section written by the '
        'script it names.\n\n')
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip('\n') + '\n\n' + section + '\n'
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)


def main():
    args = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    args.add_argument('--reps', type=int, default=9,
                      help='runs of each Rust case (default 9)')
    args.add_argument('--python-reps', type=int, default=3,
                      help='runs of each Python case (default 3)')
    args.add_argument('--no-write', action='store_true',
                      help='print only, leave docs/PERFORMANCE.md alone')
    opts = args.parse_args()
    with tempfile.TemporaryDirectory(prefix='cscomm-wire-bench-') as tmp:
        tmp = Path(tmp)
        rust = run_rust(opts.reps, tmp)
        python = {case: run_python(tmp / (case + '.xml'), opts.python_reps)
                  for case in ('a', 'b')}
    rows = table(rust, python)
    print('\n'.join(rows))
    if not opts.no_write:
        write_doc(rows, opts.reps, opts.python_reps)
        print('wrote %s' % DOC.relative_to(ROOT))


if __name__ == '__main__':
    main()
