#!/usr/bin/env python3
"""Write the seed corpus of the wire_decoder fuzz target: fuzz/seeds/wire/.

usage: target/peer-venv/bin/python3 fuzz/seeds/make_wire_seeds.py

Run with the ClusterShell 1.10.1 peer venv. Seeds are small channel streams:

- capture-*: the real exchange captured from clush (examples/capture/);
- cs-*: streams ClusterShell writes itself (XMLGenerator for the header and
  <channel>, Message.xml() + b"\\n" per message): every message type, with
  real payloads (a TopologyTree, shell/write/eof CTL dicts, output lines)
  and tricky attribute values;
- syntax-*: the same kind of stream in other forms a conforming XML parser
  accepts (BOM, declaration variants, quotes, white space, references,
  empty-element tags, CR LF, text between messages);
- bad-*: streams cscomm-wire must reject.

Every non-bad seed is checked to be read without error by ClusterShell's
reader (expat + XMLReader, fed line by line); every bad seed is checked to
be rejected by it too, except the constructs cscomm-wire refuses on purpose
although expat accepts them (DEVIATIONS below, documented in crates/wire).
"""
import os
import sys
import tempfile
import xml.sax
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import XMLGenerator

from ClusterShell import __version__
from ClusterShell import Communication as C
from ClusterShell.Topology import TopologyParser

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / 'fuzz' / 'seeds' / 'wire'
SRCID = 140470179345936

# Rejected by cscomm-wire, accepted (or never reported) by expat+XMLReader
# (checked below): constructs ClusterShell never writes (comments, PIs,
# CDATA, DOCTYPE, other encodings), an end of stream inside a frame (the
# incremental parser is never closed), and element structures XMLReader
# does not check (a message nested in a message or used as the root
# element, a channel nested in the channel).
DEVIATIONS = {'bad-comment', 'bad-pi', 'bad-cdata', 'bad-doctype',
              'bad-encoding-latin1', 'bad-truncated',
              'bad-nested-message', 'bad-nested-channel',
              'bad-message-outside'}


def header(version=__version__):
    out = BytesIO()
    gen = XMLGenerator(out, encoding='utf-8')
    gen.startDocument()
    gen.startElement('channel', {'version': version})
    return out.getvalue()


def stream(*messages, close=True):
    body = b''.join(m.xml() + b'\n' for m in messages)
    return header() + body + (b'</channel>' if close else b'')


def topology():
    with tempfile.NamedTemporaryFile('w', suffix='.conf') as conf:
        conf.write('[routes]\nadmin: gw[1-2]\ngw1: node[1-3]\n'
                   'gw2: node[10-12]\n')
        conf.flush()
        return TopologyParser(conf.name).tree('admin')


def cfg():
    msg = C.ConfigurationMessage('gw1')
    msg.data_encode(topology())
    return msg


def ctl(action, target, data):
    msg = C.ControlMessage(SRCID)
    msg.action = action
    msg.target = target
    if data is not None:
        msg.data_encode(data)
    return msg


def shell_ctl():
    return ctl('shell', 'node[1-3]', {
        'cmd': 'echo "hello from %h"; echo err >&2; exit 3',
        'invoke_gateway': 'python3 -m ClusterShell.Gateway -Bu',
        'taskinfo': {'debug': False, 'fanout': 64, 'grooming_delay': 0.25,
                     'connect_timeout': 10, 'command_timeout': 0,
                     'ssh_path': None, 'ssh_user': None,
                     'ssh_options': None},
        'stderr': True, 'timeout': -1, 'remote': True})


def every_type():
    return [
        cfg(), shell_ctl(), ctl('write', 'node[1-3]', {'buf': b'data\n'}),
        ctl('eof', "{'node3', 'node1', 'node2'}", None),
        C.ACKMessage(0), C.ErrorMessage('Unknown message type XYZ'),
        C.StdOutMessage('node[1-3]', b'hello from node1', SRCID),
        C.StdErrMessage('node2', b'err', SRCID),
        C.RetcodeMessage('node[1-3]', 3, SRCID),
        C.TimeoutMessage('node5', SRCID),
        C.RoutingMessage('reroute', 'gw2', 'node[1-3]', SRCID),
    ]


