#!/usr/bin/env python3
# A Docker socket that lies, for the cases a real dockerd does not produce on demand.
# Usage: fake-docker.py MODE SOCKET LOG
#   slow     reads the question, then holds the connection without a word until the client leaves
#   garbage  answers bytes that are no HTTP, then HTTP with a body that is no JSON, then JSON about
#            another container, then 2 MiB, in turn
# LOG gets one line per event: "asked PATH", "left" (the client closed first), "answered KIND".
import os
import socket
import sys
import threading

mode, path, log_path = sys.argv[1:4]
log_lock = threading.Lock()


def log(line):
    with log_lock, open(log_path, "a") as f:
        f.write(line + "\n")


GARBAGE = [
    ("not-http", b"\x00\x01SSH-2.0-OpenSSH_9.2\r\n\xff\xfe"),
    ("not-json", b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n<html>{\"Name\":"),
    ("another", b'HTTP/1.0 200 OK\r\n\r\n{"Id":"ffffffffffff","Name":"/impostor","Config":{"Labels":{"x":"y"}}}'),
    ("huge", b"HTTP/1.0 200 OK\r\n\r\n{\"Name\":\"/" + b"x" * (2 * 1024 * 1024) + b"\"}"),
]
turn = [0]


def serve(conn):
    with conn:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                log("left")
                return
            data += chunk
        log("asked " + data.split(b" ")[1].decode(errors="replace"))
        if mode == "slow":
            # the client's deadline ends it, never an answer
            while conn.recv(4096):
                pass
            log("left")
            return
        kind, answer = GARBAGE[turn[0] % len(GARBAGE)]
        turn[0] += 1
        try:
            conn.sendall(answer)
            log("answered " + kind)
        except OSError:
            log("left")


if os.path.exists(path):
    os.unlink(path)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(16)
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
