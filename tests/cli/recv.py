#!/usr/bin/env python3
"""Receivers of lden watch's actions, for the tests (loopback only).

  recv.py http PORTFILE OUT      an HTTP server on 127.0.0.1 (a port of its
                                 own, written to PORTFILE): each POST's
                                 path and JSON body as one line of OUT,
                                 answered 200
  recv.py hang PORTFILE          a listener that never accepts: a request
                                 connects and waits for ever
  recv.py journal SOCKET OUT     journald's native protocol on the datagram
                                 socket SOCKET: each entry as one JSON
                                 object of its fields, a line of OUT

Each runs until killed and writes PORTFILE (or SOCKET) only once ready.
"""
import json
import os
import socket
import struct
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


def ready(portfile, port):
    tmp = portfile + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % port)
    os.rename(tmp, portfile)


def http(portfile, out):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get('Content-Length', '0'))
            body = self.rfile.read(n)
            with open(out, 'a') as f:
                f.write(json.dumps({'path': self.path,
                                    'body': json.loads(body)}) + '\n')
            self.send_response(200)
            self.send_header('Content-Length', '0')
            self.end_headers()

        def log_message(self, *args):
            pass

    srv = HTTPServer(('127.0.0.1', 0), Handler)
    ready(portfile, srv.server_address[1])
    srv.serve_forever()


def hang(portfile):
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    s.listen(64)
    ready(portfile, s.getsockname()[1])
    while True:
        # connections wait in the backlog, never accepted, never answered
        os.pause() if hasattr(os, 'pause') else None


def journal(path, out):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    while True:
        data = s.recv(1 << 20)
        fields = {}
        i = 0
        while i < len(data):
            nl = data.index(b'\n', i)
            line = data[i:nl]
            if b'=' in line:
                k, v = line.split(b'=', 1)
                i = nl + 1
            else:
                # binary: KEY\n, little-endian 64-bit size, data, \n
                k = line
                (n,) = struct.unpack('<Q', data[nl + 1:nl + 9])
                v = data[nl + 9:nl + 9 + n]
                i = nl + 9 + n + 1
            fields[k.decode()] = v.decode('utf-8', 'replace')
        with open(out, 'a') as f:
            f.write(json.dumps(fields) + '\n')


if __name__ == '__main__':
    if sys.argv[1] == 'http':
        http(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == 'hang':
        hang(sys.argv[2])
    elif sys.argv[1] == 'journal':
        journal(sys.argv[2], sys.argv[3])
    else:
        sys.exit('recv.py: unknown mode ' + sys.argv[1])
