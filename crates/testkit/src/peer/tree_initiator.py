"""Runs ClusterShell's own tree-mode initiator (Task + TreeWorker +
PropagationChannel) against a gateway command, and prints what it received
per node as JSON.

usage: tree_initiator.py GATEWAY_EXECUTABLE SCENARIO_JSON

The gateway is started by a stand-in for ssh that runs the gateway command
on this machine (no network); commands run with remote=False, so the
gateway executes them locally once per target. GATEWAY_EXECUTABLE replaces
the interpreter in ClusterShell's gateway command (`<exe> -m
ClusterShell.Gateway -Bu`), exactly as CLUSTERSHELL_GW_PYTHON_EXECUTABLE does.

SCENARIO_JSON: {"nodes": "node[1-3]", "command": "...", "stdin": "..." or
null, "timeout": seconds or null, "grooming_delay": seconds, "stderr": bool,
"routes": ["gw1: gw2", ...] (below the admin node, default "gw1: NODES"),
"python_gateways": [hosts whose gateway is ClusterShell's, whatever the
executable], "down": [hosts the stand-in ssh cannot reach (exit 255)],
"deadline": seconds the whole run may take (default 120; past it the
script fails with ClusterShell's TimeoutError instead of waiting forever)}
"""
import base64
import json
import os
import socket
import stat
import sys
import tempfile

from ClusterShell.NodeSet import NodeSet
from ClusterShell.Task import task_self
from ClusterShell.Topology import TopologyParser
from ClusterShell.Event import EventHandler

FAKE_SSH = """#!/bin/sh
# stand-in for ssh: run the remote command (last argument) here; the host
# is the argument before it
host=; last=
for arg; do host=$last; last=$arg; done
case " $FAKE_SSH_DOWN " in *" $host "*)
    echo "ssh: connect to host $host port 22: Connection refused" >&2; exit 255;;
esac
case " $FAKE_SSH_PYTHON_GATEWAYS " in *" $host "*)
    exec "$FAKE_SSH_PYTHON" -m ClusterShell.Gateway -Bu;;
esac
exec sh -c "$last"
"""


class Collector(EventHandler):
    def __init__(self):
        self.nodes = {}

    def node(self, name):
        return self.nodes.setdefault(str(name), {"stdout": [], "stderr": [], "rc": None, "timeout": False})

    def ev_read(self, worker, node, sname, msg):
        key = "stdout" if sname == worker.SNAME_STDOUT else "stderr"
        self.node(node)[key].append(base64.b64encode(msg).decode())

    def ev_hup(self, worker, node, rc):
        self.node(node)["rc"] = rc

    def ev_close(self, worker, timedout):
        if timedout:
            for node in worker.iter_keys_timeout():
                self.node(node)["timeout"] = True


def main():
    gateway_exe = sys.argv[1]
    scenario = json.loads(sys.argv[2])
    admin = socket.gethostname().split('.')[0]
    with tempfile.TemporaryDirectory() as tmp:
        ssh = os.path.join(tmp, 'ssh')
        with open(ssh, 'w') as f:
            f.write(FAKE_SSH)
        os.chmod(ssh, stat.S_IRWXU)
        conf = os.path.join(tmp, 'topology.conf')
        with open(conf, 'w') as f:
            routes = scenario.get("routes", ["gw1: %s" % scenario["nodes"]])
            first = routes[0].split(":")[0]
            f.write('[routes]\n%s: %s\n%s\n' % (admin, first, "\n".join(routes)))
        os.environ['FAKE_SSH_DOWN'] = " ".join(scenario.get("down", []))
        os.environ['FAKE_SSH_PYTHON_GATEWAYS'] = " ".join(scenario.get("python_gateways", []))
        os.environ['FAKE_SSH_PYTHON'] = sys.executable
        os.environ['PATH'] = tmp + os.pathsep + os.environ['PATH']
        os.environ['CLUSTERSHELL_GW_PYTHON_EXECUTABLE'] = gateway_exe
        task = task_self()
        task.set_info("grooming_delay", scenario.get("grooming_delay", 0.25))
        task.topology = TopologyParser(conf).tree(admin)
        collector = Collector()
        worker = task.shell(scenario["command"], nodes=scenario["nodes"],
                            remote=False, stderr=scenario.get("stderr", True),
                            timeout=scenario.get("timeout"), handler=collector)
        if scenario.get("stdin") is not None:
            worker.write(scenario["stdin"].encode())
        worker.set_write_eof()
        task.resume(timeout=scenario.get("deadline", 120))
        print(json.dumps(collector.nodes, sort_keys=True))


if __name__ == '__main__':
    main()
