#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An lden flame graph in a real headless Chromium (webdriver.py's driver).

    flame-browser.py file SVG FRAME TERM SCREENSHOT
    flame-browser.py dashboard URL PID FRAME SCREENSHOT

file: opens the SVG file itself; its embedded script runs; every frame is
drawn; the pointer over FRAME (a frame's name, as bytes: lden shows those
that are not UTF-8 as \\xNN) names it with its value
and share; a click zooms into it (it spans the whole width, frames
outside it are hidden); Search (a real prompt, answered with TERM)
colours the frames that match and gives the share they cover, as this
script computes it from the file; Reset undoes both.

dashboard: opens lden's dashboard at URL; its flame graph section shows
the live graph of lden io PID, with FRAME in it, which the pointer names
and a click zooms into.

Both: the page logs no error (a Content-Security-Policy violation would
be one), and a screenshot is saved.  Prints what it saw; exit 0, 1 on a
failed check, 77 without chromium, 99 when it cannot be driven.
"""

import base64
import importlib
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import ELEMENT, Failed, drive, wait_until  # noqa: E402
display = importlib.import_module("flame-check").display

SVG = "{http://www.w3.org/2000/svg}"

# The <rect> of the frame named arguments[0] under arguments[1] (a CSS
# selector of the svg), as an element reference, or null.
FIND = """
const svg = document.querySelector(arguments[1]);
if (!svg) return null;
for (const g of svg.querySelectorAll('g[data-v]'))
  if (g.querySelector('title').textContent.split('\\n')[0] === arguments[0])
    return g.querySelector('rect');
return null;
"""

# What is drawn: frames, frames shown, the root's rendered width.
DRAWN = """
const svg = document.querySelector(arguments[0]);
const gs = Array.from(svg.querySelectorAll('g[data-v]'));
return {frames: gs.length,
        shown: gs.filter((g) => g.getAttribute('display') !== 'none').length,
        root: gs[0].querySelector('rect').getBoundingClientRect().width,
        details: svg.querySelector('[id="details"]').textContent,
        zoom: svg.getAttribute('data-zoom') || '',
        matched: svg.getAttribute('data-matched') || '',
        reset: svg.querySelector('[id="reset"]').getAttribute('visibility')};
