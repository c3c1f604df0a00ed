#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A loopback stand-in for Elasticsearch 8 that checks what lden sends.

It answers GET /, GET and PUT /_index_template/NAME and POST /_bulk the way
Elasticsearch 8 does, and checks every request against what the
Elasticsearch documentation says of them: the _bulk body is NDJSON with a
trailing newline, each action line names a known action and an _index, has
no _type, writes to a data stream with "create", each document has the
fields of the installed template's mappings with the right JSON types
(a document of an event with a size has "size_total" and a boolean
"size_valid", and "size" exactly when "size_valid" is true; one without
has none of the three); the template has index_patterns, a data_stream,
an integer version and the mapping types lden promises; the
Content-Type; the Authorization header when one is expected.

--template NAME=FILE installs the template in FILE under NAME before the
first request (as an older lden would have left it), unchecked; --stream
NAME makes the data stream NAME exist already, its write index mapped by
that template (documents go by the mappings of the write index, which a
template changes only at POST /NAME/_rollover, as in Elasticsearch).

--version X.Y.Z is the version GET / tells (8.11.0 unless said): before
7.10 the server has no "unsigned_long" (a template using it is refused,
400), and lden's counts and sizes must be mapped "long"; from 7.10 on
"unsigned_long".  A document with a number a "long" field cannot hold is
refused (per-item 400 mapper_parsing_exception), as a real server does,
and is a violation: lden must cap it and mark it "capped".

Output files: --docs, one JSON line per stored document
({"_index", "_id", "doc"}); --violations, one JSON line per protocol
violation (a test asserts it stays empty); --log, "METHOD PATH STATUS" per
request.  It prints "port N" on stdout when it listens (--port 0: any).

