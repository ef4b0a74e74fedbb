"""Checks that a benchmark stream is what ClusterShell itself would write.

Reads a channel stream on stdin, parses it with ClusterShell's reader (fed
line by line, as Channel does), rebuilds every message from its decoded
content with ClusterShell's own classes (OUT from the unpickled line, CTL
write from the unpickled {'buf': ...}), writes the whole stream again with
XMLGenerator and Message.xml(), and compares it with the input byte for byte.
Prints "same <messages>" or "differs at byte N" (and exits 1).
"""
import sys
import xml.sax
from io import BytesIO
from xml.sax.saxutils import XMLGenerator

from ClusterShell import __version__
from ClusterShell import Communication as C

stream = sys.stdin.buffer.read()
reader = C.XMLReader()
parser = xml.sax.make_parser(["IncrementalParser"])
parser.setContentHandler(reader)
lines = stream.split(b'\n')
if stream.endswith(b'\n'):
    lines.pop()
received = []
for line in lines:
    parser.feed(line + b'\n')
    if hasattr(parser, 'flush'):
        parser.flush()
    while reader.msg_available():
        received.append(reader.pop_msg())

out = BytesIO()
gen = XMLGenerator(out, encoding='utf-8')
gen.startDocument()
gen.startElement('channel', {'version': __version__})
count = 0
for msg in received:
    if msg.ident in ('CHA', 'END'):
        continue
    if msg.ident == 'OUT':
        again = C.StdOutMessage(msg.nodes, msg.data_decode(), msg.srcid)
    elif msg.ident == 'CTL' and msg.action == 'write':
        again = C.ControlMessage(msg.srcid)
        again.action = msg.action
        again.target = msg.target
        again.data_encode(msg.data_decode())
    else:
        sys.exit('unexpected message %s' % msg)
    again.msgid = msg.msgid
    out.write(again.xml() + b'\n')
    count += 1
if received and received[-1].ident == 'END':
    gen.endElement('channel')
rebuilt = out.getvalue()
if rebuilt == stream:
    print('same %d' % count)
else:
    at = next((i for i, (a, b) in enumerate(zip(rebuilt, stream)) if a != b),
              min(len(rebuilt), len(stream)))
    print('differs at byte %d: ours %r, ClusterShell %r'
          % (at, stream[at:at + 60], rebuilt[at:at + 60]))
    sys.exit(1)
