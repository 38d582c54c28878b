#!/usr/bin/env python3
"""Key -> screen latency of the real dashboard in a pseudo-terminal.

    python3 benches/keylat.py target/release/cloudstrat [COLS ROWS [KEYS_SENT [KEYS]]]

Starts the dashboard at COLS x ROWS (default 200 x 60) with a fresh home
folder, waits for it to settle, then sends KEYS_SENT keys (default 200)
taken in turn from KEYS (default "lh": the selected lever up, then down),
one at a time, and reports the median and 90th percentile of the time from
writing a key to the first and to the last byte of the frame it causes, the
bytes per frame, and the dashboard's CPU time per key (from /proc). Wall
times on a shared machine include waiting for a core: note the load.
"""
import fcntl, os, pty, select, shutil, statistics, struct, sys, tempfile, termios, time

binary = sys.argv[1]
cols = int(sys.argv[2]) if len(sys.argv) > 2 else 200
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 60
n = int(sys.argv[4]) if len(sys.argv) > 4 else 200
keys = (sys.argv[5] if len(sys.argv) > 5 else "lh").encode()
home = tempfile.mkdtemp(prefix="keylat")

pid, fd = pty.fork()
if pid == 0:
    os.environ.update(TERM="xterm-256color", COLORTERM="truecolor", HOME=home,
                      XDG_CONFIG_HOME=home + "/c", XDG_DATA_HOME=home + "/d", XDG_STATE_HOME=home + "/s")
    os.execv(binary, [binary])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def settle(quiet):
    last = time.time()
    while time.time() - last < quiet:
        if select.select([fd], [], [], quiet)[0]:
            os.read(fd, 1 << 16)
            last = time.time()


def cpu_seconds():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


settle(1.5)
c0 = cpu_seconds()
first, last, sizes = [], [], []
for i in range(n):
    t0 = time.perf_counter()
    os.write(fd, keys[i % len(keys):i % len(keys) + 1])
    select.select([fd], [], [], 2)
    t1 = time.perf_counter()
    size = len(os.read(fd, 1 << 16))
    tl = time.perf_counter()
    while select.select([fd], [], [], 0.03)[0]:
        size += len(os.read(fd, 1 << 16))
        tl = time.perf_counter()
    first.append((t1 - t0) * 1e3)
    last.append((tl - t0) * 1e3)
    sizes.append(size)
    time.sleep(0.02)
c1 = cpu_seconds()
os.kill(pid, 9)
os.waitpid(pid, 0)
shutil.rmtree(home, ignore_errors=True)


def p90(v):
    return sorted(v)[int(0.9 * (len(v) - 1))]


print(f"first byte: median {statistics.median(first):.3f} ms, p90 {p90(first):.3f}; "
      f"last byte: median {statistics.median(last):.3f} ms, p90 {p90(last):.3f}; "
      f"{statistics.median(sizes):.0f} bytes a frame; dashboard CPU {(c1 - c0) / n * 1e3:.3f} ms a key "
      f"(load {os.getloadavg()[0]:.2f})")
