#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Drive lden's dashboard in a real headless Chromium over the WebDriver
protocol (chromedriver, python3 standard library only).

    webdriver.py URL EVENT MORE_FIFO SCREENSHOT [WANT]

Loads URL, waits until the rendered count cell of EVENT is above 0,
writes a line to MORE_FIFO (the test's workload then forks more), waits
until the rendered count has grown (to WANT, when given), checks the
charts were drawn, that the event's checkbox removes and restores them,
that the range buttons redraw them, that the pointer over a chart shows a
value, and that the page logged no error (a Content-Security-Policy
violation would be one); saves a screenshot and prints "first=N",
"grown=M".  Every wait is bounded.  Exit 0 on success, 1 on a failed check, 77 when chromium or
chromedriver is absent, 99 when the browser cannot be driven at all.
"""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

CHROMIUM = os.environ.get("LDEN_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("LDEN_CHROMEDRIVER", "/usr/bin/chromedriver")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
WAIT = 30  # seconds, for each condition


class Broken(Exception):
    """The browser could not be driven (not a failed check)."""


class Failed(Exception):
    """A check on the page failed."""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Driver:
    def __init__(self, port):
        self.base = "http://127.0.0.1:%d" % port
        self.sid = None

    def call(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.load(r)["value"]
        except urllib.error.HTTPError as e:
            text = e.read().decode(errors="replace")
            try:
                v = json.loads(text)["value"]
                text = "%s: %s" % (v.get("error"), v.get("message", "").splitlines()[0])
            except (ValueError, KeyError, AttributeError, IndexError):
                pass
            raise Broken("%s %s: HTTP %d: %s" % (method, path, e.code, text))

    def s(self, method, path, body=None):
        return self.call(method, "/session/%s%s" % (self.sid, path), body)

    def new_session(self, profile):
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--window-size=1280,1400", "--user-data-dir=" + profile]
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"},
        }}}
        v = self.call("POST", "/session", caps, timeout=120)
        self.sid = v["sessionId"]

    def cell_text(self, selector):
        """The rendered text of the first element matching, or None."""
        try:
            el = self.s("POST", "/element", {"using": "css selector", "value": selector})
            return self.s("GET", "/element/%s/text" % el[ELEMENT])
        except Broken as e:
            if "no such element" in str(e) or "stale element" in str(e):
                return None
            raise

    def script(self, source, *args):
        return self.s("POST", "/execute/sync", {"script": source, "args": list(args)})


def number(text):
    """The integer a rendered cell shows ("1 234" with a thin space)."""
    if text is None:
        return None
    digits = "".join(c for c in text if c.isdigit())
    return int(digits) if digits else None


def wait_until(what, fn, exc=Failed):
    deadline = time.monotonic() + WAIT
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise exc("waited %d s for %s" % (WAIT, what))
        time.sleep(0.2)


# How many pixels of the event's chart CANVAS are drawn in its line colour
# family (anything not background): 0 means the chart is empty.
CANVAS_INK = """
const c = document.querySelector(
  'canvas[data-event="' + arguments[0] + '"][data-chart="' + arguments[1] + '"]');
if (!c || !c.width) return -1;
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
const want = getComputedStyle(document.documentElement)
  .getPropertyValue(arguments[2]).trim();
const probe = document.createElement('canvas').getContext('2d');
probe.fillStyle = want; probe.fillRect(0, 0, 1, 1);
const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
let n = 0;
for (let i = 0; i < d.length; i += 4)
  if (d[i + 3] > 128 && Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 &&
      Math.abs(d[i + 2] - b) < 40) n++;
return n;
"""


def check_page(drv, url, event, more_fifo, shot, want):
    drv.s("POST", "/url", {"url": url})
    title = drv.s("GET", "/title")
    if title != "lden":
        raise Failed("page title %r, want 'lden'" % title)
    sel = 'td[data-event="%s"][data-col="count"]' % event

    first = wait_until("a %s count above 0" % event,
                       lambda: (number(drv.cell_text(sel)) or 0) > 0 and
                       number(drv.cell_text(sel)))
    print("first=%d" % first, flush=True)

    with open(more_fifo, "w") as f:      # the workload forks more
        f.write("more\n")
    grown = wait_until("the %s count to grow past %d" % (event, first),
                       lambda: (number(drv.cell_text(sel)) or 0) > first and
                       number(drv.cell_text(sel)))
    if want is not None:
        grown = wait_until("the %s count to reach %d" % (event, want),
                           lambda: number(drv.cell_text(sel)) == want and want)
    print("grown=%d" % grown, flush=True)

    host = drv.cell_text("#host")
    if not host or host == "…":
        raise Failed("no host shown")
    state = drv.script("return document.getElementById('status').dataset.state")
    if state != "live":
        raise Failed("status is %r, want 'live'" % state)
    mode = drv.cell_text('td[data-event="%s"][data-col="mode"]' % event)
    source = drv.cell_text('td[data-event="%s"][data-col="source"]' % event)
    if mode not in ("counting", "sampling") or not source:
        raise Failed("mode %r, source %r" % (mode, source))
    for chart, colour in (("count", "--count"), ("speed", "--speed")):
        ink = wait_until("the %s chart of %s to be drawn" % (chart, event),
                         lambda: drv.script(CANVAS_INK, event, chart, colour) > 0 and
                         drv.script(CANVAS_INK, event, chart, colour))
        print("%s-chart-pixels=%d" % (chart, ink), flush=True)

    # the event's checkbox takes its charts away and brings them back
    panel = "return !!document.querySelector('#charts .panel[data-event=\"%s\"]')" % event
    box = drv.s("POST", "/element", {"using": "css selector", "value":
                'td[data-event="%s"][data-col="show"] input' % event})[ELEMENT]
    for want_panel in (False, True):
        drv.s("POST", "/element/%s/click" % box, {})
        if drv.script(panel) != want_panel:
            raise Failed("the checkbox of %s: charts %s" %
                         (event, "still there" if not want_panel else "not back"))

    # the range buttons redraw the charts over the range chosen
    for seconds in ("900", "60"):
        drv.script("document.querySelector('#range input[value=\"%s\"]').click()" % seconds)
        got = drv.script("return document.getElementById('charts').dataset.range")
        if got != seconds:
            raise Failed("charts drawn over %r s after choosing %s s" % (got, seconds))

    # the pointer over the count chart: its value and time drawn there
    canvas = drv.s("POST", "/element", {"using": "css selector", "value":
                   'canvas[data-event="%s"][data-chart="count"]' % event})[ELEMENT]
    drv.s("POST", "/actions", {"actions": [{
        "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
        "actions": [{"type": "pointerMove", "origin": {ELEMENT: canvas},
                     "x": 60, "y": 0, "duration": 0}]}]})
    hover = wait_until("the count chart to show the value under the pointer",
                       lambda: drv.script("return arguments[0].dataset.hover",
                                          {ELEMENT: canvas}))
    shown = number(hover.split("  ")[-1])
    if shown is None or shown > grown:
        raise Failed("the pointer shows %r, not a count up to %d" % (hover, grown))
    print("hover=%s" % hover.replace("\u202f", " "), flush=True)

    png = base64.b64decode(drv.s("GET", "/screenshot"))
    with open(shot, "wb") as f:
        f.write(png)

    errors = [e for e in drv.s("POST", "/se/log", {"type": "browser"})
              if e.get("level") == "SEVERE"]
    if errors:
        raise Failed("the page logged errors: %s" %
                     "; ".join(e["message"] for e in errors))
    return first, grown


def drive(fn):
    """Starts chromedriver and a headless Chromium session, calls
    fn(drv), and stops them.  Returns 0, 1 when fn raised Failed, 77 when
    chromium or chromedriver is absent, 99 when the browser cannot be
    driven at all."""
    for prog in (CHROMIUM, CHROMEDRIVER):
        if not os.access(prog, os.X_OK):
            print("SKIP: no %s" % prog)
            return 77
    profile = tempfile.mkdtemp(prefix="lden-chromium-")
    port = free_port()
    log = open(os.path.join(profile, "chromedriver.log"), "w+")
    cd = subprocess.Popen([CHROMEDRIVER, "--port=%d" % port], stdout=log,
                          stderr=subprocess.STDOUT)
    drv = Driver(port)
    rc = 0
    try:
        wait_until("chromedriver to answer", lambda: ready(drv), Broken)
        drv.new_session(profile)
        fn(drv)
    except Failed as e:
        print("FAIL: %s" % e)
        rc = 1
    except (Broken, OSError, ValueError, KeyError) as e:
        print("BROKEN: cannot drive chromium: %s" % e)
        log.seek(0)
        sys.stdout.write(log.read()[-2000:])
        rc = 99
    finally:
        if drv.sid:
            try:
                drv.call("DELETE", "/session/" + drv.sid, timeout=30)
            except (Broken, OSError):
                pass
        cd.send_signal(signal.SIGTERM)
        try:
            cd.wait(timeout=10)
        except subprocess.TimeoutExpired:
            cd.kill()
            cd.wait()
        log.close()
        shutil.rmtree(profile, ignore_errors=True)
    return rc


def main():
    if len(sys.argv) not in (5, 6):
        print("usage: webdriver.py URL EVENT MORE_FIFO SCREENSHOT [WANT]",
              file=sys.stderr)
        return 2
    url, event, more_fifo, shot = sys.argv[1:5]
    want = int(sys.argv[5]) if len(sys.argv) == 6 else None
    return drive(lambda drv: check_page(drv, url, event, more_fifo, shot, want))


def ready(drv):
    try:
        return drv.call("GET", "/status", timeout=2).get("ready")
    except (Broken, OSError):
        return False


if __name__ == "__main__":
    sys.exit(main())