TRICKY = [
    'bad "x" <y> & \'z\'\n\ttab',
    'only "dq"',
    "only 'sq'",
    'cr\r lf\n crlf\r\n tab\t end',
    'caf\u00e9 \u65e5\u672c \U0001F600 \u00a0',
    ']]> -- ?> <!-- &amp;',
    '',
]


def cs_seeds():
    seeds = {
        'cs-every-type': stream(*every_type()),
        'cs-unterminated': stream(*every_type()[:4], close=False),
        'cs-channel-only': header(),
        'cs-closed-empty': header() + b'</channel>',
        'cs-old-version': header('1.9.3') + C.ACKMessage(1).xml() + b'\n',
    }
    for msg in every_type():
        seeds['cs-%s' % msg.ident.lower()] = stream(msg)
    for i, reason in enumerate(TRICKY):
        seeds['cs-err-tricky-%d' % i] = stream(C.ErrorMessage(reason))
    seeds['cs-out-tricky-nodes'] = stream(
        C.StdOutMessage('n<1>&"2"\'3\'', b'<&>\r\n\x00\xff', SRCID))
    os.environ['CLUSTERSHELL_GW_B64_LINE_LENGTH'] = '16'
    seeds['cs-wrapped-payloads'] = stream(
        shell_ctl(), C.StdOutMessage('node1', b'x' * 100, SRCID))
    del os.environ['CLUSTERSHELL_GW_B64_LINE_LENGTH']
    return seeds


MSG = (b'<message type="OUT" msgid="8" srcid="1404" nodes="node3">'
       b'gASVFAAAAAAAAABDEGhlbGxvIGZyb20gbm9kZTOULg==</message>\n')
ACK = b'<message type="ACK" msgid="2" ack="0"></message>\n'
DECL = b'<?xml version="1.0" encoding="utf-8"?>\n'
CHAN = b'<channel version="1.10.1">'


def syntax_seeds():
    return {
        'syntax-bom': b'\xef\xbb\xbf' + DECL + CHAN + ACK + b'</channel>',
        'syntax-no-declaration': CHAN + ACK + MSG,
        'syntax-declaration-variants':
            b"<?xml version='1.1'  encoding = 'UTF-8' standalone='yes' ?>"
            b'\n\n' + CHAN + ACK,
        'syntax-quotes-and-space':
            DECL + b"<channel\n version = '1.10.1' >\t<message type='ACK'"
            b'\r\n msgid = "2"\tack=\'0\'\n></message  >\n</channel >\n',
        'syntax-references':
            DECL + CHAN + b'<message type="ERR" msgid="3" reason="&lt;&gt;'
            b'&amp;&apos;&quot;&#10;&#x9;&#13;&#233;&#x1F600;"></message>\n'
            b'<message type="OUT" msgid="4" srcid="1" nodes="n">a&amp;b'
            b'&#65;&#x42;&#13;</message>\n',
        'syntax-empty-elements':
            DECL + b'<channel version="1.10.1"><message type="ACK" msgid="2"'
            b' ack="0"/>\n<message type="RET" msgid="5" srcid="1" retcode="0"'
            b' nodes="n"/></channel>',
        'syntax-empty-channel': DECL + b'<channel version="1.10.1"/>\n',
        'syntax-crlf':
            DECL.replace(b'\n', b'\r\n') + CHAN + b'\r\n'
            + MSG.replace(b'==<', b'\r\nAA\rBB\r\n<').replace(b'\n', b'\r\n'),
        'syntax-attr-white-space':
            DECL + CHAN + b'<message type="ERR" msgid="3" reason="a\tb\nc\r\n'
            b'd\re"></message>\n',
        'syntax-text-between-messages':
            DECL + CHAN + b'junk text &amp; more\n' + ACK + b'x' + MSG
            + b'tail</channel>',
        'syntax-non-ascii-names':
            DECL + b'<channel version="1" \xc3\xa9t\xc3\xa9="\xe6\x97\xa5">'
            + b'<message type="ACK" msgid="2" ack="0" x:y-z.1="v"></message>',
    }


