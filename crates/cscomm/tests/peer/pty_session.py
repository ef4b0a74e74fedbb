"""Drives a program in a pseudo-terminal as a person would.

Usage: pty_session.py PROMPT LINES_FILE PROGRAM [ARGS...]

The program gets a new pseudo-terminal as its controlling terminal (stdin,
stdout and stderr).  Each line of LINES_FILE is typed once the program's
output ends with PROMPT; a line "<EOF>" types Ctrl-D instead.  When the
lines are all typed, the session waits for the program to exit.  The
program's terminal output is written to our stdout as it was received,
and the last line of our stdout is "exit: CODE".

clush shows its prompt again when its task thread sends it SIGUSR1,
which can come before clush waits for it and is then lost (clush waits
for a line with no prompt).  With PTY_SESSION_NUDGE=1 in the environment,
after LATE seconds of silence (once a first line was typed) the program is sent SIGUSR1 as its thread
would (clush ignores it but at the prompt), until its prompt shows.
"""

import os
import pty
import re
import select
import signal
import sys
import time

LATE = 3.0
NUDGE = os.environ.get("PTY_SESSION_NUDGE") == "1"
TIMEOUT = float(os.environ.get("PTY_SESSION_TIMEOUT", "30"))


CSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def at_prompt(out, prompt):
    """Whether the output ends with the prompt, terminal controls aside."""
    return CSI.sub(b"", out).replace(b"\r", b"").endswith(prompt)


def read_some(fd, deadline):
    """Bytes from fd, b"" at its end; None when deadline passes first."""
    left = deadline - time.monotonic()
    if left <= 0:
        return None
    ready, _, _ = select.select([fd], [], [], left)
    if not ready:
        return None
    try:
        return os.read(fd, 4096)
    except OSError:  # EIO: the child closed the terminal
        return b""


def main():
    prompt = sys.argv[1].encode()
    with open(sys.argv[2], "rb") as f:
        lines = f.read().splitlines()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[3], sys.argv[3:])
    out = b""
    deadline = time.monotonic() + TIMEOUT
    ended = False
    typed = False
    for line in lines:
        while not at_prompt(out, prompt):
            late = min(deadline, time.monotonic() + LATE)
            data = read_some(fd, late)
            if data is None and time.monotonic() < deadline:
                # Not before the first prompt: SIGUSR1 would end clush.
                if NUDGE and typed:
                    os.kill(pid, signal.SIGUSR1)
                continue
            if not data:
                ended = True
                break
            out += data
        if ended:
            break
        # The prompt is consumed: the next one must come anew.
        out += b"\x00"
        os.write(fd, b"\x04" if line == b"<EOF>" else line + b"\r")
        typed = True
    while True:
        data = read_some(fd, deadline)
        if not data:
            break
        out += data
    if data is None:  # timed out: the program is stopped
        os.kill(pid, 9)
        out += b"\n<timeout>"
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(out.replace(b"\x00", b""))
    sys.stdout.buffer.write(b"\nexit: %d\n" % os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