"""


def frame_rect(drv, name, where):
    el = drv.script(FIND, name, where)
    if not el:
        raise Failed("no frame %r in %s" % (name, where))
    return el


def attr(drv, el, name):
    return drv.script("return arguments[0].getAttribute(arguments[1])", el, name)


def hover(drv, el, where, name):
    drv.s("POST", "/actions", {"actions": [{
        "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
        "actions": [{"type": "pointerMove", "origin": el, "x": 0, "y": 0,
                     "duration": 0}]}]})
    shown = wait_until("the details line to name %r" % name,
                       lambda: drv.script(DRAWN, where)["details"].startswith(name + "  ") and
                       drv.script(DRAWN, where)["details"])
    print("hover=%s" % shown, flush=True)
    return shown


def zoom_into(drv, el, where, name):
    drv.s("POST", "/element/%s/click" % el[ELEMENT], {})
    d = wait_until("the zoom into %r" % name,
                   lambda: drv.script(DRAWN, where)["zoom"] == name and drv.script(DRAWN, where))
    x, w = attr(drv, el, "x"), attr(drv, el, "width")
    if (x, w) != ("10.00", "1180.00"):
        raise Failed("zoomed into %r: x %s width %s, want 10.00 and 1180.00" % (name, x, w))
    if d["reset"] != "visible":
        raise Failed("no Reset while zoomed")
    print("zoom=%s shown=%d of %d" % (name, d["shown"], d["frames"]), flush=True)
    return d


def no_errors(drv):
    errors = [e for e in drv.s("POST", "/se/log", {"type": "browser"})
              if e.get("level") == "SEVERE"]
    if errors:
        raise Failed("the page logged errors: %s" %
                     "; ".join(e["message"] for e in errors))


def screenshot(drv, path):
    with open(path, "wb") as f:
        f.write(base64.b64decode(drv.s("GET", "/screenshot")))


def file_frames(path):
    """The frames of the file as (name, start, value, depth)."""
    out = []
    for g in ET.parse(path).getroot().iter(SVG + "g"):
        if g.get("data-v") is not None:
            out.append((g.find(SVG + "title").text.split("\n")[0],
                        int(g.get("data-s")), int(g.get("data-v")), int(g.get("data-d"))))
    return out


def share(frames, term):
    """The share the frames matching TERM cover, nested ones counted once."""
    total = frames[0][2]
    spans = sorted((s, s + v) for name, s, v, _ in frames if re.search(term, name))
    covered, end = 0, -1
    for a, b in spans:
        if a >= end:
            covered, end = covered + b - a, b
        elif b > end:
            covered, end = covered + b - end, b
    return "%.2f" % (covered / total * 100)


def check_file(drv, path, name, term, shot):
    frames = file_frames(path)
    where = "svg"
    drv.s("POST", "/url", {"url": "file://" + os.path.abspath(path)})
    wait_until("the embedded script to run",
               lambda: drv.script("return !!document.documentElement.ldenFlame"))
    d = drv.script(DRAWN, where)
    if d["frames"] != len(frames) or d["shown"] != len(frames):
        raise Failed("%d frames drawn, %d shown; the file has %d" %
                     (d["frames"], d["shown"], len(frames)))
    if not 1100 < d["root"] < 1300:
        raise Failed("the root frame is drawn %.1f px wide" % d["root"])
    print("frames=%d root-px=%.1f" % (d["frames"], d["root"]), flush=True)

    el = frame_rect(drv, name, where)
    before = (attr(drv, el, "x"), attr(drv, el, "width"))
    hover(drv, el, where, name)
    target = [f for f in frames if f[0] == name][0]
    d = zoom_into(drv, el, where, name)
    # shown: the frame, what lies inside it, and the frames below it
    inside = [f for f in frames if (f[3] >= target[3] and f[1] >= target[1] and
                                    f[1] + f[2] <= target[1] + target[2]) or
              (f[3] < target[3] and f[1] <= target[1] and f[1] + f[2] >= target[1] + target[2])]
    if d["shown"] != len(inside):
        raise Failed("zoomed: %d frames shown, want %d" % (d["shown"], len(inside)))

    # Search: a real prompt, answered
    search = drv.s("POST", "/element", {"using": "css selector", "value": '[id="search"]'})
    drv.s("POST", "/element/%s/click" % search[ELEMENT], {})
    drv.s("POST", "/alert/text", {"text": term})
    drv.s("POST", "/alert/accept", {})
    want = share(frames, term)
    got = wait_until("the search for %r" % term,
                     lambda: drv.script(DRAWN, where)["matched"])
    if got != want:
        raise Failed("search %r: matched %s%%, the file's frames give %s%%" % (term, got, want))
    magenta = drv.script("return Array.from(document.querySelectorAll('g[data-v] rect'))"
                         ".filter((r) => r.getAttribute('fill') === '#e600e6').length")
    if magenta != len([f for f in frames if re.search(term, f[0])]):
        raise Failed("search %r: %d frames coloured" % (term, magenta))
    print("search=%s matched=%s%% frames=%d" % (term, got, magenta), flush=True)
    screenshot(drv, shot)

    reset = drv.s("POST", "/element", {"using": "css selector", "value": '[id="reset"]'})
    drv.s("POST", "/element/%s/click" % reset[ELEMENT], {})
    d = wait_until("Reset", lambda: not drv.script(DRAWN, where)["zoom"] and drv.script(DRAWN, where))
    after = (attr(drv, el, "x"), attr(drv, el, "width"))
    if d["shown"] != len(frames) or d["matched"] or after != before or d["reset"] != "hidden":
        raise Failed("after Reset: %d shown, matched %r, frame at %s, was %s" %
                     (d["shown"], d["matched"], after, before))
    print("reset=ok", flush=True)
    no_errors(drv)


def check_dashboard(drv, url, pid, name, shot):
    where = '#flame-graph svg[data-pid="%s"]' % pid
    drv.s("POST", "/url", {"url": url})
    wait_until("the dashboard to show lden io %s's flame graph" % pid,
               lambda: drv.script("return !document.getElementById('flame').hidden && "
                                  "!!document.querySelector(arguments[0] + ' g[data-v]')", where))
    el = wait_until("the frame %r" % name, lambda: drv.script(FIND, name, where))
    d = drv.script(DRAWN, where)
    print("dashboard frames=%d root-px=%.1f" % (d["frames"], d["root"]), flush=True)
    if d["root"] < 300:
        raise Failed("the root frame is drawn %.1f px wide" % d["root"])
    hover(drv, el, where, name)
    zoom_into(drv, el, where, name)
    state = wait_until("the state line to say it waits",
                       lambda: "not redrawn" in drv.script(
                           "return document.getElementById('flame-state').textContent") and
                       drv.script("return document.getElementById('flame-state').textContent"))
    print("state=%s" % state, flush=True)
    screenshot(drv, shot)
    no_errors(drv)


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "file":
        svg, name, term, shot = sys.argv[2:6]
        return drive(lambda drv: check_file(drv, svg, display(os.fsencode(name)),
                                            term, shot))
    if len(sys.argv) == 6 and sys.argv[1] == "dashboard":
        url, pid, name, shot = sys.argv[2:6]
        return drive(lambda drv: check_dashboard(drv, url, pid,
                                                 display(os.fsencode(name)), shot))
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
