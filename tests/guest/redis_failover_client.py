#!/usr/bin/env python3
"""The client side of the failover tests: one TCP connection to redis that
must survive a failover, then a check that no acknowledged write was lost.

  write PORT ACKED_LOG TOTAL TIMEOUT_S [PACE_S]
      one connection, one SET at a time, waiting for +OK; each
      acknowledgement is appended to ACKED_LOG as "i unix_time"
  check PORT ACKED_LOG
      a new connection reads back every acknowledged key
  gaps ACKED_LOG KILL_TIME
      the longest pause between two replies that ends after the kill (the
      takeover as the client saw it) and when service came back; the first
      answer after the kill alone says little, since a reply already on its
      way at the kill may arrive before the takeover
"""
import socket
import sys
import time


def write(port, acked_log, total, timeout, pace=0.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.settimeout(timeout)
    f = s.makefile("rb")
    with open(acked_log, "w", buffering=1) as out:
        for i in range(total):
            s.sendall(b"SET k%d v%d\r\n" % (i, i))
            line = f.readline()
            if line != b"+OK\r\n":
                sys.exit("write %d: got %r instead of +OK" % (i, line))
            out.write("%d %.6f\n" % (i, time.time()))
            if pace:
                time.sleep(pace)


def check(port, acked_log):
    keys = [int(line.split()[0]) for line in open(acked_log)]
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    f = s.makefile("rb")
    missing = []
    for i in keys:
        s.sendall(b"GET k%d\r\n" % i)
        head = f.readline()
        if head.startswith(b"$-1"):
            missing.append(i)
            continue
        if f.readline().rstrip(b"\r\n") != b"v%d" % i:
            missing.append(i)
    if missing:
        sys.exit("%d of %d acknowledged keys missing or wrong, first %s" % (len(missing), len(keys), missing[:5]))
    print("all %d acknowledged keys present" % len(keys))


def gaps(acked_log, kill_time):
    t = [float(line.split()[1]) for line in open(acked_log)]
    after = [x for x in t if x > kill_time]
    spans = [(b - a, b) for a, b in zip(t, t[1:]) if b > kill_time]
    pause, back = max(spans) if spans else (0.0, kill_time)
    first = "%.3f s" % (after[0] - kill_time) if after else "none"
    print("kill -> first answer %s; longest client-visible pause %.3f s; kill -> service back %.3f s; "
          "%d writes acknowledged (%d after the kill)" % (first, pause, back - kill_time, len(t), len(after)))


def main(argv):
    if len(argv) >= 5 and argv[0] == "write":
        write(int(argv[1]), argv[2], int(argv[3]), float(argv[4]), float(argv[5]) if len(argv) > 5 else 0.0)
    elif len(argv) == 3 and argv[0] == "check":
        check(int(argv[1]), argv[2])
    elif len(argv) == 3 and argv[0] == "gaps":
        gaps(argv[1], float(argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
