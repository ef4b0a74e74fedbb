#!/usr/bin/env python3
"""Write the seed corpus of the message_decode fuzz target: fuzz/seeds/message/.

usage: target/peer-venv/bin/python3 fuzz/seeds/make_message_seeds.py

Run with the ClusterShell 1.10.1 peer venv. Seeds are small channel streams
(the stream helpers of make_wire_seeds.py are reused):

- capture-*: the real exchange captured from clush (examples/capture/);
- cs-*: streams ClusterShell writes itself: every message type with real
  payloads, payloads pickled with every protocol from 0 to 5, Unicode,
  binary and empty output, a three-level topology with several gateways per
  group; each is checked to be read by ClusterShell's reader with every
  payload decoded by `data_decode`;
- bad-*: messages and payloads cscomm-message must refuse (unknown type,
  missing or invalid attributes, unexpected payload, invalid base64,
  payloads of the wrong shape, hostile pickles: globals outside the
  allow-list, deep nesting, a declared length of 2^62, a memo index out of
  range, truncation). Hostile pickles are never loaded here.
"""
import base64
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_wire_seeds as wire  # noqa: E402  (stream helpers)

from ClusterShell import Communication as C  # noqa: E402
from ClusterShell.Topology import TopologyParser  # noqa: E402

ROOT = wire.ROOT
OUT = ROOT / 'fuzz' / 'seeds' / 'message'
SRCID = wire.SRCID


def with_protocol(protocol, build):
    saved = C.GW_PICKLE_PROTOCOL
    C.GW_PICKLE_PROTOCOL = protocol
    try:
        return build()
    finally:
        C.GW_PICKLE_PROTOCOL = saved


def big_topology():
    with tempfile.NamedTemporaryFile('w', suffix='.conf') as conf:
        conf.write('[routes]\nadmin: gw[1-4]\ngw[1-2]: sgw[1-4]\n'
                   'gw[3-4]: sgw[5-8]\nsgw[1-4]: node[1-64]\n'
                   'sgw[5-8]: rack[1-2]-n[01-16]\n')
        conf.flush()
        return TopologyParser(conf.name).tree('admin')


def cfg_of(tree):
    msg = C.ConfigurationMessage('gw1')
    msg.data_encode(tree)
    return msg


def protocol_messages():
    return [cfg_of(wire.topology()), wire.shell_ctl(),
            wire.ctl('write', 'node[1-3]', {'buf': b'data\n\x00\xff'}),
            C.StdOutMessage('node1', b'line\n', SRCID),
            C.StdErrMessage('node[2-3]', 'caf\u00e9'.encode(), SRCID)]


def cs_seeds():
    seeds = {name: data for name, data in wire.cs_seeds().items()
             if name != 'cs-out-tricky-nodes'}
    for protocol in range(6):
        seeds['cs-protocol-%d' % protocol] = with_protocol(
            protocol, lambda: wire.stream(*protocol_messages()))
    seeds['cs-output-kinds'] = wire.stream(
        C.StdOutMessage('node[01-10]', '\u65e5\u672c \U0001F600\n'.encode(),
                        SRCID),
        C.StdOutMessage('n1', bytes(range(256)), SRCID),
        C.StdOutMessage('n2', b'', SRCID),
        C.StdErrMessage('n[1-2]-ib[0-1]', b'\r\n\r', SRCID))
    seeds['cs-topology-big'] = wire.stream(cfg_of(big_topology()))
    seeds['cs-ctl-other'] = wire.stream(
        wire.ctl('frobnicate', 'node1', None),
        wire.ctl('shell', 'node[1-2]', {
            'cmd': 'uname', 'invoke_gateway': 'gw', 'stderr': False,
            'timeout': 2.5, 'remote': True,
            'taskinfo': {'fanout': 8, 'tree_default:ssh_user': 'root',
                         'custom_key': [1, (2, 3), {4}]}}))
    return seeds


def b64(pickle):
    return base64.b64encode(pickle)


def raw_message(attrs, payload=b''):
    text = ' '.join('%s="%s"' % kv for kv in attrs)
    return b'<message ' + text.encode() + b'>' + payload + b'</message>\n'


