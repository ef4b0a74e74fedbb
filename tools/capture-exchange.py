"""Capture a real ClusterShell tree-mode exchange, both directions.

Runs ClusterShell's own initiator (Task + TreeWorker + PropagationChannel)
against its own gateway (python -m ClusterShell.Gateway -Bu). The gateway is
started through a stand-in for ssh that runs it on this machine and copies
both streams to files; commands run with remote=False, so the gateway
executes them locally once per target. No network is involved.

usage: python capture-exchange.py OUTDIR [COMMAND]
writes OUTDIR/initiator.xml (what the initiator sent) and
       OUTDIR/gateway.xml (what the gateway sent back).
"""
import os
import socket
import stat
import sys
import tempfile

from ClusterShell.NodeSet import NodeSet
from ClusterShell.Task import task_self
from ClusterShell.Topology import TopologyParser

FAKE_SSH = """#!/bin/sh
# stand-in for ssh: the last argument is the remote command; run it here
for last; do :; done
exec sh -c "tee -a '{dir}/initiator.xml' | $last | tee -a '{dir}/gateway.xml'"
"""


def main():
    outdir = os.path.abspath(sys.argv[1])
    command = sys.argv[2] if len(sys.argv) > 2 else \
        'cat; echo "hello from %h"; echo err >&2; exit 3'
    os.makedirs(outdir, exist_ok=True)
    for name in ('initiator.xml', 'gateway.xml'):
        open(os.path.join(outdir, name), 'wb').close()
    admin = socket.gethostname().split('.')[0]
    with tempfile.TemporaryDirectory() as tmp:
        ssh = os.path.join(tmp, 'ssh')
        with open(ssh, 'w') as f:
            f.write(FAKE_SSH.format(dir=outdir))
        os.chmod(ssh, stat.S_IRWXU)
        conf = os.path.join(tmp, 'topology.conf')
        with open(conf, 'w') as f:
            f.write('[routes]\n%s: gw1\ngw1: node[1-3]\n' % admin)
        # The gateway is invoked as plain "python3" (found first on PATH, a
        # wrapper for this interpreter) so that no machine-specific path ends
        # up in the captured CTL payload.
        python = os.path.join(tmp, 'python3')
        with open(python, 'w') as f:
            f.write('#!/bin/sh\nexec %s "$@"\n' % sys.executable)
        os.chmod(python, stat.S_IRWXU)
        os.environ['PATH'] = tmp + os.pathsep + os.environ['PATH']
        for name in list(os.environ):
            if name.startswith('CLUSTERSHELL_GW_') or name == 'PYTHONPATH':
                del os.environ[name]
        task = task_self()
        task.topology = TopologyParser(conf).tree(admin)
        worker = task.shell(command, nodes='node[1-3]', remote=False,
                            stderr=True)
        worker.write(b'stdin line\n')
        worker.set_write_eof()
        task.resume()
        for rc, nodes in task.iter_retcodes():
            print('%s: exit %d' % (NodeSet.fromlist(nodes), rc))
        for buf, nodes in task.iter_buffers():
            print('%s: %s' % (NodeSet.fromlist(nodes), buf.message().decode()))
        for buf, nodes in task.iter_errors():
            print('%s (stderr): %s' % (NodeSet.fromlist(nodes),
                                       buf.message().decode()))


if __name__ == '__main__':
    main()
