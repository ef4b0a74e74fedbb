"""Reads a captured channel stream with ClusterShell's own XMLReader (fed
line by line, as its Channel does) and prints, per event, what `cscomm
decode` must print: the attributes, the payload unpickled by Python and
mapped to JSON (the mapping below is written independently of the Rust
one), and for a CFG the topology as ClusterShell prints it."""
import base64
import json
import sys
import xml.sax

from ClusterShell.Communication import XMLReader, ConfigurationMessage


def to_json(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) <= 2 ** 53 else str(value)
    if isinstance(value, float):
        return value
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [to_json(v) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: to_json(v) for k, v in value.items()}
    raise TypeError("no reference mapping for %r" % type(value))


def main(path):
    reader = XMLReader()
    parser = xml.sax.make_parser(["IncrementalParser"])
    parser.setContentHandler(reader)
    for line in open(path, "rb"):
        parser.feed(line)
        while reader.msg_available():
            msg = reader.pop_msg()
            if msg.type == "CHA":
                continue
            attrs = {k: str(v) for k, v in msg.__dict__.items()
                     if not k.startswith("_") and k not in ("data", "attr")}
            out = {"type": msg.type, "attrs": attrs}
            if msg.type == ConfigurationMessage.ident:
                out["topology"] = str(msg.data_decode())
            elif getattr(msg, "has_payload", False) and msg.data:
                out["payload"] = to_json(msg.data_decode())
            print(json.dumps(out))


main(sys.argv[1])