def raw_stream(*messages):
    return wire.header() + b''.join(messages) + b'</channel>'


def out(payload):
    return raw_message([('type', 'OUT'), ('msgid', '5'), ('srcid', '1'),
                        ('nodes', 'node1')], payload)


def cfg(payload):
    return raw_message([('type', 'CFG'), ('msgid', '0'), ('gateway', 'gw1')],
                       payload)


def shell(payload):
    return raw_message([('type', 'CTL'), ('msgid', '1'), ('srcid', '1'),
                        ('action', 'shell'), ('target', 'node1')], payload)


PICKLE_SHELL = base64.b64decode(wire.shell_ctl().data)

BAD = {
    'bad-unknown-type': raw_message([('type', 'XYZ'), ('msgid', '1')]),
    'bad-no-type': raw_message([('msgid', '1')]),
    'bad-missing-msgid': raw_message([('type', 'ACK'), ('ack', '0')]),
    'bad-invalid-msgid': raw_message([('type', 'ACK'), ('msgid', 'x'),
                                      ('ack', '0')]),
    'bad-invalid-retcode': raw_message([('type', 'RET'), ('msgid', '1'),
                                        ('srcid', '1'), ('retcode', '1.5'),
                                        ('nodes', 'n1')]),
    'bad-unexpected-payload': raw_message([('type', 'ACK'), ('msgid', '1'),
                                           ('ack', '0')], b'gASVAA=='),
    'bad-base64': out(b'gASV!!!!'),
    'bad-base64-padding': out(b'gASVFAAAAAAAAABDEGhlbGxvIGZyb20gbm9kZTOULg='),
    'bad-out-not-bytes': out(b64(b'\x80\x04K\x05.')),
    'bad-cfg-not-topology': cfg(b64(b'\x80\x04C\x02hi\x94.')),
    'bad-shell-not-dict': shell(b64(b'\x80\x04]\x94.')),
    'bad-shell-truncated': shell(b64(PICKLE_SHELL[:-7])),
    'bad-reduce-os-system': shell(b64(b"cos\nsystem\n(S'echo pwned'\ntR.")),
    'bad-reduce-eval': shell(b64(b'\x80\x04\x8c\x08builtins\x8c\x04eval'
                                 b'\x93\x8c\x011\x85R.')),
    'bad-unknown-class': cfg(b64(b'\x80\x02c__main__\nEvil\n)\x81.')),
    'bad-deep-nesting': out(b64(b'(' * 3000 + b'l' * 3000 + b'.')),
    'bad-length-2-62': out(b64(b'\x80\x04\x8e' + (2 ** 62).to_bytes(8, 'little')
                               + b'xxxx.')),
    'bad-memo-out-of-range': out(b64(b'\x80\x02h\x05.')),
    'bad-empty-pickle': out(b64(b'\x80\x04')),
    'bad-trailing-garbage': out(b64(b'\x80\x04C\x02hi.junk')),
}


def check_cs(name, data):
    """ClusterShell reads the stream and decodes every payload."""
    lines = data.split(b'\n')
    import xml.sax
    reader = C.XMLReader()
    parser = xml.sax.make_parser(['IncrementalParser'])
    parser.setContentHandler(reader)
    for line in lines:
        parser.feed(line + b'\n')
        while reader.msg_available():
            msg = reader.pop_msg()
            if getattr(msg, 'has_payload', False) and msg.data:
                msg.data_decode()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    seeds = {}
    for side in ('initiator', 'gateway'):
        seeds['capture-' + side] = (ROOT / 'examples' / 'capture'
                                    / (side + '.xml')).read_bytes()
    for name, data in cs_seeds().items():
        check_cs(name, data)
        seeds[name] = data
    for name, message in BAD.items():
        seeds[name] = raw_stream(message)
    for old in OUT.glob('*.xml'):
        old.unlink()
    for name, data in seeds.items():
        (OUT / (name + '.xml')).write_bytes(data)
    print('wrote %d seeds to %s' % (len(seeds), OUT.relative_to(ROOT)))


if __name__ == '__main__':
    main()
