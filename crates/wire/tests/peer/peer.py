"""The real-peer side of cscomm-wire's tests (run with ClusterShell's venv).

usage: python peer.py write  > JSON
       python peer.py read   < JSON  > JSON

write: builds channel streams exactly as ClusterShell does (XMLGenerator for
       the header and <channel>, Message.xml() + b"\\n" for each message) and
       reports each stream with what ClusterShell's own reader made of it.
Byte strings travel in JSON as latin-1 text (one character per byte).

read:  for each stream given (and its frames, if given), reports what ClusterShell's reader
       makes of it, and the bytes XMLGenerator writes for the frames given.

"What the reader made of it": the stream is fed line by line, each line plus
b"\\n", to an incremental expat parser driving ClusterShell's XMLReader (as
Channel.ev_read does); the SAX events are recorded as frames, and the
messages XMLReader built are reported too.
"""
import json
import os
import sys
import tempfile
import xml.sax
from io import BytesIO
from xml.sax.saxutils import XMLGenerator

from ClusterShell import __version__
from ClusterShell import Communication as C

ENCODING = 'utf-8'


class Recorder(C.XMLReader):
    """ClusterShell's XMLReader, also recording the raw SAX events."""

    def __init__(self):
        C.XMLReader.__init__(self)
        self.frames = []
        self.text = None

    def startElement(self, name, attrs):
        pairs = [[k, v] for k, v in attrs.items()]
        if name == 'message':
            self.text = []
        self.frames.append({'frame': name, 'attrs': pairs})
        C.XMLReader.startElement(self, name, attrs)

    def endElement(self, name):
        if name == 'message':
            self.frames[-1]['payload'] = ''.join(self.text or ())
            self.text = None
        elif name == 'channel':
            self.frames.append({'frame': 'end'})
        C.XMLReader.endElement(self, name)

    def characters(self, content):
        if self.text is not None:
            self.text.append(content)
        C.XMLReader.characters(self, content)


def describe(msg):
    """What XMLReader built: the message class ident, its typed attributes
    turned back into text, and its raw payload."""
    if msg is None:  # XMLReader queues None after a nested message
        return {'type': None}
    if isinstance(msg, (C.StartMessage, C.EndMessage)):
        return {'type': msg.ident}
    attrs = {k: str(getattr(msg, k)) for k in msg.attr}
    data = msg.data.decode(ENCODING) if msg.data is not None else None
    return {'type': msg.ident, 'attrs': attrs, 'data': data}


def read(stream):
    """Feeds `stream` to ClusterShell's reader as Channel does."""
    recorder = Recorder()
    parser = xml.sax.make_parser(['IncrementalParser'])
    parser.setContentHandler(recorder)
    lines = stream.split(b'\n')
    if lines and lines[-1] == b'':
        lines.pop()
    messages = []
    error = None
    try:
        for line in lines:
            parser.feed(line + b'\n')
            if hasattr(parser, 'flush'):
                parser.flush()
            while recorder.msg_available():
                messages.append(describe(recorder.pop_msg()))
    except (xml.sax.SAXParseException, C.MessageProcessingError) as exc:
        error = str(exc)
    return {'frames': recorder.frames, 'messages': messages, 'error': error}


def channel_bytes(frames):
    """The bytes ClusterShell's writers produce for `frames`."""
    out = BytesIO()
    XMLGenerator(out, encoding=ENCODING).startDocument()
    for frame in frames:
        gen = XMLGenerator(out, encoding=ENCODING)
        if frame['frame'] == 'channel':
            gen.startElement('channel', dict(frame['attrs']))
        elif frame['frame'] == 'end':
            gen.endElement('channel')
        else:
            gen.startElement('message', dict(frame['attrs']))
            if frame['payload']:
                gen.characters(frame['payload'])
            gen.endElement('message')
            out.write(b'\n')
    return out.getvalue()


def write_stream(messages, end=True):
    """A stream as a ClusterShell channel writes it."""
    out = BytesIO()
    XMLGenerator(out, encoding=ENCODING).startDocument()
    XMLGenerator(out, encoding=ENCODING).startElement('channel', {'version': __version__})
    for msg in messages:
        out.write(msg.xml() + b'\n')
    if end:
        XMLGenerator(out, encoding=ENCODING).endElement('channel')
    return out.getvalue()