Control: the test writes a JSON object to the --control file (atomically,
with a higher "seq" each time); the server applies it and prints
"mode SEQ".  Keys: "down": true closes the listening socket and every
connection (refused from then on), false listens again on the same port;
"fail": [STATUS, N] answers the next N _bulk requests with STATUS (429,
503); "items": [STATUS, ...] gives the next documents these per-item
statuses (429 and 503 are retriable, 400 a mapper_parsing_exception);
"delay": SECONDS before each _bulk answer (after storing the documents,
so a client that times out and repeats the request sends duplicates).
"""

import argparse
import base64
import fnmatch
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACTIONS = {"index", "create", "update", "delete"}
META_KEYS = {"_index", "_id", "routing", "pipeline", "require_alias",
             "require_data_stream", "if_seq_no", "if_primary_term",
             "version", "version_type", "dynamic_templates", "op_type"}
ISO8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?"
                     r"(Z|[+-]\d\d:\d\d)$")
# what lden's template must map, and how
PROMISED = {"@timestamp": "date", "event": "keyword", "host": "keyword",
            "source": "keyword", "mode": "keyword", "count": "long",
            "size": "long", "count_total": "long", "size_total": "long",
            "lost": "long", "speed": "double", "interval": "double",
            "size_valid": "boolean", "missed": "long",
            "count_exact": "boolean", "speed_estimated": "boolean",
            "speed_span": "double", "lost_shared": "boolean",
            "size_overflow": "boolean", "capped": "boolean"}
# the counts and sizes: "unsigned_long" where the server has it
INTS = ("count", "size", "count_total", "size_total", "lost", "missed")


def promised(u64):
    p = dict(PROMISED)
    for f in INTS:
        p[f] = "unsigned_long" if u64 else "long"
    return p
REQUIRED = {"@timestamp", "host", "event", "source", "mode", "interval",
            "count", "count_total", "speed", "lost", "missed",
            "count_exact", "speed_estimated", "lost_shared"}


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.templates = {}
        self.ids = {}            # index -> set of ids
        self.down = False
        self.fail = [0, 0]
        self.items = []
        self.delay = 0.0
        self.conns = set()
        self.seq = 0
        major, minor = (int(x) for x in args.version.split(".")[:2])
        self.u64 = (major, minor) >= (7, 10)
        self.write_props = {}    # data stream -> its write index's mappings
        self.docs = open(args.docs, "a", buffering=1)
        self.violations = open(args.violations, "a", buffering=1)
        self.log = open(args.log, "a", buffering=1) if args.log else None

    def violation(self, request, problem):
        with self.lock:
            self.violations.write(json.dumps(
                {"request": request, "problem": problem}) + "\n")


def es_error(status, etype, reason):
    return {"error": {"root_cause": [{"type": etype, "reason": reason}],
                      "type": etype, "reason": reason}, "status": status}


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool))


def check_value(kind, v):
    if kind == "date":
        return isinstance(v, str) and ISO8601.match(v) is not None
    if kind == "keyword":
        return isinstance(v, str)
    if kind == "long":
        return is_int(v) and -2**63 <= v < 2**63
    if kind == "unsigned_long":
        return is_int(v) and 0 <= v < 2**64
    if kind == "double":
        return is_num(v)
    if kind == "boolean":
        return isinstance(v, bool)
    return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-es"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        with self.server.state.lock:
            self.server.state.conns.add(self.connection)

    def finish(self):
        with self.server.state.lock:
            self.server.state.conns.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    @property
    def st(self):
        return self.server.state

    def where(self):
        return "%s %s" % (self.command, self.path)

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        if self.st.log:
            with self.st.lock:
                self.st.log.write("%s %s %d\n" % (self.command,
                                                  self.path, status))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-elastic-product", "Elasticsearch")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", ""):
            self.st.violation(self.where(), "chunked body")
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def gate(self):
        """False when down (the connection is dropped) or unauthorised."""
        if self.st.down:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return False
        want = None
        if self.st.args.api_key:
            want = "ApiKey " + self.st.args.api_key
        elif self.st.args.basic:
            want = "Basic " + base64.b64encode(
                self.st.args.basic.encode()).decode()
        got = self.headers.get("Authorization")
        if want is not None and got != want:
            self.st.violation(self.where(),
                              "Authorization %r, expected %r" % (got, want))
            self.body()
            self.reply(401, es_error(401, "security_exception",
                                     "unable to authenticate user"))
            return False
        if want is None and got is not None:
            self.st.violation(self.where(), "unexpected Authorization")
        return True

    def json_body(self, ctype):
        raw = self.body()
        got = self.headers.get("Content-Type", "")
        if got.split(";")[0].strip() != ctype:
            self.st.violation(self.where(),
                              "Content-Type %r, expected %r" % (got, ctype))
        return raw

    def do_GET(self):
        if not self.gate():
            return
        self.body()
        if self.path == "/":
            self.reply(200, {"name": "fake", "cluster_name": "fake",
                             "version": {"number": self.st.args.version,
                                         "lucene_version": "9.8.0"},
                             "tagline": "You Know, for Search"})
            return
        m = re.match(r"^/_index_template/([^/?]+)$", self.path)
        if m:
            with self.st.lock:
                t = self.st.templates.get(m.group(1))
            if t is None:
                self.reply(404, es_error(
                    404, "resource_not_found_exception",
                    "index template matching [%s] not found" % m.group(1)))
            else:
                self.reply(200, {"index_templates": [
                    {"name": m.group(1), "index_template": t}]})
            return
        self.st.violation(self.where(), "unexpected request")
        self.reply(404, es_error(404, "no_handler_found_exception", "no"))

    def do_PUT(self):
        if not self.gate():
            return
        m = re.match(r"^/_index_template/([^/?]+)$", self.path)
        raw = self.json_body("application/json")
        if not m:
            self.st.violation(self.where(), "unexpected request")
            self.reply(404, es_error(404, "no_handler_found_exception", "no"))
            return
        try:
            t = json.loads(raw)
        except ValueError as e:
            self.st.violation(self.where(), "template not JSON: %s" % e)
            self.reply(400, es_error(400, "parse_exception", str(e)))
            return
        if not self.st.u64 and "unsigned_long" in raw.decode():
            self.reply(400, es_error(
                400, "mapper_parsing_exception",
                "Failed to parse mapping: No handler for type "
                "[unsigned_long] declared on field [count]"))
            return
        problems = self.check_template(m.group(1), t, self.st.u64)
        for p in problems:
            self.st.violation(self.where(), p)
        if problems:
            self.reply(400, es_error(400, "illegal_argument_exception",
                                     "; ".join(problems)))
            return
        with self.st.lock:
            self.st.templates[m.group(1)] = t
        self.reply(200, {"acknowledged": True})

    @staticmethod
    def check_template(name, t, u64):
        p = []
        if not isinstance(t, dict):
            return ["template not an object"]
        for k in t:
            if k not in {"index_patterns", "template", "data_stream",
                         "priority", "version", "_meta", "composed_of",
                         "allow_auto_create"}:
                p.append("unknown template key %r" % k)
        pats = t.get("index_patterns")
        if (not isinstance(pats, list) or not pats or
                not all(isinstance(x, str) and x for x in pats)):
            p.append("index_patterns not a list of strings")
        elif name + "*" not in pats:
            p.append("index_patterns %r miss %r" % (pats, name + "*"))
        if "data_stream" in t and not isinstance(t["data_stream"], dict):
            p.append("data_stream not an object")
        if "priority" in t and not is_int(t["priority"]):
            p.append("priority not an integer")
        if not is_int(t.get("version")):
            p.append("version %r not an integer" % t.get("version"))
        mappings = (t.get("template") or {}).get("mappings")
        if not isinstance(mappings, dict):
            return p + ["no template.mappings"]
        if "_doc" in mappings or "properties" not in mappings:
            p.append("mappings with a type name or without properties")
            return p
        props = mappings["properties"]
        for field, kind in promised(u64).items():
            got = (props.get(field) or {}).get("type")
            if got != kind:
                p.append("field %s mapped as %r, expected %r" %
                         (field, got, kind))
        return p

    def template_for(self, index):
        with self.st.lock:
            for name, t in self.st.templates.items():
                for pat in t.get("index_patterns", []):
                    if fnmatch.fnmatchcase(index, pat):
                        return t
        return None

    def check_doc(self, doc, props, strict):
        """strict: props are lden's template's now (an older write
        index, with dynamic false, takes fields it does not map)"""
        p = []
        if not isinstance(doc, dict):
            return ["document not an object"]
        if props is None:
            props = {k: {"type": v} for k, v in
                     promised(self.st.u64).items()}
        for k in REQUIRED - set(doc):
            p.append("document without %s" % k)
        for k, v in doc.items():
            kind = (props.get(k) or {}).get("type")
            if kind is None:
                if strict:
                    p.append("field %s not in the mappings" % k)
            elif not check_value(kind, v):
                p.append("field %s = %r is not a %s" % (k, v, kind))
        if ("size_total" in doc) != ("size_valid" in doc):
            p.append("size_total without size_valid or the reverse")
        elif "size" in doc and doc.get("size_valid") is not True:
            p.append("size with size_valid %r" % doc.get("size_valid"))
        elif ("size_total" in doc and "size" not in doc and
              doc.get("size_valid") is not False):
            p.append("size_total without size, size_valid %r" %
                     doc.get("size_valid"))
        if "size" in doc and "size_total" not in doc:
            p.append("size without size_total")
        if ("speed_span" in doc) != (doc.get("speed_estimated") is True):
            p.append("speed_span %r with speed_estimated %r" %
                     (doc.get("speed_span"), doc.get("speed_estimated")))
        if doc.get("mode") not in ("counting", "sampling"):
            p.append("mode %r" % doc.get("mode"))
        if (is_int(doc.get("count")) and is_int(doc.get("count_total")) and
                doc["count"] > doc["count_total"]):
            p.append("count > count_total")
        return p

    def rollover(self, name):
        """A new write index for data stream NAME, by its template now."""
        if self.st.args.deny_rollover:
            self.reply(403, es_error(403, "security_exception",
                                     "action [indices:admin/rollover] is "
                                     "unauthorized"))
            return
        tpl = self.template_for(name)
        with self.st.lock:
            exists = name in self.st.write_props
            if exists and tpl is not None:
                self.st.write_props[name] = \
                    tpl["template"]["mappings"]["properties"]
        if not exists:
            self.reply(404, es_error(404, "index_not_found_exception",
                                     "no such index [%s]" % name))
            return
        self.reply(200, {"acknowledged": True, "rolled_over": True,
                         "old_index": ".ds-%s-000001" % name,
                         "new_index": ".ds-%s-000002" % name})

    def do_POST(self):
        if not self.gate():
            return
        path = self.path.split("?")[0]
        m = re.match(r"^/([^/_][^/]*)/_rollover$", path)
        if m:
            self.json_body("application/json")
            self.rollover(m.group(1))
            return
        raw = self.json_body("application/x-ndjson")
        if path != "/_bulk":
            self.st.violation(self.where(), "unexpected request")
            self.reply(404, es_error(404, "no_handler_found_exception", "no"))
            return
        with self.st.lock:
            fail = self.st.fail[1] > 0
            if fail:
                self.st.fail[1] -= 1
                status = self.st.fail[0]
        if fail:
            self.reply(status, es_error(
                status, "es_rejected_execution_exception" if status == 429
                else "cluster_block_exception", "fake failure"))
            return
        t0 = time.monotonic()
        if not raw.endswith(b"\n"):
            self.st.violation(self.where(), "body without a final newline")
            self.reply(400, es_error(
                400, "illegal_argument_exception",
                "The bulk request must be terminated by a newline [\\n]"))
            return
        lines = raw[:-1].split(b"\n")
        items, errors, i = [], False, 0
        while i < len(lines):
            where = "%s line %d" % (self.where(), i + 1)
            try:
                action = json.loads(lines[i])
            except ValueError as e:
                self.st.violation(where, "action not JSON: %s" % e)
                self.reply(400, es_error(400, "x_content_parse_exception",
                                         str(e)))
                return
            if (not isinstance(action, dict) or len(action) != 1 or
                    next(iter(action)) not in ACTIONS):
                self.st.violation(where, "bad action line %r" % action)
                self.reply(400, es_error(400, "illegal_argument_exception",
                                         "Malformed action/metadata line"))
                return
            op, meta = next(iter(action.items()))
            if "_type" in meta:
                self.st.violation(where, "_type in the action line")
                self.reply(400, es_error(400, "illegal_argument_exception",
                                         "unknown parameter [_type]"))
                return
            for k in set(meta) - META_KEYS:
                self.st.violation(where, "unknown metadata %r" % k)
            if not isinstance(meta.get("_index"), str) or not meta["_index"]:
                self.st.violation(where, "action without _index")
            if op == "delete" or i + 1 >= len(lines):
                self.st.violation(where, "action %s without a document" % op)
                i += 1
                continue
            index = meta.get("_index", "")
            try:
                doc = json.loads(lines[i + 1])
            except ValueError as e:
                self.st.violation(where, "document not JSON: %s" % e)
                doc = None
            i += 2
            tpl = self.template_for(index)
            if tpl is None:
                self.st.violation(where, "no template for %r" % index)
            with self.st.lock:
                if index not in self.st.write_props and tpl is not None:
                    self.st.write_props[index] = \
                        tpl["template"]["mappings"]["properties"]
                props = self.st.write_props.get(index)
            problems = self.check_doc(
                doc, props, tpl is None or
                props is tpl["template"]["mappings"]["properties"])
            for p in problems:
                self.st.violation(where, p)
            # a number out of its field's range: the server refuses it
            unfit = [k for k, v in (doc or {}).items() if is_int(v) and
                     (props or {}).get(k, {}).get("type") in
                     ("long", "unsigned_long") and
                     not check_value(props[k]["type"], v)]
            doc_id = meta.get("_id") or uuid.uuid4().hex
            with self.st.lock:
                planned = self.st.items.pop(0) if self.st.items else None
            res = {"_index": ".ds-%s-000001" % index, "_id": doc_id}
            if tpl is not None and "data_stream" in tpl and op != "create":
                self.st.violation(where, "%s into a data stream" % op)
                res.update(status=400, error={
                    "type": "illegal_argument_exception",
                    "reason": "only write ops with an op_type of create "
                              "are allowed in data streams"})
            elif unfit:
                res.update(status=400, error={
                    "type": "mapper_parsing_exception",
                    "reason": "failed to parse field [%s] of type [%s] in "
                              "document with id '%s'" %
                              (unfit[0], props[unfit[0]]["type"], doc_id)})
            elif planned == 429 or planned == 503:
                res.update(status=planned, error={
                    "type": "es_rejected_execution_exception"
                    if planned == 429 else "unavailable_shards_exception",
                    "reason": "fake item failure"})
            elif planned == 400:
                res.update(status=400, error={
                    "type": "mapper_parsing_exception",
                    "reason": "failed to parse field [count] of type [long]"
                              " in document with id '%s'" % doc_id})
            else:
                with self.st.lock:
                    ids = self.st.ids.setdefault(index, set())
                    dup = doc_id in ids and op == "create"
                    if not dup:
                        ids.add(doc_id)
                        self.st.docs.write(json.dumps(
                            {"_index": index, "_id": doc_id, "doc": doc})
                            + "\n")
                if dup:
                    res.update(status=409, error={
                        "type": "version_conflict_engine_exception",
                        "reason": "[%s]: version conflict, document already"
                                  " exists (current version [1])" % doc_id})
                else:
                    res.update(status=201, result="created", _version=1,
                               _seq_no=0, _primary_term=1,
                               _shards={"total": 1, "successful": 1,
                                        "failed": 0})
            errors = errors or res["status"] >= 300
            items.append({op: res})
        time.sleep(self.st.delay)
        try:
            self.reply(200, {"took": int((time.monotonic() - t0) * 1000),
                             "errors": errors, "items": items})
        except OSError:
            pass


def serve(state, port):
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    srv.state = state
    if state.args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(state.args.cert, state.args.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def control(state, srv, port):
    while True:
        time.sleep(0.05)
        try:
            with open(state.args.control) as f:
                c = json.load(f)
        except (OSError, ValueError):
            continue
        if c.get("seq", 0) <= state.seq:
            continue
        state.seq = c["seq"]
        if "fail" in c:
            with state.lock:
                state.fail = list(c["fail"])
        if "items" in c:
            with state.lock:
                state.items = list(c["items"])
        if "delay" in c:
            state.delay = float(c["delay"])
        if c.get("down") is True and not state.down:
            state.down = True
            srv.shutdown()
            srv.server_close()
            with state.lock:
                conns = list(state.conns)
            for s in conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        elif c.get("down") is False and state.down:
            srv = serve(state, port)
            state.down = False
        print("mode %d" % state.seq, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--docs", required=True)
    ap.add_argument("--violations", required=True)
    ap.add_argument("--log")
    ap.add_argument("--control", required=True)
    ap.add_argument("--api-key")
    ap.add_argument("--basic", help="USER:PASSWORD")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--template", action="append", default=[],
                    help="NAME=FILE")
    ap.add_argument("--stream", action="append", default=[])
    ap.add_argument("--version", default="8.11.0")
    ap.add_argument("--deny-rollover", action="store_true")
    args = ap.parse_args()
    state = State(args)
    for spec in args.template:
        name, _, path = spec.partition("=")
        with open(path) as f:
            state.templates[name] = json.load(f)
    for name in args.stream:
        state.write_props[name] = \
            state.templates[name]["template"]["mappings"]["properties"]
    srv = serve(state, args.port)
    port = srv.server_address[1]
    print("port %d" % port, flush=True)
    control(state, srv, port)


if __name__ == "__main__":
    sys.exit(main())
