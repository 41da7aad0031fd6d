#!/usr/bin/env python3
# Written by the Vaniila agent into an interactive job's directory: runs COMMAND on a new pseudo-terminal and
# relays it. Java has no PTY API; this program is the PTY's owner, so that the job's shell gets a real terminal
# (line editing, Ctrl-C as SIGINT to the foreground process, SIGWINCH on resize).
#
# Usage: vaniila-pty.py COLUMNS ROWS COMMAND...
#
# stdin carries frames from the agent: one byte of type, four bytes of big-endian length, the payload.
#   0 INPUT   bytes typed by the user, written to the terminal
#   1 RESIZE  two big-endian 16-bit numbers, columns then rows (TIOCSWINSZ: the kernel sends SIGWINCH)
#   2 HANGUP  no payload: the user went away; the shell gets SIGHUP, as when a terminal closes
# stdout carries what the terminal shows, unframed. The exit status is the command's (128+N when killed by
# signal N). The end of stdin, SIGTERM and SIGHUP hang up too: the agent stops a job with SIGTERM.
import errno
import fcntl
import os
import select
import signal
import struct
import sys
import termios
import time

INPUT, RESIZE, HANGUP = 0, 1, 2
MAX_FRAME = 1 << 20
HANGUP_GRACE = 3.0


def set_size(fd, columns, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def write_all(fd, data):
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            select.select([], [fd], [], 1.0)
            continue
        view = view[n:]


def spawn(command, columns, rows):
    master, slave = os.openpty()
    set_size(slave, columns, rows)
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            if slave > 2:
                os.close(slave)
            os.close(master)
            # Python ignores SIGPIPE and SIGXFSZ, and exec keeps ignored signals: the shell must get the defaults.
            for s in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
                signal.signal(s, signal.SIG_DFL)
            os.execvp(command[0], command)
        except OSError as e:
            os.write(2, ("vaniila-pty: cannot run %s: %s\r\n" % (command[0], e.strerror)).encode())
        os._exit(127)
    os.close(slave)
    return pid, master


def main():
    if len(sys.argv) < 4:
        sys.stderr.write("usage: vaniila-pty.py COLUMNS ROWS COMMAND...\n")
        return 2
    columns, rows = int(sys.argv[1]), int(sys.argv[2])
    pid, master = spawn(sys.argv[3:], columns, rows)
    os.set_blocking(master, False)

    state = {"hangup_at": None}

    def hang_up(*_):
        if state["hangup_at"] is None:
            state["hangup_at"] = time.monotonic()
            # The child may not have made its session yet (a hang-up right at the start): signal it too.
            for send in (os.killpg, os.kill):
                try:
                    send(pid, signal.SIGHUP)
                    send(pid, signal.SIGCONT)
                except OSError:
                    pass

    signal.signal(signal.SIGTERM, hang_up)
    signal.signal(signal.SIGHUP, hang_up)

    frames = bytearray()
    to_terminal = bytearray()
    stdin_open = True
    status = None
    while True:
        readers = [master] + ([0] if stdin_open else [])
        writers = [master] if to_terminal else []
        try:
            ready, writable, _ = select.select(readers, writers, [], 0.2)
        except InterruptedError:
            continue
        if master in ready:
            try:
                data = os.read(master, 65536)
            except BlockingIOError:
                data = None
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                data = b""  # every holder of the terminal's other side is gone
            if data == b"":
                break
            if data:
                write_all(1, data)
        if 0 in ready:
            chunk = os.read(0, 65536)
            if not chunk:
                stdin_open = False
                hang_up()
            frames += chunk
            while len(frames) >= 5:
                kind, length = struct.unpack(">BI", frames[:5])
                if length > MAX_FRAME or kind not in (INPUT, RESIZE, HANGUP):
                    sys.stderr.write("vaniila-pty: malformed frame (type %d, length %d): hanging up\n" % (kind, length))
                    frames.clear()
                    stdin_open = False
                    hang_up()
                    break
                if len(frames) < 5 + length:
                    break
                payload = bytes(frames[5:5 + length])
                del frames[:5 + length]
                if kind == INPUT:
                    to_terminal += payload
                elif kind == RESIZE and length == 4:
                    cols, rws = struct.unpack(">HH", payload)
                    if 0 < cols <= 1000 and 0 < rws <= 1000:
                        set_size(master, cols, rws)
                elif kind == HANGUP:
                    hang_up()
        if master in writable and to_terminal:
            try:
                n = os.write(master, to_terminal)
                del to_terminal[:n]
            except BlockingIOError:
                pass
            except OSError:
                to_terminal.clear()
        if status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
                # The shell ended; what it wrote last is still in the terminal: read it before leaving.
                deadline = time.monotonic() + 0.5
                while time.monotonic() < deadline:
                    r, _, _ = select.select([master], [], [], 0.05)
                    if not r:
                        break
                    try:
                        data = os.read(master, 65536)
                    except (BlockingIOError, OSError):
                        break
                    if not data:
                        break
                    write_all(1, data)
                break
        if state["hangup_at"] is not None and time.monotonic() - state["hangup_at"] > HANGUP_GRACE:
            for send in (os.killpg, os.kill):
                try:
                    send(pid, signal.SIGKILL)
                except OSError:
                    pass
    if status is None:
        _, status = os.waitpid(pid, 0)
    # Whatever the shell left running in its process group (a background job) ends with the session.
    try:
        os.killpg(pid, signal.SIGHUP)
    except OSError:
        pass
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