def topology():
    from ClusterShell.Topology import TopologyParser
    with tempfile.NamedTemporaryFile('w', suffix='.conf') as conf:
        conf.write('[routes]\nadmin: gw[1-2]\ngw1: node[1-50]\ngw2: n[1-3]-ib\n')
        conf.flush()
        return TopologyParser(conf.name).tree('admin')


TRICKY = [
    'bad "x" <y> & \'z\'\n\ttab',
    'only "dq"',
    "only 'sq'",
    'both \' and " quotes',
    'cr\rlf\ncrlf\r\nend',
    'h\xe9llo \u2713 \U0001F600 \x85 \ufffd',
    '',
    '  spaced  ',
    ']]> &amp; &#10; literally',
    'gt > lt < amp &',
]


def control(srcid, action, target, payload=None):
    msg = C.ControlMessage(srcid)
    msg.action = action
    msg.target = target
    if payload is not None:
        msg.data_encode(payload)
    return msg


def error(reason):
    return C.ErrorMessage(reason)


def raw_out(nodes, data):
    """An OUT message whose payload is raw text, not base64."""
    msg = C.StdOutMessage(nodes, srcid=7)
    msg.data = data
    return msg


def streams():
    srcid = 140470179345936
    shell = {'cmd': 'echo "<&>"; exit 3', 'invoke_gateway': 'python3 -m ClusterShell.Gateway -Bu',
             'taskinfo': {'debug': False, 'fanout': 64, 'grooming_delay': 0.25},
             'stderr': True, 'timeout': None, 'remote': True}
    initiator = [
        C.ConfigurationMessage('gw1'),
        control(srcid, 'shell', 'node[1-3]', shell),
        control(srcid, 'write', 'node[1-3]', {'buf': b'stdin line\n'}),
        control(srcid, 'eof', str({'node3', 'node1', 'node2'})),
    ]
    initiator[0].data_encode(topology())
    gateway = [
        C.ACKMessage(0),
        C.StdErrMessage('node[1-3]', b'err', srcid),
        C.StdOutMessage('node3', b'hello from node3', srcid),
        C.StdOutMessage('node[1,2]', bytes(range(256)), srcid),
        C.RetcodeMessage('node[1-3]', 3, srcid),
        C.TimeoutMessage('node4', srcid),
        C.ErrorMessage('Parse error: not well-formed (invalid token): line 1, column 2'),
    ]
    tricky = [error(reason) for reason in TRICKY]
    if hasattr(C, 'RoutingMessage'):  # new in 1.10
        gateway.append(C.RoutingMessage('reroute', 'gw2', 'node[5-6]', srcid))
        tricky += [C.RoutingMessage(r, 'gw-\xe9', 'n[1-2]', 1) for r in TRICKY[:4]]
    tricky += [raw_out('n1', b'a<b>&c "q" \'s\' \t tab ]] > \xc3\xa9 \n'),
               raw_out('n2', b'line1\r\nline2\rline3&#13;'),
               raw_out('n3', b'')]
    result = [('initiator', write_stream(initiator)),
              ('gateway', write_stream(gateway)),
              ('tricky', write_stream(tricky)),
              ('aborted', write_stream(gateway[:3], end=False))]
    os.environ['CLUSTERSHELL_GW_B64_LINE_LENGTH'] = '16'
    wrapped = [C.StdOutMessage('node1', b'x' * 300, srcid), C.ConfigurationMessage('gw1')]
    wrapped[1].data_encode(topology())
    result.append(('wrapped', write_stream(wrapped)))
    return result


def main():
    mode = sys.argv[1]
    if mode == 'write':
        out = []
        for name, stream in streams():
            entry = read(stream)
            entry['name'] = name
            entry['stream'] = stream.decode('latin-1')
            out.append(entry)
    elif mode == 'read':
        out = []
        for case in json.load(sys.stdin):
            stream = case['stream'].encode('latin-1')
            entry = read(stream)
            if 'frames' in case:
                regenerated = channel_bytes(case['frames'])
                entry['regenerated'] = regenerated.decode('latin-1')
            out.append(entry)
    else:
        raise SystemExit('unknown mode %r' % mode)
    json.dump({'version': __version__, 'results': out}, sys.stdout)


if __name__ == '__main__':
    main()
