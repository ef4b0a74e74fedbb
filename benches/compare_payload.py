#!/usr/bin/env python3
"""Compare cscomm-message's payload codec with ClusterShell's own.

usage: target/peer-venv/bin/python3 benches/compare_payload.py [--reps N]
           [--python-reps N] [--no-write]

Runs with the interpreter of the ClusterShell 1.10.1 peer venv. It

1. builds and runs `payload_throughput` (release) from the cscomm-benches
   package: the same inputs and loops as the criterion bench
   `benches/benches/payload.rs`; it writes its inputs to a temporary
   directory and reports its median times as JSON;
2. times ClusterShell's `Message.data_decode` / `data_encode` on those very
   inputs (after checking that both sides agree on them: ClusterShell
   encodes the same data into the same text, and decodes every payload):
   - the 100,000 OUT payloads of the wire benchmark's stream (a) (one
     80-byte line each), as its reader leaves them in `StdOutMessage.data`;
   - one OUT payload of 1 MiB;
   - the CTL `shell` request and the CFG topology of the captured
     exchange (`examples/capture/initiator.xml`) and a three-level
     topology of 4096 nodes (written by cscomm-message);
   - the whole of stream (a): its reader fed line by line as in
     `compare_wire.py`, alone and with `data_decode` of every message;
3. prints both and their ratio, and rewrites the part of
   `docs/PERFORMANCE.md` between `<!-- payload:begin -->` and
   `<!-- payload:end -->` unless `--no-write`.

Times are medians over the repetitions, in time on CPU (wall-clock time in
parentheses); the ratios use CPU time.
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare_wire as wire  # noqa: E402  (shared helpers)

ROOT, DOC = wire.ROOT, wire.DOC
BEGIN, END = '<!-- payload:begin -->', '<!-- payload:end -->'


def run_rust(reps, dump_dir):
    """Build and run payload_throughput; return its results by case name."""
    cmd = ['cargo', 'run', '--quiet', '--release', '-p', 'cscomm-benches',
           '--bin', 'payload_throughput', '--',
           '--reps', str(reps), '--dump', str(dump_dir)]
    out = subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE)
    return {r['case']: r for r in json.loads(out.stdout)['results']}


def timed(reps, run):
    """Median wall and CPU seconds of `reps` calls of `run`, and what the
    last call returned."""
    walls, cpus, result = [], [], None
    for _ in range(reps):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return {'wall_s': statistics.median(walls),
            'cpu_s': statistics.median(cpus)}, result


def read_messages(lines, decode):
    """ClusterShell's reader on `lines`, as compare_wire times it, but
    keeping the messages (and decoding their payloads when `decode`)."""
    import xml.sax
    from ClusterShell.Communication import XMLReader
    reader = XMLReader()
    parser = xml.sax.make_parser(['IncrementalParser'])
    parser.setContentHandler(reader)
    flush = getattr(parser, 'flush', None)
    messages = []
    for line in lines:
        parser.feed(line + b'\n')
        if flush is not None:
            flush()
        while reader.msg_available():
            msg = reader.pop_msg()
            if decode and getattr(msg, 'has_payload', False) and msg.data:
                msg.data_decode()
            messages.append(msg)
    return messages[1:-1]  # without the channel start and end


def message_with(cls, data):
    msg = cls()
    msg.data = data
    return msg


def repeat(n, run):
    def loop():
        for _ in range(n):
            result = run()
        return result
    return loop


def python_cases(tmp, reps):
    """Checks the inputs and times ClusterShell on them; returns the
    results by case name (same names and `ops`/`bytes` as the Rust side)."""
    from ClusterShell import Communication as C
    stream = (tmp / 'a.xml').read_bytes()
    lines = wire.lines_of(stream)
    outs = read_messages(lines, False)
    data = [m.data_decode() for m in outs]
    if len(outs) != 100000 or any(len(d) != 80 for d in data):
        sys.exit('stream (a): unexpected OUT payloads')
    encoder = C.StdOutMessage()
    for msg, line in zip(outs[:2000], data):
        encoder.data_encode(line)
        if encoder.data != msg.data:
            sys.exit('ClusterShell encodes an 80-byte line differently')
    big, big_text = (tmp / 'out1m.bin').read_bytes(), \
        (tmp / 'out1m.b64').read_bytes()
    big_msg = message_with(C.StdOutMessage, big_text)
    encoder.data_encode(big)
    if big_msg.data_decode() != big or encoder.data != big_text:
        sys.exit('1 MiB payload: ClusterShell disagrees')
    ctl = message_with(C.ControlMessage, (tmp / 'ctl_shell.b64').read_bytes())
    cfgs = {name: message_with(C.ConfigurationMessage,
                               (tmp / (name + '.b64')).read_bytes())
            for name in ('cfg_capture', 'cfg_4096')}
    tree = str(cfgs['cfg_4096'].data_decode())
    if len(tree.splitlines()) != 11 or 'node[3073-4096]' not in tree:
        sys.exit('4096-node topology: ClusterShell reads\n' + tree)
    if 'cmd' not in ctl.data_decode():
        sys.exit('CTL shell request without cmd')

    def out_decode():
        for msg in outs:
            msg.data_decode()

    def out_encode():
        for line in data:
            encoder.data_encode(line)

    n, mib = len(outs), 1 << 20
    cases = [
        ('out80/decode', out_decode, n, 80 * n),
        ('out80/encode', out_encode, n, 80 * n),
        ('out1m/decode', repeat(8, big_msg.data_decode), 8, 8 * mib),
        ('out1m/encode', repeat(8, lambda: encoder.data_encode(big)), 8,
         8 * mib),
        ('ctl_shell/decode', repeat(2000, ctl.data_decode), 2000, 0),
        ('cfg_capture/decode', repeat(500, cfgs['cfg_capture'].data_decode),
         500, 0),
        ('cfg_4096/decode', repeat(200, cfgs['cfg_4096'].data_decode), 200,
         0),
        ('a/line_by_line/typed', lambda: read_messages(lines, False), n, 0),
        ('a/line_by_line/data', lambda: read_messages(lines, True), n,
         80 * n),
    ]
    results = {}
    for name, run, ops, size in cases:
        times, _ = timed(reps, run)
        results[name] = dict(times, ops=ops, bytes=size, reps=reps)
    return results


# (case, label, unit, Python case to compare with)
ROWS = [
    ('out80/decode', 'decode an OUT payload: 80-byte line (100,000 of '
     'stream (a))', 'payloads', 'out80/decode'),
    ('out80/encode', 'encode an OUT payload: 80-byte line (the same '
     '100,000)', 'payloads', 'out80/encode'),
    ('out1m/decode', 'decode an OUT payload of 1 MiB', 'MB', 'out1m/decode'),
    ('out1m/encode', 'encode an OUT payload of 1 MiB', 'MB', 'out1m/encode'),
    ('ctl_shell/decode', 'decode the CTL `shell` request (captured)',
     'requests', 'ctl_shell/decode'),
    ('cfg_capture/decode', 'decode the CFG topology (captured: 3 groups)',
     'topologies', 'cfg_capture/decode'),
    ('cfg_4096/decode', 'decode a CFG topology of 4096 nodes (11 groups, '
     '3 levels)', 'topologies', 'cfg_4096/decode'),
    ('a/chunks_64KiB/typed', 'stream (a) to typed messages, fed in 64 KiB '
     'chunks', 'msg', 'a/line_by_line/typed'),
    ('a/line_by_line/typed', 'stream (a) to typed messages, fed line by '
     'line', 'msg', 'a/line_by_line/typed'),
    ('a/chunks_64KiB/data', 'stream (a) to messages + output data, 64 KiB '
     'chunks', 'msg', 'a/line_by_line/data'),
    ('a/line_by_line/data', 'stream (a) to messages + output data, line by '
     'line', 'msg', 'a/line_by_line/data'),
]


def rate(result, unit, key):
    if unit == 'MB':
        return result['bytes'] / result[key] / 1e6
    return result['ops'] / result[key]


def fmt(value, unit):
    if unit == 'MB':
        return '%.0f MB/s' % value
    if value >= 1e6:
        return '%.2f M %s/s' % (value / 1e6, unit)
    if value >= 1e3:
        return '%.1f k %s/s' % (value / 1e3, unit)
    return '%.0f %s/s' % (value, unit)


def table(rust, python):
    import ClusterShell
    rows = ['| operation | cscomm-message | ClusterShell %s | ratio |'
            % ClusterShell.__version__, '|---|---:|---:|---:|']
    for case, label, unit, py_case in ROWS:
        rs, py = rust[case], python[py_case]
        cells = []
        for result in (rs, py):
            cells.append('%s (wall: %s)' % (fmt(rate(result, unit, 'cpu_s'),
                                                unit),
                                            fmt(rate(result, unit, 'wall_s'),
                                                unit)))
        ratio = rate(rs, unit, 'cpu_s') / rate(py, unit, 'cpu_s')
        rows.append('| %s | %s | %s | %sx |' % (
            label, cells[0], cells[1],
            ('%.0f' if ratio >= 10 else '%.1f') % ratio))
    return rows


def write_doc(rows, rust_reps, python_reps):
    section = '\n'.join([
        BEGIN,
        '## Payloads: base64 + pickle, and whole messages',
        '',
        'Measured with `%s` on %s (UTC), on %s.'
        % (wire.command(), time.strftime('%Y-%m-%d %H:%M', time.gmtime()),
           wire.machine()),
        '',
        'cscomm-message (release build), median of %d runs: '
        '`Payload::decode_bytes` (OUT data without a value tree), '
        '`PayloadCodec::encode_bytes_into` (into a reused output buffer, '
        'protocol 4, lines of 65536), `Payload::decode_shell` (CTL: the '
        'request read straight into a `ShellRequest`, as the gateway does) '
        'or `decode_value` + `PickledTopology::from_value` (CFG), and '
        '`MessageDecoder` (frames to typed messages, node sets parsed; '
        '"+ output data" also decodes each OUT payload). ClusterShell, '
        'median of %d runs: `Message.data_decode` / `data_encode` on the '
        'same bytes (checked to agree: it encodes the same data into the '
        'same text), and its `XMLReader` fed line by line as in the wire '
        'section (which keeps node sets as text), then `data_decode` of '
        'each message. Figures and ratios use time on CPU (the machine is '
        'shared); wall-clock figures in parentheses. MB/s count bytes of '
        'output data.' % (rust_reps, python_reps),
        '',
        *rows,
        '',
        'The criterion bench with the same loops: '
        '`cargo bench -p cscomm-benches --bench payload`.',
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
    with tempfile.TemporaryDirectory(prefix='cscomm-payload-bench-') as tmp:
        tmp = Path(tmp)
        rust = run_rust(opts.reps, tmp)
        python = python_cases(tmp, opts.python_reps)
    rows = table(rust, python)
    print('\n'.join(rows))
    if not opts.no_write:
        write_doc(rows, opts.reps, opts.python_reps)
        print('wrote %s' % DOC.relative_to(ROOT))


if __name__ == '__main__':
    main()
