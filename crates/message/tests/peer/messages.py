"""Peer side of the message tests: ClusterShell's own message classes.

Modes (argv[1]):
  write   stdin: JSON {"line_length": n or null, "messages": [spec, ...]},
          spec = {"type", "attrs": [[k, v], ...], "payload": {"value": v} or null};
          builds each message with ClusterShell's classes and prints the
          hex of msg.xml() + b"\\n" (what Channel.send writes).
  read    stdin: a channel stream; feeds it line by line to ClusterShell's
          XMLReader (as Channel.ev_read does) and prints every message with
          its attributes and decoded payload.
  pickles stdin: JSON list of tagged values; prints, for each, the base64
          of pickle.dumps(value, protocol) for protocols 0 to 5.
  topology stdin: JSON {"configs": [{"conf", "root"}], "ours": [{"b64",
          "root"}]}; for each topology.conf, ClusterShell's tree (pickled
          with protocol 4, its str() and its routes); for each tree we
          pickled, what ClusterShell loads (str(), routes, node sets, links).
  errors  stdin: JSON list of hex message lines; prints the error each one
          raises in XMLReader, or in data_decode() when it has a payload.

Values cross as tagged JSON: null, true/false, {"int": "12"},
{"float": 0.25}, {"str": ...}, {"bytes": hex}, {"list": [...]},
{"tuple": [...]}, {"dict": [[k, v], ...]}, {"set": [...]} (sorted by JSON
text), {"nodeset": "n[1-2]"}, {"topology": str(tree)}.
"""
import json
import os
import sys
import xml.sax

import ClusterShell
from ClusterShell import Communication as C
from ClusterShell.NodeSet import NodeSet

# RoutingMessage (RTR) is new in 1.10.
CLASSES = {cls.ident: cls for cls in (
    getattr(C, name, None) for name in (
        "ConfigurationMessage", "ControlMessage", "ACKMessage", "ErrorMessage",
        "StdOutMessage", "StdErrMessage", "RetcodeMessage", "TimeoutMessage",
        "RoutingMessage")) if cls is not None}
INT_ATTRS = ("msgid", "srcid", "ack", "retcode")
NODESET_ATTRS = ("nodes", "targets")


def to_json(o):
    from ClusterShell.Topology import TopologyTree
    if o is None or isinstance(o, bool):
        return o
    if isinstance(o, int):
        return {"int": str(o)}
    if isinstance(o, float):
        return {"float": o}
    if isinstance(o, str):
        return {"str": o}
    if isinstance(o, (bytes, bytearray)):
        return {"bytes": bytes(o).hex()}
    if isinstance(o, list):
        return {"list": [to_json(x) for x in o]}
    if isinstance(o, tuple):
        return {"tuple": [to_json(x) for x in o]}
    if isinstance(o, dict):
        return {"dict": [[to_json(k), to_json(v)] for k, v in o.items()]}
    if isinstance(o, (set, frozenset)):
        items = [to_json(x) for x in o]
        return {"set": sorted(items, key=lambda i: json.dumps(i, sort_keys=True))}
    if isinstance(o, NodeSet):
        return {"nodeset": str(o)}
    if isinstance(o, TopologyTree):
        return {"topology": str(o)}
    raise TypeError("cannot map %r" % type(o))


def from_json(j):
    if j is None or isinstance(j, bool):
        return j
    (tag, v), = j.items()
    if tag == "int":
        return int(v)
    if tag == "float":
        return float(v)
    if tag == "str":
        return v
    if tag == "bytes":
        return bytes.fromhex(v)
    if tag == "list":
        return [from_json(x) for x in v]
    if tag == "tuple":
        return tuple(from_json(x) for x in v)
    if tag == "dict":
        return {from_json(k): from_json(x) for k, x in v}
    if tag == "set":
        return {from_json(x) for x in v}
    if tag == "nodeset":
        return NodeSet(v)
    raise ValueError(tag)