def bad_seeds():
    start = DECL + CHAN
    return {
        'bad-comment': start + b'<!-- hi -->' + ACK,
        'bad-pi': start + b'<?target data?>' + ACK,
        'bad-cdata': start + b'<message type="OUT" msgid="1" srcid="1" '
                             b'nodes="n"><![CDATA[x]]></message>',
        'bad-doctype': DECL + b'<!DOCTYPE channel>' + CHAN + ACK,
        'bad-encoding-latin1':
            b'<?xml version="1.0" encoding="iso-8859-1"?>' + CHAN + ACK,
        'bad-truncated': start + ACK + b'<message type="OUT" msgid="3" src',
        'bad-after-channel-text': start + ACK + b'</channel>trailing',
        'bad-unknown-element': start + b'<foo/>' + ACK,
        'bad-mismatched': start + b'<message type="ACK" msgid="2" ack="0">'
                                  b'</channel>',
        'bad-nested-message': start + b'<message type="ACK" msgid="2" ack="0">'
                                      + ACK + b'</message>',
        'bad-nested-channel': start + CHAN,
        'bad-message-outside': DECL + ACK,
        'bad-undefined-entity': start + b'<message type="ERR" msgid="3" '
                                        b'reason="&nbsp;"></message>',
        'bad-charref-zero': start + b'<message type="OUT" msgid="1" srcid="1"'
                                    b' nodes="n">&#0;</message>',
        'bad-lt-in-attribute': start + b'<message type="ERR" msgid="3" '
                                       b'reason="a<b"></message>',
        'bad-duplicate-attribute': start + b'<message type="ACK" msgid="2" '
                                           b'msgid="3" ack="0"></message>',
        'bad-second-root': start + ACK + b'</channel>' + CHAN,
        'bad-invalid-utf8': start + b'<message type="ERR" msgid="3" '
                                    b'reason="\xff\xfe"></message>',
        'bad-control-char': start + b'<message type="OUT" msgid="1" '
                                    b'srcid="1" nodes="n">a\x01b</message>',
        'bad-unclosed-quote': start + b'<message type="ERR" msgid="3" '
                                      b'reason="oops></message>\n' + ACK,
        'bad-text-before-channel': DECL + b'hello' + CHAN,
        'bad-cdata-end-in-text': start + b'<message type="OUT" msgid="1" '
                                         b'srcid="1" nodes="n">a]]>b'
                                         b'</message>',
    }


def expat_reads(data):
    """Whether ClusterShell's reader takes `data` without error."""
    reader = C.XMLReader()
    parser = xml.sax.make_parser(['IncrementalParser'])
    parser.setContentHandler(reader)
    lines = data.split(b'\n')
    if data.endswith(b'\n'):
        lines.pop()
    try:
        for line in lines:
            parser.feed(line + b'\n')
            if hasattr(parser, 'flush'):
                parser.flush()
    except (xml.sax.SAXParseException, C.MessageProcessingError):
        return False
    return True


def main():
    seeds = {}
    for name in ('initiator', 'gateway'):
        path = ROOT / 'examples' / 'capture' / ('%s.xml' % name)
        seeds['capture-%s' % name] = path.read_bytes()
    seeds.update(cs_seeds())
    seeds.update(syntax_seeds())
    seeds.update(bad_seeds())
    problems = []
    for name, data in seeds.items():
        accepted = expat_reads(data)
        if name.startswith('bad-'):
            if accepted and name not in DEVIATIONS:
                problems.append('%s: ClusterShell accepts it' % name)
            if not accepted and name in DEVIATIONS:
                problems.append('%s: ClusterShell rejects it too: not a '
                                'deviation' % name)
        elif not accepted:
            problems.append('%s: ClusterShell rejects it' % name)
    if problems:
        sys.exit('\n'.join(problems))
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    for name, data in sorted(seeds.items()):
        (OUT / (name + '.xml')).write_bytes(data)
    print('wrote %d seeds to %s' % (len(seeds), OUT.relative_to(ROOT)))


if __name__ == '__main__':
    main()
