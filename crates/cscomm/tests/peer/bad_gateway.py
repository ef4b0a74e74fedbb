"""A gateway that misbehaves on purpose, for the initiator's fault tests.

    bad_gateway.py HOST BAD_HOST FAULT MARKER_DIR

Speaks the channel protocol far enough to be set up (its `<channel>`, an
ACK of the CFG and of each CTL); the gateway named BAD_HOST then plays
FAULT, any other one answers every target of each shell with `ok NODE`
and return code 0. The stream it received goes to MARKER_DIR/HOST.in.
Written for cscomm's tests (crates/cscomm/tests/initiator_faults.rs).
"""

import base64
import os
import pickle
import re
import signal
import sys
import threading
import time

from ClusterShell.NodeSet import NodeSet

HOST, BAD, FAULT, MARKERS = sys.argv[1:5]
FAULTY = HOST == BAD
OUT = sys.stdout.buffer
RECEIVED = open(os.path.join(MARKERS, HOST + ".in"), "wb")
MSGID = [100]
# A pickle that would run a shell command if it were unpickled by Python.
EXPLOIT = b"cposix\nsystem\n(S'touch " + MARKERS.encode() + b"/pwned'\ntR."


SENDING = threading.Lock()


def send(data):
    with SENDING:  # whole messages, whatever thread sends them
        OUT.write(data)
        OUT.flush()


def payload(data):
    return base64.b64encode(pickle.dumps(data, protocol=4))


def message(kind, attrs, body=b""):
    MSGID[0] += 1
    head = '<message type="%s" msgid="%d"' % (kind, MSGID[0])
    for key, value in attrs:
        head += ' %s="%s"' % (key, value)
    send(head.encode() + b">" + body + b"</message>\n")


def output(kind, srcid, nodes, data):
    message(kind, [("srcid", srcid), ("nodes", nodes)], payload(data))


def retcode(srcid, nodes, code=0):
    message("RET", [("srcid", srcid), ("retcode", code), ("nodes", nodes)])


def answer_well(srcid, targets):
    for node in NodeSet(targets):
        output("OUT", srcid, node, ("ok " + node).encode())
        retcode(srcid, node)


def endless(head):
    send(head)
    chunk = b"A" * 65536
    while True:
        send(chunk)


def play(srcid, targets):
    """The fault, once the channel is set up and a shell came."""
    nodes = list(NodeSet(targets))
    first = nodes[0]
    if FAULT == "foreign":
        output("OUT", srcid, "intruder", b"pwned")
    elif FAULT == "duplicate_ret":
        retcode(srcid, first)
        retcode(srcid, first)
    elif FAULT == "unknown_worker":
        retcode(srcid + 1000, first)
    elif FAULT == "bad_base64":
        message("OUT", [("srcid", srcid), ("nodes", first)], b"!!!!")
    elif FAULT == "exploit_pickle":
        message("OUT", [("srcid", srcid), ("nodes", first)],
                base64.b64encode(EXPLOIT))
    elif FAULT == "broken_xml":
        send(b'<message type="OUT" <<<>\n')
    elif FAULT == "err":
        message("ERR", [("reason", "boom")])
    elif FAULT == "endless_frame":
        endless(b'<message type="OUT" msgid="7" srcid="%d" nodes="%s">'
                % (srcid, first.encode()))
    elif FAULT == "endless_attribute":
        endless(b'<message type="OUT" msgid="7" nodes="')
    elif FAULT == "killed":
        output("OUT", srcid, first, b"before")
        os.kill(os.getpid(), signal.SIGKILL)
    elif FAULT == "stopped":
        os.kill(os.getpid(), signal.SIGSTOP)
    elif FAULT == "close_stdout":
        os.close(1)
    elif FAULT == "old_version":
        answer_well(srcid, targets)
    elif FAULT == "odd_retcodes":
        retcode(srcid, first, 99999999999)
        retcode(srcid, nodes[1], -5)
    elif FAULT == "text_retcode":
        retcode(srcid, first, "abc")
    elif FAULT == "timeout_one":
        message("TIM", [("srcid", srcid), ("nodes", first)])
        output("OUT", srcid, nodes[1], b"ok " + nodes[1].encode())
        retcode(srcid, nodes[1])
    elif FAULT == "routing_unknown":
        message("RTR", [("srcid", srcid + 7), ("event", "reroute"),
                        ("gateway", "nowhere"), ("targets", first)])
    elif FAULT == "early_end":
        send(b"</channel>\n")
    elif FAULT == "exit_zero":
        os._exit(0)
    elif FAULT == "second_channel":
        send(b'<channel version="1.10.1">')
    elif FAULT == "entities":
        send(b'<!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">'
             b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
             b'<message type="OUT" msgid="9" srcid="%d" nodes="%s">&b;'
             b'</message>\n' % (srcid, first.encode()))
    elif FAULT == "deep_nesting":
        send(b"<a>" * 200000)
    elif FAULT == "pickle_bomb":
        # A list repeated through the memo: 2**40 items if expanded.
        bomb = b"\x80\x04]\x94" + b"".join(
            b"h%ch%c\x86\x94" % (i, i) for i in range(40)) + b"."
        message("OUT", [("srcid", srcid), ("nodes", first)],
                base64.b64encode(bomb))
    elif FAULT == "deep_pickle":
        bomb = b"\x80\x04" + b"(" * 100000 + b"."
        message("OUT", [("srcid", srcid), ("nodes", first)],
                base64.b64encode(bomb))
    elif FAULT == "stderr_flood":
        sys.stderr.buffer.write(b"E" * (8 << 20))
        sys.stderr.flush()
        answer_well(srcid, targets)
    elif FAULT == "slow_loris":
        for node in nodes:
            frame = (b'<message type="OUT" msgid="5" srcid="%d" nodes="%s">'
                     % (srcid, node.encode())
                     + payload(("ok " + node).encode()) + b"</message>\n"
                     + b'<message type="RET" msgid="6" srcid="%d" retcode="0"'
                     b' nodes="%s"></message>\n' % (srcid, node.encode()))
            with SENDING:  # no ACK in the middle of a frame
                for byte in frame:
                    OUT.write(bytes([byte]))
                    OUT.flush()
                    time.sleep(0.002)
    elif FAULT == "giant_out":
        output("OUT", srcid, first, b"x" * (8 << 20))
        retcode(srcid, first)
        answer_well(srcid, nodes[1])
    # Whatever the fault, this gateway then says nothing more.
    time.sleep(60)


