"""Oracle for the topology conformance tests: reads a JSON request on
stdin and answers with what ClusterShell's TopologyParser, TopologyTree and
PropagationTreeRouter compute for it (JSON on stdout).

Request: {"workdir": str, "sdist": str,
          "trees": [{"conf": str, "root": str}, ...],
          "routers": [{"conf": str, "root": str, "router_root": str,
                       "steps": [["dispatch" | "unreachable", str], ...]}]}
"""
import json
import os
import sys
import tarfile
import warnings

from ClusterShell.NodeSet import NodeSet
from ClusterShell.Propagation import PropagationTreeRouter
from ClusterShell.Topology import TopologyParser

warnings.simplefilter("ignore")
EXAMPLE = "clustershell-1.10.1/conf/topology.conf.example"


def write_conf(workdir, index, text):
    path = os.path.join(workdir, "topology-%d.conf" % index)
    with open(path, "w") as conf:
        conf.write(text)
    return path


def all_groups(tree):
    """tree.groups first (first occurrence), then groups linked to them."""
    order, seen = [], set()
    for group in tree.groups:
        if id(group) not in seen:
            seen.add(id(group))
            order.append(group)
    i = 0
    while i < len(order):
        group = order[i]
        linked = ([group.parent] if group.parent is not None else []) + group.children()
        for other in linked:
            if id(other) not in seen:
                seen.add(id(other))
                order.append(other)
        i += 1
    return order


def describe_tree(tree):
    groups = all_groups(tree)
    pos = {id(g): i for i, g in enumerate(groups)}
    return {
        "text": str(tree),
        "groups": [[str(g.nodeset),
                    pos[id(g.parent)] if g.parent is not None else None,
                    [pos[id(c)] for c in g.children()]] for g in groups],
        "order": [pos[id(g)] for g in tree.groups],
        "inner": tree.inner_node_count(),
        "leaf": tree.leaf_node_count(),
    }


def error(exc):
    return {"error": str(exc), "kind": type(exc).__name__}


def build(path, root):
    return TopologyParser(path).tree(root)


def run_tree(workdir, index, case):
    path = write_conf(workdir, index, case["conf"])
    try:
        return describe_tree(build(path, case["root"]))
    except Exception as exc:  # the test compares failures
        return error(exc)


def distribute(router, targets):
    """TreeWorker._distribute, as the tree worker calls it."""
    distribution = {}
    for gw, dstset in router.dispatch(NodeSet(targets)):
        distribution.setdefault(str(gw), NodeSet()).add(dstset)
    return [[k, str(v), NodeSet(k) == v] for k, v in distribution.items()]


def run_router(workdir, index, case):
    path = write_conf(workdir, 1000 + index, case["conf"])
    try:
        router = PropagationTreeRouter(case["router_root"], build(path, case["root"]))
    except Exception as exc:
        return [error(exc)]
    out = []
    for action, arg in case["steps"]:
        if action == "unreachable":
            router.mark_unreachable(arg)
            out.append(None)
            continue
        try:
            routes = distribute(router, arg)
            out.append({"routes": routes, "loads": {k: v for k, v in router.nodes_fanin.items() if v}})
        except Exception as exc:
            out.append(dict(error=str(exc), loads={k: v for k, v in router.nodes_fanin.items() if v}))
    return out


def main():
    req = json.load(sys.stdin)
    workdir = req["workdir"]
    os.makedirs(workdir, exist_ok=True)
    with tarfile.open(req["sdist"]) as sdist:
        example = sdist.extractfile(EXAMPLE).read().decode()
    path = os.path.join(workdir, "topology.conf.example")
    with open(path, "w") as conf:
        conf.write(example)
    out = {
        "example_path": path,
        "example": describe_tree(build(path, "rio0")),
        "trees": [run_tree(workdir, i, c) for i, c in enumerate(req["trees"])],
        "routers": [run_router(workdir, i, c) for i, c in enumerate(req["routers"])],
    }
    json.dump(out, sys.stdout)


main()
