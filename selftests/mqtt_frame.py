#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""One MQTT 3.1.1 connection with scripted steps, for nf_framing.sh.

  mqtt_frame.py HOST PORT DIR STEP...

Steps:
  q0            a small QoS 0 PUBLISH, then a 30 ms pause (its own segment)
  q2            a QoS 2 PUBLISH and its handshake (PUBREC, PUBREL, PUBCOMP)
  big:N:SEED    a QoS 0 PUBLISH of N pseudo-random bytes (one write)
  drain         wait until the broker acknowledged all that was sent
  tail2:N:SEED  the same, followed in the same write by a QoS 2 PUBLISH (so
                that its header starts in the middle of a segment, after
                the big one's tail), then the QoS 2 handshake
  wait:NAME     write DIR/NAME.port (the local port), wait for DIR/NAME
Then PINGREQ (waits for PINGRESP) and DISCONNECT. TCP_NODELAY. Exits 0 if
the broker answered everything.
"""
import fcntl
import os
import random
import socket
import struct
import sys
import termios
import time


def rl(n):
    out = b""
    while True:
        b = n % 128
        n //= 128
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def pkt(first, body):
    return bytes([first]) + rl(len(body)) + body


def mqstr(s):
    return struct.pack(">H", len(s)) + s


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError("broker closed")
        b += c
    return b


def expect(s, typ):
    h = recv_exact(s, 1)[0]
    n, mul = 0, 1
    while True:
        b = recv_exact(s, 1)[0]
        n += (b & 0x7F) * mul
        mul *= 128
        if not b & 0x80:
            break
    recv_exact(s, n)
    if h >> 4 != typ:
        raise RuntimeError("expected type %d, got %d" % (typ, h >> 4))


def pub2(pid):
    return pkt(0x34, mqstr(b"alarm/frame") + struct.pack(">H", pid) + b"fire")


def handshake2(s, pid):
    expect(s, 5)                                      # PUBREC
    s.sendall(pkt(0x62, struct.pack(">H", pid)))      # PUBREL
    expect(s, 7)                                      # PUBCOMP


def drain(s):
    """Until the peer acknowledged everything sent (SIOCOUTQ 0), so that
    what is written next starts a segment of its own, however slow the
    machine (a backlog would coalesce it with the tail of what came
    before)."""
    deadline = time.time() + 60
    while struct.unpack("i", fcntl.ioctl(s.fileno(), termios.TIOCOUTQ,
                                         b"\0\0\0\0"))[0]:
        if time.time() > deadline:
            raise RuntimeError("send queue not drained")
        time.sleep(0.01)


def big(n, seed):
    data = random.Random(seed).randbytes(n)
    return pkt(0x30, mqstr(b"fw/blob") + data)


def main():
    host, port, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(60)
    s.connect((host, port))
    # Keep-alive 0 (off): the client sends no PINGREQ, and on a slow
    # machine it may wait idle for minutes between its steps.
    s.sendall(pkt(0x10, mqstr(b"MQTT") + bytes([4, 2]) + struct.pack(">H", 0) +
                  mqstr(b"fr%d" % os.getpid())))
    expect(s, 2)                                      # CONNACK
    time.sleep(0.03)
    pid = 1
    for step in sys.argv[4:]:
        w = step.split(":")
        if w[0] == "q0":
            s.sendall(pkt(0x30, mqstr(b"t/q0") + b"x" * 20))
            time.sleep(0.03)
        elif w[0] == "q2":
            s.sendall(pub2(pid))
            handshake2(s, pid)
            pid += 1
            time.sleep(0.03)
        elif w[0] == "big":
            s.sendall(big(int(w[1]), int(w[2])))
        elif w[0] == "drain":
            drain(s)
        elif w[0] == "tail2":
            s.sendall(big(int(w[1]), int(w[2])) + pub2(pid))
            handshake2(s, pid)
            pid += 1
        elif w[0] == "wait":
            with open(os.path.join(d, w[1] + ".port"), "w") as f:
                f.write("%d\n" % s.getsockname()[1])
            deadline = time.time() + 300
            while not os.path.exists(os.path.join(d, w[1])):
                if time.time() > deadline:
                    raise RuntimeError("no " + w[1])
                time.sleep(0.05)
        else:
            raise ValueError("bad step " + step)
    s.sendall(pkt(0xC0, b""))                         # PINGREQ
    expect(s, 13)                                     # PINGRESP
    s.sendall(pkt(0xE0, b""))                         # DISCONNECT
    s.shutdown(socket.SHUT_WR)
    while s.recv(100):
        pass
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
