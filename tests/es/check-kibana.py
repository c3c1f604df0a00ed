#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks a Kibana 8 saved-objects export (NDJSON) for lden.

Every line parses; the last is the export summary and counts the objects;
ids are unique; every reference resolves to an object of the file; the
JSON strings inside (visState, panelsJSON, searchSourceJSON) parse and
their reference names (indexRefName, panelRefName) are in the object's
references; the data view covers the sink's index with @timestamp as its
time field; every field a visualization aggregates is in the mappings of
the sink's template (tests/es/fake-es.py's PROMISED) with a type the
aggregation accepts.  Usage: check-kibana.py FILE FAKE_ES_PY
Prints the problems and exits 1 if any.
"""
import json
import runpy
import sys

AGG_TYPES = {"sum": {"long", "double"}, "avg": {"long", "double"},
             "max": {"long", "double"}, "min": {"long", "double"},
             "terms": {"keyword"}, "date_histogram": {"date"}}


def main():
    path, fake = sys.argv[1], sys.argv[2]
    mappings = runpy.run_path(fake)["PROMISED"]
    problems = []
    lines = open(path).read().split("\n")
    if lines[-1] != "":
        problems.append("no final newline")
    objs = []
    for n, line in enumerate(lines[:-1], 1):
        try:
            objs.append(json.loads(line))
        except ValueError as e:
            problems.append("line %d: not JSON: %s" % (n, e))
    if not objs:
        problems.append("empty")
        objs = [{}]
    summary = objs.pop()
    if summary.get("exportedCount") != len(objs) or \
            summary.get("missingRefCount") != 0:
        problems.append("last line is not the export summary for %d "
                        "objects" % len(objs))
    have = set()
    for o in objs:
        key = (o.get("type"), o.get("id"))
        if key in have:
            problems.append("duplicate %s %s" % key)
        have.add(key)
        if o.get("type") not in ("index-pattern", "visualization",
                                 "dashboard"):
            problems.append("unexpected type %r" % o.get("type"))
    for o in objs:
        where = "%s %s" % (o.get("type"), o.get("id"))
        refs = o.get("references")
        if not isinstance(refs, list):
            problems.append("%s: no references list" % where)
            continue
        names = set()
        for r in refs:
            names.add(r.get("name"))
            if (r.get("type"), r.get("id")) not in have:
                problems.append("%s: unresolved reference %s %s" %
                                (where, r.get("type"), r.get("id")))
        a = o.get("attributes", {})
        ss = a.get("kibanaSavedObjectMeta", {}).get("searchSourceJSON")
        if ss is not None:
            ref = json.loads(ss).get("indexRefName")
            if ref is not None and ref not in names:
                problems.append("%s: indexRefName %s not referenced" %
                                (where, ref))
        if o["type"] == "index-pattern":
            if a.get("title") != "lden*" or \
                    a.get("timeFieldName") != "@timestamp":
                problems.append("%s: not a data view of lden* by "
                                "@timestamp" % where)
        if o["type"] == "visualization":
            vis = json.loads(a["visState"])
            for agg in vis.get("aggs", []):
                field = agg.get("params", {}).get("field")
                want = AGG_TYPES.get(agg.get("type"))
                if field is None or want is None:
                    continue
                if mappings.get(field) not in want:
                    problems.append("%s: %s of %s, mapped %s" % (
                        where, agg["type"], field, mappings.get(field)))
        if o["type"] == "dashboard":
            for p in json.loads(a["panelsJSON"]):
                if p.get("panelRefName") not in names:
                    problems.append("%s: panel %s not referenced" %
                                    (where, p.get("panelRefName")))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