def build(spec):
    msg = CLASSES[spec["type"]]()
    for key, value in spec["attrs"]:
        if key in INT_ATTRS:
            value = int(value)
        elif key in NODESET_ATTRS:
            value = NodeSet(value)
        setattr(msg, key, value)
    if spec.get("payload") is not None:
        msg.data_encode(from_json(spec["payload"]["value"]))
    return msg


def read_stream(data):
    reader = C.XMLReader()
    parser = xml.sax.make_parser(["IncrementalParser"])
    parser.setContentHandler(reader)
    out = []
    for line in data.split(b"\n"):
        parser.feed(line + b"\n")
        while reader.msg_available():
            msg = reader.pop_msg()
            item = {"type": msg.type,
                    "attrs": [[k, str(getattr(msg, k))] for k in msg.attr]}
            if msg.has_payload and msg.data is not None:
                item["payload"] = to_json(msg.data_decode())
            out.append(item)
    return {"events": out, "channel_version": reader.version}


def first_error(line):
    reader = C.XMLReader()
    parser = xml.sax.make_parser(["IncrementalParser"])
    parser.setContentHandler(reader)
    try:
        parser.feed(b'<?xml version="1.0" encoding="utf-8"?>\n<channel version="1.10.1">\n')
        parser.feed(line)
        while reader.msg_available():
            msg = reader.pop_msg()
            if msg.has_payload and msg.type != "CHA":
                msg.data_decode()
    except (C.MessageProcessingError, ValueError) as exc:
        return "%s: %s" % (type(exc).__name__, exc)
    return None


def routes(tree, root):
    """Where PropagationTreeRouter sends every node of the tree."""
    from ClusterShell.Propagation import PropagationTreeRouter
    router = PropagationTreeRouter(root, tree)
    every = NodeSet()
    for group in tree.groups:
        every.update(group.nodeset)
    every.difference_update(root)
    return [[str(gw), str(dst)] for gw, dst in router.dispatch(every)]


def describe(tree, root):
    """What ClusterShell sees in a loaded tree."""
    groups = []
    for group in tree.groups:
        for child in group.children():
            assert child.parent is group, "child/parent link"
        ns = group.nodeset
        children = group.children_ns()
        groups.append({"nodeset": str(ns), "len": len(ns), "nodes": list(ns),
                       "children_ns": None if children is None else str(children),
                       "children_len": group.children_len()})
    return {"text": str(tree), "routes": routes(tree, root), "groups": groups}


def topologies(spec):
    import base64
    import pickle
    import tempfile
    from ClusterShell.Topology import TopologyParser
    out = {"configs": [], "ours": []}
    for conf in spec["configs"]:
        with tempfile.NamedTemporaryFile("w", suffix=".conf") as f:
            f.write(conf["conf"])
            f.flush()
            tree = TopologyParser(f.name).tree(conf["root"])
        item = describe(tree, conf["root"])
        item["b64"] = base64.b64encode(pickle.dumps(tree, 4)).decode()
        out["configs"].append(item)
    for ours in spec["ours"]:
        tree = pickle.loads(base64.b64decode(ours["b64"]))
        out["ours"].append(describe(tree, ours["root"]))
    return out


def main():
    mode = sys.argv[1]
    result = {"version": ClusterShell.__version__}
    if mode == "write":
        spec = json.load(sys.stdin)
        if spec.get("line_length"):
            os.environ["CLUSTERSHELL_GW_B64_LINE_LENGTH"] = str(spec["line_length"])
        result["xml"] = [(build(m).xml() + b"\n").hex() for m in spec["messages"]]
    elif mode == "read":
        result.update(read_stream(sys.stdin.buffer.read()))
    elif mode == "pickles":
        import base64
        import pickle
        values = [from_json(v) for v in json.load(sys.stdin)]
        result["pickles"] = [[base64.b64encode(pickle.dumps(v, p)).decode()
                              for p in range(6)] for v in values]
    elif mode == "topology":
        result.update(topologies(json.load(sys.stdin)))
    elif mode == "errors":
        result["errors"] = [first_error(bytes.fromhex(h)) for h in json.load(sys.stdin)]
    json.dump(result, sys.stdout)


main()
