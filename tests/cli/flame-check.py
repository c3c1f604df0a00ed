#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check an SVG flame graph of lden against the folded stacks it drew.

    flame-check.py SVG FOLDED [script|noscript]

The SVG must parse as XML; its total (data-total) and its root frame must
be the sum of the folded values; it must have exactly one frame per stack
prefix, each with the value the folded lines give it, children
contiguous from their parent's start; every frame's width must be
pos(start + value) - pos(start), pos rounded to 1/100 px over the 1180 px
of frames, so that the widths of each level add up to the total's; no
label wider than its frame; nothing fetched from elsewhere, nothing
styled or scripted inline but the one embedded script (or none).  Prints
what it checked; exit 0, or 1 with the first difference.
"""

import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
WIDTH = 1180
MARGIN = 10
CHAR_W = 7.2


class Failed(Exception):
    pass


def display(raw):
    """A frame name as lden shows it: bytes that are not UTF-8, and
    control characters, as \\xNN."""
    text = raw.decode("utf-8", errors="backslashreplace")
    return "".join("\\x%02x" % ord(c) if ord(c) < 0x20 or ord(c) == 0x7f else c
                   for c in text)


def read_folded(path):
    stacks = []
    with open(path, "rb") as f:
        for line in f:
            line = line.rstrip(b"\n")
            if not line or line.startswith(b"#"):
                continue
            stack, _, value = line.rpartition(b" ")
            stacks.append(([display(x) for x in stack.split(b";")], int(value)))
    return stacks


def pos(v, total):
    """Hundredths of a px, rounded half up, as lden computes them."""
    return (v * WIDTH * 100 + total // 2) // total if total else 0


def hundredths(text):
    whole, _, frac = text.partition(".")
    if len(frac) != 2 or not whole.isdigit() or not frac.isdigit():
        raise Failed("position %r is not a number with two decimals" % text)
    return int(whole) * 100 + int(frac)


def check(svg_path, folded_path, script):
    stacks = read_folded(folded_path)
    total = sum(v for _, v in stacks)
    root = ET.parse(svg_path).getroot()          # raises on bad XML
    if root.tag != SVG + "svg":
        raise Failed("root element %r" % root.tag)
    if int(root.get("data-total")) != total:
        raise Failed("data-total %s, the folded values sum to %d" %
                     (root.get("data-total"), total))

    # what the folded lines say: the value and start of every prefix
    want = {(): total}
    for frames, value in stacks:
        for d in range(1, len(frames) + 1):
            want[tuple(frames[:d])] = want.get(tuple(frames[:d]), 0) + value

    frames = []
    for g in root.iter(SVG + "g"):
        if g.get("data-v") is None:
            continue
        title = g.find(SVG + "title").text.split("\n")
        rect = g.find(SVG + "rect")
        frames.append({"name": title[0], "info": title[1],
                       "s": int(g.get("data-s")), "v": int(g.get("data-v")),
                       "d": int(g.get("data-d")),
                       "x": hundredths(rect.get("x")),
                       "w": hundredths(rect.get("width")),
                       "text": g.find(SVG + "text")})
    if not frames or frames[0]["name"] != "all" or frames[0]["d"] != 0:
        raise Failed("the first frame is not the root 'all'")

    # each frame's path: the frames of lower depth that hold it
    path = []
    seen = {}
    level_width = {}
    for f in frames:
        path = path[:f["d"]]
        if f["d"]:
            parent = path[-1]
            if not (parent["s"] <= f["s"] and f["s"] + f["v"] <= parent["s"] + parent["v"]):
                raise Failed("%r lies outside its parent %r" % (f["name"], parent["name"]))
            if f["s"] != parent["s"] + parent["filled"]:
                raise Failed("%r starts at %d, not where its parent's children so far end (%d)" %
                             (f["name"], f["s"], parent["s"] + parent["filled"]))
            parent["filled"] += f["v"]
        f["filled"] = 0
        path.append(f)
        key = tuple(p["name"] for p in path[1:])
        if key in seen:
            raise Failed("frame %r drawn twice" % ";".join(key))
        seen[key] = f
        if want.get(key) != f["v"]:
            raise Failed("frame %r: value %d, the folded stacks give %s" %
                         (";".join(key) or "all", f["v"], want.get(key)))
        if f["x"] != MARGIN * 100 + pos(f["s"], total) or \
           f["w"] != pos(f["s"] + f["v"], total) - pos(f["s"], total):
            raise Failed("frame %r: x %d w %d (hundredths), want x %d w %d" %
                         (";".join(key), f["x"], f["w"], MARGIN * 100 + pos(f["s"], total),
                          pos(f["s"] + f["v"], total) - pos(f["s"], total)))
        if f["text"] is not None and f["text"].text and \
           len(f["text"].text) * CHAR_W + 6 > f["w"] / 100 + 0.001:
            raise Failed("frame %r: label %r wider than the frame" % (";".join(key), f["text"].text))
        level_width[f["d"]] = level_width.get(f["d"], 0) + f["w"]
    missing = set(want) - set(seen)
    if missing:
        raise Failed("no frame for %s" % ", ".join(";".join(k) for k in sorted(missing)))

    # the widths of each level add up to the share of the stacks that deep
    for d, w in sorted(level_width.items()):
        deep = sum(v for frames_, v in stacks if len(frames_) >= d)
        if deep == total and w != WIDTH * 100:
            raise Failed("level %d: widths add up to %d.%02d px, want %d.00" %
                         (d, w // 100, w % 100, WIDTH))

    # self-contained: nothing from elsewhere, nothing inline but the script
    text = open(svg_path, encoding="utf-8").read()
    if re.search(r"\b(href|src)\s*=", text) or re.search(r"\bstyle\s*=|<style|\son[a-z]+\s*=", text):
        raise Failed("a reference, an inline style or an inline handler")
    if re.search(r"https?://", text.replace('xmlns="http://www.w3.org/2000/svg"', "")):
        raise Failed("a URL of elsewhere")
    scripts = list(root.iter(SVG + "script"))
    if script and (len(scripts) != 1 or "function ldenFlame" not in scripts[0].text):
        raise Failed("no embedded flame.js")
    if not script and scripts:
        raise Failed("a script where none belongs")
    print("frames=%d total=%d levels=%d unit=%s" %
          (len(frames), total, len(level_width), root.get("data-unit")))
    return seen


def main():
    if len(sys.argv) not in (3, 4):
        print("usage: flame-check.py SVG FOLDED [script|noscript]", file=sys.stderr)
        return 2
    script = len(sys.argv) == 3 or sys.argv[3] == "script"
    try:
        check(sys.argv[1], sys.argv[2], script)
    except (Failed, ET.ParseError, OSError, ValueError, AttributeError) as e:
        print("FAIL: %s: %s" % (sys.argv[1], e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
