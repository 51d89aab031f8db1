#!/usr/bin/env python3
"""Requests for tests/examples/httpd.sh: talks to the example server over
raw sockets (no curl in CI) and checks each response.

Usage: httpd_client.py PORT TRACE_ID
Sends, over keep-alive connections: GETs with the traceparent
00-TRACE_ID-...-01 and without, a HEAD, two pipelined requests in one
write, an HTTP/1.0 request (the server closes), and a malformed one (400).
Prints one line per check failed, and on success the number of requests
the server must have turned into tasks; exits 1 on any failure.
"""
import re
import socket
import sys

port, trace_id = int(sys.argv[1]), sys.argv[2]
TP_RE = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def read_response(f, head_only=False):
    """(status, headers dict with lowercase names, body) of one response."""
    status_line = f.readline().decode()
    if not status_line:
        return None, {}, b""
    status = int(status_line.split()[1])
    headers = {}
    while True:
        line = f.readline().decode()
        if line in ("\r\n", ""):
            break
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    n = 0 if head_only else int(headers.get("content-length", "0"))
    return status, headers, f.read(n)


def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s, s.makefile("rb")


def check_ok(what, status, headers, body, expect_trace=None, head_only=False):
    if status != 200:
        fail("%s: status %s" % (what, status))
        return
    tp = headers.get("traceparent", "")
    m = TP_RE.match(tp)
    if not m:
        fail("%s: no valid traceparent in the response (%r)" % (what, tp))
        return
    if expect_trace and m.group(1) != expect_trace:
        fail("%s: response trace id %s, the request's was %s" % (what, m.group(1), expect_trace))
    if expect_trace and m.group(2) == "b7ad6b7169203331":
        fail("%s: the response repeats the caller's span id instead of its own" % what)
    if expect_trace is None and m.group(1) == trace_id:
        fail("%s: a request without traceparent got the caller's trace id" % what)
    want = 0 if head_only else int(headers.get("content-length", "-1"))
    if len(body) != want or (not head_only and want <= 0):
        fail("%s: body of %d bytes, Content-Length %s" % (what, len(body), headers.get("content-length")))


tasks = 0
incoming = "00-%s-b7ad6b7169203331-01" % trace_id

# keep-alive: with and without traceparent, and a HEAD
s, f = connect()
for i in range(6):
    hdr = "traceparent: %s\r\n" % incoming if i % 2 == 0 else ""
    s.sendall(("GET /item/%d HTTP/1.1\r\nHost: t\r\n%s\r\n" % (i, hdr)).encode())
    st, h, b = read_response(f)
    check_ok("keep-alive GET %d" % i, st, h, b, trace_id if hdr else None)
    tasks += 1
s.sendall(b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n")
st, h, b = read_response(f, head_only=True)
check_ok("HEAD", st, h, b, None, head_only=True)
tasks += 1

# two pipelined requests in one write, the second with a body to skip
s.sendall(("GET /a HTTP/1.1\r\nHost: t\r\ntraceparent: %s\r\n\r\n"
           "POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" % incoming).encode())
for what, tid in (("pipelined 1", trace_id), ("pipelined 2", None)):
    st, h, b = read_response(f)
    check_ok(what, st, h, b, tid)
    tasks += 1
s.close()

# HTTP/1.0 without keep-alive: answered, then closed by the server
s, f = connect()
s.sendall(b"GET /old HTTP/1.0\r\n\r\n")
st, h, b = read_response(f)
check_ok("HTTP/1.0", st, h, b)
if h.get("connection") != "close" or f.read(1) != b"":
    fail("HTTP/1.0: the connection stays open")
tasks += 1
s.close()

# a malformed request: 400 and closed, never a task
s, f = connect()
s.sendall(b"NONSENSE\r\n\r\n")
st, h, b = read_response(f)
if st != 400:
    fail("malformed request: status %s, expected 400" % st)
s.close()

if failures:
    sys.exit(1)
print(tasks)
