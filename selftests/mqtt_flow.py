#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""One MQTT 3.1.1 connection with a scripted sequence of PUBLISHes, for
nf_hook.sh (mosquitto_pub cannot change QoS within one connection).

  mqtt_flow.py HOST PORT TOS DIR QOS... [-- QOS...]

Connects (IP_TOS = TOS on the socket), sends one PUBLISH per QOS before
"--" (a QoS 1 or 2 PUBLISH waits for its whole handshake: PUBACK, or
PUBREC -> PUBREL -> PUBCOMP; a QOS written "0f" is sent without the
usual 20 ms pause after it), then writes DIR/phase1 (holding the local
port) and waits until DIR/go exists; then the QOS after "--", a PINGREQ
(waits for PINGRESP) and DISCONNECT. Every packet is its own segment
(TCP_NODELAY, a short pause between them). Exits 0 if the broker answered
everything.
"""
import os
import socket
import struct
import sys
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


def recv_pkt(s):
    h = s.recv(1)
    if not h:
        raise EOFError("broker closed")
    n, mul = 0, 1
    while True:
        b = s.recv(1)[0]
        n += (b & 0x7F) * mul
        mul *= 128
        if not b & 0x80:
            break
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return h[0] >> 4, body


def expect(s, typ):
    t, body = recv_pkt(s)
    if t != typ:
        raise RuntimeError("expected type %d, got %d" % (typ, t))
    return body


def publish(s, qos, pid, pause=True):
    topic = mqstr(b"nf/q%d" % qos)
    payload = b"x" * 40
    if qos:
        s.sendall(pkt(0x30 | (qos << 1), topic + struct.pack(">H", pid) + payload))
    else:
        s.sendall(pkt(0x30, topic + payload))
    if qos == 1:
        expect(s, 4)                                 # PUBACK
    elif qos == 2:
        expect(s, 5)                                 # PUBREC
        time.sleep(0.02)
        s.sendall(pkt(0x62, struct.pack(">H", pid)))  # PUBREL
        expect(s, 7)                                 # PUBCOMP
    if pause:
        time.sleep(0.02)


def qos_list(words):
    """"2" publishes QoS 2 and pauses 20 ms; "0f" publishes QoS 0 and goes
    straight on (a burst)."""
    return [(int(w.rstrip("f")), not w.endswith("f")) for w in words]


def main():
    host, port, tos, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 0), sys.argv[4]
    rest = sys.argv[5:]
    cut = rest.index("--") if "--" in rest else len(rest)
    before = qos_list(rest[:cut])
    after = qos_list(rest[cut + 1:])
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(20)
    s.connect((host, port))
    cid = mqstr(b"nf%d" % os.getpid())
    # Keep-alive 0 (off): the client sends no PINGREQ, and on a slow
    # machine it may wait idle for minutes between its steps.
    s.sendall(pkt(0x10, mqstr(b"MQTT") + bytes([4, 2]) + struct.pack(">H", 0) + cid))
    expect(s, 2)                                     # CONNACK
    time.sleep(0.02)
    pid = 1
    for q, pause in before:
        publish(s, q, pid, pause)
        pid += 1
    with open(os.path.join(d, "phase1"), "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    deadline = time.time() + 30
    while not os.path.exists(os.path.join(d, "go")):
        if time.time() > deadline:
            raise RuntimeError("no go")
        time.sleep(0.05)
    for q, pause in after:
        publish(s, q, pid, pause)
        pid += 1
    s.sendall(pkt(0xC0, b""))                          # PINGREQ
    expect(s, 13)                                    # PINGRESP
    time.sleep(0.02)
    s.sendall(pkt(0xE0, b""))                          # DISCONNECT
    s.shutdown(socket.SHUT_WR)
    while s.recv(100):
        pass
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