def close_stdin():
    """Stops reading for good, from the reading thread itself (a read in
    progress elsewhere would keep the pipe open), then says so in
    MARKER_DIR/HOST.stdin-closed and falls silent."""
    os.close(0)
    open(os.path.join(MARKERS, HOST + ".stdin-closed"), "wb").close()
    time.sleep(60)
    sys.exit(0)


def main():
    if FAULTY and FAULT == "stopped_before_setup":
        os.kill(os.getpid(), signal.SIGSTOP)
    if FAULTY and FAULT == "unreachable":
        sys.stderr.write("ssh: connect to host %s port 22: refused\n" % HOST)
        sys.exit(255)
    if FAULTY and FAULT == "banner":
        send(b"Welcome to gw1! Have a nice day.\n")
    version = b"0.1" if FAULTY and FAULT == "old_version" else b"1.10.1"
    send(b'<?xml version="1.0" encoding="utf-8"?>\n<channel version="%s">'
         % version)
    buffer = b""
    setup = False
    while True:
        try:
            chunk = os.read(0, 65536)
        except OSError:  # its fault closed standard input
            time.sleep(60)
            return
        if not chunk:
            return
        RECEIVED.write(chunk)
        RECEIVED.flush()
        buffer += chunk
        while True:
            found = re.search(rb"<message ([^>]*)>", buffer)
            if not found:
                break
            attrs = dict(re.findall(rb'(\w+)="([^"]*)"', found.group(1)))
            buffer = buffer[found.end():]
            action = attrs.get(b"action")
            unacked = FAULTY and (
                (FAULT == "no_write_ack" and action == b"write")
                or (FAULT == "no_shell_ack" and action == b"shell"))
            try:
                if not unacked:
                    message("ACK", [("ack", attrs[b"msgid"].decode())])
            except OSError:  # its fault closed standard output
                continue
            if attrs.get(b"type") == b"CFG":
                setup = True
            elif setup and attrs.get(b"action") == b"shell":
                srcid = int(attrs[b"srcid"])
                targets = attrs[b"target"].decode()
                if FAULTY and FAULT == "no_shell_ack":
                    pass  # alive and silent: never runs it
                elif FAULTY and FAULT == "close_stdin":
                    close_stdin()
                elif FAULTY:
                    threading.Thread(target=play, args=(srcid, targets),
                                     daemon=True).start()
                else:
                    answer_well(srcid, targets)


main()
