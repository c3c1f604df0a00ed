// lden's dashboard: polls /api/stats and /api/series about once a second
// and draws the table and the charts itself (canvas, no library), so it
// works offline and under the server's Content-Security-Policy
// (default-src 'self': no inline script or style).
'use strict';

(function () {
  const WINDOW = 900;          // seconds kept: the longest range offered
  const PERIOD = 1000;         // ms between polls

  const state = {
    events: [],                // names, in the server's order
    info: new Map(),           // name -> latest /api/stats entry
    series: new Map(),         // name -> [{t, count_total, size_total, speed}]
    shown: new Set(),          // names of the events with charts
    auto: true,                // chosen by the page until the user chooses
    lastT: 0,                  // newest point's time
    now: 0,                    // the server's clock at the last poll
    range: 60,
    panels: new Map(),         // name -> panel element
    hover: null,               // {canvas, px}: the pointer over a chart
  };

  const $ = (id) => document.getElementById(id);

  // ---- formatting ----------------------------------------------------
  // A whole number of the API as exactly as it was sent: JSON.parse
  // rounds one past Number.MAX_SAFE_INTEGER (2^53 - 1), so the API also
  // sends such a KEY as the decimal string KEY_string, taken here.
  function exactOf(o, key) {
    const s = o[key + '_string'];
    return typeof s === 'string' && /^[0-9]+$/.test(s) ? s : o[key];
  }
  // Digits grouped by thousands: a decimal string as it is (exact); a
  // number past 2^53 - 1 may not be the one lden sent: marked '≈'.
  function group(n) {
    let s;
    if (typeof n === 'string' && /^[0-9]+$/.test(n)) {
      s = n;
    } else {
      const r = Math.round(Number(n));
      s = (Math.abs(r) > Number.MAX_SAFE_INTEGER ? '≈' : '') +
        (Number.isFinite(r) ? BigInt(r).toString() : String(r));
    }
    return s.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  }
  function bytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
    n = Number(n);
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0) : String(Math.round(n))) +
      ' ' + units[i];
  }
  function short(n) {
    const a = Math.abs(n);
    if (a >= 1e9) return (n / 1e9).toFixed(a >= 1e10 ? 0 : 1) + 'G';
    if (a >= 1e6) return (n / 1e6).toFixed(a >= 1e7 ? 0 : 1) + 'M';
    if (a >= 1e3) return (n / 1e3).toFixed(a >= 1e4 ? 0 : 1) + 'k';
    return (Math.round(n * 10) / 10).toString();
  }
  function shortBytes(n) {
    if (!n) return '0';
    const b = bytes(n);
    return b.replace(/\.0+ /, ' ');
  }
  function duration(s) {
    s = Math.max(0, Math.floor(s));
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + r + 's';
  }

  // ---- the table -----------------------------------------------------
  function cell(row, name, col, cls) {
    const td = document.createElement('td');
    td.dataset.event = name;
    td.dataset.col = col;
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  function buildTable() {
    const body = $('totals-body');
    body.textContent = '';
    for (const name of state.events) {
      const tr = document.createElement('tr');
      tr.dataset.event = name;
      const pick = cell(tr, name, 'show');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = state.shown.has(name);
      box.setAttribute('aria-label', 'chart ' + name);
      box.addEventListener('change', () => {
        if (box.checked) state.shown.add(name); else state.shown.delete(name);
        state.auto = false;
        layoutCharts();
        drawCharts();
      });
      pick.appendChild(box);
      cell(tr, name, 'event', 'ev').textContent = name;
      cell(tr, name, 'count', 'num');
      cell(tr, name, 'size', 'num');
      cell(tr, name, 'speed', 'num');
      cell(tr, name, 'lost', 'num');
      cell(tr, name, 'missed', 'num');
      cell(tr, name, 'source', 'src');
      cell(tr, name, 'mode');
      body.appendChild(tr);
    }
  }

  function setCell(name, col, text, value) {
    const td = document.querySelector(
      `#totals-body td[data-event="${CSS.escape(name)}"][data-col="${col}"]`);
    if (!td) return null;
    if (td.textContent !== text) td.textContent = text;
    if (value !== undefined) td.dataset.value = String(value);
    return td;
  }

  function fillTable() {
    for (const name of state.events) {
      const e = state.info.get(name);
      // a count known to be short is never shown as exact
      const least = e.missed > 0 ? '≥' : '';
      const count = exactOf(e, 'count_total'), size = exactOf(e, 'size_total');
      setCell(name, 'count', least + group(count), count);
      // past 2^64 - 1 bytes the total stays there, a floor: said
      const over = e.has_size && e.size_overflow === true ? 'overflow: ≥ ' : '';
      let sz;
      if (e.has_size && e.size_valid === false)
        sz = setCell(name, 'size', over + bytes(size) + ' (size stopped by the guard)', size);
      else if (e.has_size) sz = setCell(name, 'size', least + over + bytes(size), size);
      else sz = setCell(name, 'size', '—', '');
      if (sz) {
        sz.title = e.has_size ? group(size) + ' bytes' + (over ?
          ' at least: the total passed 2^64 - 1 and stays there' : '') : '';
        sz.dataset.overflow = over ? '1' : '';
      }
      // an estimated speed (no tick a second ago) is marked as notify's is
      const est = e.speed_estimated === true;
      const speed = setCell(name, 'speed', (est ? '~' : '') + short(e.speed) + '/s', e.speed);
      if (speed) {
        speed.title = est ? 'estimated: the average per second over the last ' +
          Number(e.speed_span).toFixed(3) + ' s (no tick a second ago: lden was stopped or late)' : '';
        speed.dataset.estimated = est ? '1' : '';
      }
      // the ftrace ring's drops are the same on every event in it: '*'
      // (the total up top has them once)
      const shared = e.lost_shared === true && e.lost > 0;
      const lost = setCell(name, 'lost', e.mode === 'sampling' ?
        group(exactOf(e, 'lost')) + (shared ? '*' : '') : '—', exactOf(e, 'lost'));
      lost.classList.toggle('lost-bad', e.lost > 0);
      lost.title = shared ? 'the drops of the ftrace ring, shared by the events marked *: ' +
        'not this event\'s alone, counted once in the lost records up top' : '';
      lost.dataset.shared = e.lost_shared === true ? '1' : '';
      const missed = setCell(name, 'missed', group(exactOf(e, 'missed') || 0),
        exactOf(e, 'missed') || 0);
      missed.classList.toggle('lost-bad', e.missed > 0);
      setCell(name, 'source', e.source);
      setCell(name, 'mode', e.mode);
      const tr = lost.parentElement;
      tr.classList.toggle('idle', e.count_total === 0);
    }
  }

  function setBoxes() {
    for (const box of document.querySelectorAll('#totals-body input[type=checkbox]')) {
      box.checked = state.shown.has(box.closest('tr').dataset.event);
    }
  }

  // the user chose with all, none or active
  function choose(names) {
    state.shown = new Set(names);
    state.auto = false;
    setBoxes();
    layoutCharts();
    drawCharts();
  }

  // ---- the charts ----------------------------------------------------
  function layoutCharts() {
    const root = $('charts');
    const tpl = $('chart-panel');
    for (const [name, panel] of state.panels) {
      if (!state.shown.has(name) || !state.info.has(name)) {
        panel.remove();
        state.panels.delete(name);
      }
    }
    // in the table's order
    for (const name of state.events) {
      if (!state.shown.has(name)) continue;
      let panel = state.panels.get(name);
      if (!panel) {
        panel = tpl.content.firstElementChild.cloneNode(true);
        panel.dataset.event = name;
        panel.querySelector('.panel-title').textContent = name;
        for (const c of panel.querySelectorAll('canvas')) {
          c.dataset.event = name;
          c.addEventListener('mousemove', (ev) => {
            state.hover = { canvas: c, px: ev.offsetX };
            drawCharts();
          });
          c.addEventListener('mouseleave', () => {
            state.hover = null;
            drawCharts();
          });
        }
        state.panels.set(name, panel);
      }
      root.appendChild(panel);   // moves it into place
    }
  }

  // A y axis from lo to hi in round steps (1, 2 or 5 times a power of
  // ten; of bytes, times a power of 1024 first), with the data clear of
  // the top edge.
  function scale(lo, hi, binary) {
    if (hi <= lo) hi = lo + 1;
    let raw = (hi - lo) / 3;
    let unit = 1;
    while (binary && raw >= 1024) { raw /= 1024; unit *= 1024; }
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = unit * [1, 2, 5, 10].map((m) => m * p).find((v) => v >= raw);
    const l = Math.floor(lo / step) * step;
    let h = Math.ceil(hi / step) * step;
    if (h - hi < step * 0.05) h += step;
    return { lo: l, hi: h, step };
  }

  function color(v) {
    return getComputedStyle(document.documentElement).getPropertyValue(v).trim();
  }

  // One line chart of pts[i][key] against time, x from now - range to now.
  function drawChart(canvas, pts, key, opts) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (!w || !h) return;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const g = canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    g.font = '11px system-ui, sans-serif';
    const text = color('--text'), grid = color('--grid');
    const left = 58, right = 6, top = 6, bottom = 16;
    const pw = w - left - right, ph = h - top - bottom;
    const t1 = state.now, t0 = t1 - state.range;

    const vis = pts.filter((p) => p.t >= t0 - 2 * (opts.interval || 1));
    if (opts.none) {
      g.fillStyle = text;
      g.textAlign = 'center';
      g.fillText('no size for this event', left + pw / 2, top + ph / 2);
      return;
    }
    let lo = Infinity, hi = -Infinity;
    for (const p of vis) { lo = Math.min(lo, p[key]); hi = Math.max(hi, p[key]); }
    if (!vis.length) { lo = 0; hi = 1; }
    const sc = scale(opts.zero ? 0 : lo, hi, opts.binary);
    lo = sc.lo;
    hi = sc.hi;
    const x = (t) => left + (t - t0) / (t1 - t0) * pw;
    const y = (v) => top + ph - (v - lo) / (hi - lo) * ph;

    // grid and labels
    g.strokeStyle = grid;
    g.fillStyle = text;
    g.lineWidth = 1;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (let v = lo; v <= hi + sc.step / 2; v += sc.step) {
      const yy = Math.round(y(v)) + 0.5;
      g.beginPath(); g.moveTo(left, yy); g.lineTo(left + pw, yy); g.stroke();
      g.fillText(opts.fmt(v), left - 4, yy);
    }
    g.textBaseline = 'top';
    g.textAlign = 'left';
    g.fillText(state.range % 60 ? '-' + duration(state.range) : '-' + state.range / 60 + ' min',
      left, top + ph + 3);
    g.textAlign = 'right';
    g.fillText('now', left + pw, top + ph + 3);

    if (!vis.length) return;
    g.save();
    g.beginPath();
    g.rect(left, top, pw, ph);
    g.clip();
    g.strokeStyle = color(opts.color);
    g.lineWidth = 1.5;
    g.beginPath();
    vis.forEach((p, i) => {
      if (i) g.lineTo(x(p.t), y(p[key])); else g.moveTo(x(p.t), y(p[key]));
    });
    g.stroke();
    g.restore();

    // the value under the pointer
    delete canvas.dataset.hover;
    if (!state.hover || state.hover.canvas !== canvas) return;
    let near = vis[0];
    for (const p of vis) {
      if (Math.abs(x(p.t) - state.hover.px) < Math.abs(x(near.t) - state.hover.px)) near = p;
    }
    const nx = Math.round(x(near.t)) + 0.5;
    g.strokeStyle = text;
    g.beginPath(); g.moveTo(nx, top); g.lineTo(nx, top + ph); g.stroke();
    g.fillStyle = color(opts.color);
    g.beginPath(); g.arc(nx, y(near[key]), 3, 0, 2 * Math.PI); g.fill();
    const label = new Date(near.t * 1000).toLocaleTimeString() + '  ' +
      (opts.exact || opts.fmt)(exactOf(near, key)) +
      (key === 'size_total' && near.size_overflow ? ' (overflow: at least)' : '');
    g.font = '600 11px system-ui, sans-serif';
    g.textBaseline = 'top';
    const lw = g.measureText(label).width + 6;
    const lx = nx - left > pw / 2 ? nx - 4 - lw : nx + 4;
    g.fillStyle = color('--panel');
    g.fillRect(lx, top, lw, 15);
    g.textAlign = 'left';
    g.fillStyle = color('--fg');
    g.fillText(label, lx + 3, top + 2);
    canvas.dataset.hover = label;
  }

  function drawCharts() {
    const interval = state.interval;
    $('charts').dataset.range = String(state.range);
    for (const [name, panel] of state.panels) {
      const pts = state.series.get(name) || [];
      const e = state.info.get(name);
      for (const c of panel.querySelectorAll('canvas')) {
        const kind = c.dataset.chart;
        if (kind === 'count') {
          drawChart(c, pts, 'count_total',
            { fmt: short, exact: group, color: '--count', interval });
        } else if (kind === 'size') {
          drawChart(c, pts, 'size_total',
            { fmt: shortBytes, exact: bytes, color: '--size', interval, binary: true,
              none: e && !e.has_size });
        } else {
          drawChart(c, pts, 'speed', { fmt: short, exact: (v) => short(v) + '/s',
            color: '--speed', zero: true, interval });
        }
      }
    }
  }

  // ---- polling -------------------------------------------------------
  function status(st, text) {
    const p = $('status');
    p.dataset.state = st;
    p.textContent = text;
  }

  async function getJSON(url) {
    const r = await fetch(url, { cache: 'no-store' });
    if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
    return r.json();
  }

  function takeStats(s) {
    $('host').textContent = s.host;
    $('uptime').textContent = duration(s.now - s.start);
    $('interval').textContent = s.interval + ' s';
    const lost = $('lost-total');
    lost.textContent = group(exactOf(s, 'lost_total'));
    lost.dataset.value = String(exactOf(s, 'lost_total'));
    lost.classList.toggle('bad', s.lost_total > 0);
    const missed = $('missed-total');
    missed.textContent = group(exactOf(s, 'missed_total') || 0);
    missed.dataset.value = String(exactOf(s, 'missed_total') || 0);
    missed.classList.toggle('bad', s.missed_total > 0);
    state.interval = s.interval;

    const names = s.events.map((e) => e.event);
    const changed = names.join('\n') !== state.events.join('\n');
    state.info = new Map(s.events.map((e) => [e.event, e]));
    let more = false;
    if (state.auto) {
      // every event when there are few, else the first busy ones
      for (const e of s.events) {
        if (state.shown.size >= 8) break;
        if ((names.length <= 6 || e.count_total > 0) && !state.shown.has(e.event)) {
          state.shown.add(e.event);
          more = true;
        }
      }
    }
    if (changed) {
      state.events = names;
      buildTable();
    }
    if (changed || more) {
      setBoxes();
      layoutCharts();
    }
    fillTable();
  }

  function takeSeries(s) {
    for (const p of s.points) {
      let a = state.series.get(p.event);
      if (!a) { a = []; state.series.set(p.event, a); }
      a.push({ t: p.t, count_total: p.count_total, size_total: p.size_total,
        speed: p.speed, count_total_string: p.count_total_string,
        size_total_string: p.size_total_string, size_overflow: p.size_overflow === true });
      if (p.t > state.lastT) state.lastT = p.t;
    }
    state.now = s.now;
    const oldest = s.now - WINDOW;
    for (const a of state.series.values()) {
      let i = 0;
      while (i < a.length && a[i].t < oldest) i++;
      if (i) a.splice(0, i);
    }
  }

  async function poll() {
    try {
      let [stats, series] = await Promise.all([
        getJSON('/api/stats'),
        getJSON('/api/series?step=1&since=' + state.lastT),
      ]);
      if (state.start !== undefined && stats.start !== state.start) {
        // another lden answers now: its history from the start
        state.series.clear();
        state.lastT = 0;
        series = await getJSON('/api/series?step=1&since=0');
      }
      state.start = stats.start;
      takeSeries(series);
      takeStats(stats);
      drawCharts();
      status('live', 'live, updated ' + new Date(series.now * 1000).toLocaleTimeString());
    } catch (err) {
      status('down', 'lden is not answering (' + err.message + ')');
    }
    setTimeout(poll, PERIOD);
  }

  // ---- the live flame graph of a running lden io ---------------------
  // Shown when an `lden io --flamegraph` runs on this host (it publishes
  // its stacks every second); redrawn when they change, unless the user
  // has zoomed into it or searched it.
  const flame = { pid: 0, updated: 0, api: null };

  async function pollFlame() {
    try {
      const list = (await getJSON('/api/flamegraphs')).graphs;
      const section = $('flame');
      section.hidden = list.length === 0;
      const pick = $('flame-pick');
      const pids = list.map((g) => String(g.pid));
      if (pids.join() !== Array.from(pick.options, (o) => o.value).join()) {
        pick.textContent = '';
        for (const g of list) {
          const o = document.createElement('option');
          o.value = String(g.pid);
          o.textContent = 'pid ' + g.pid;
          pick.appendChild(o);
        }
      }
      if (!pids.includes(String(flame.pid))) {
        flame.pid = list.length ? list[0].pid : 0;
        flame.updated = 0;
      }
      pick.value = String(flame.pid);
      const g = list.find((x) => x.pid === flame.pid);
      if (!g) return;
      const busy = flame.api && (flame.api.state.zoom || flame.api.state.term);
      const when = new Date(g.updated * 1000).toLocaleTimeString();
      if (g.updated !== flame.updated && !busy) {
        const r = await fetch('/flamegraph.svg?pid=' + g.pid, { cache: 'no-store' });
        if (!r.ok) throw new Error('flame graph: HTTP ' + r.status);
        const doc = new DOMParser().parseFromString(await r.text(), 'image/svg+xml');
        const svg = document.importNode(doc.documentElement, true);
        if (svg.localName !== 'svg') throw new Error('flame graph: not an SVG');
        const box = $('flame-graph');
        box.textContent = '';
        box.appendChild(svg);
        flame.api = window.ldenFlame(svg);
        flame.updated = g.updated;
        svg.setAttribute('data-pid', String(g.pid));
      }
      $('flame-state').textContent = 'pid ' + g.pid + ', stacks of ' + when +
        (busy ? '; not redrawn while zoomed or searched (Reset)' : '');
    } catch (err) {
      $('flame-state').textContent = 'flame graph: ' + err.message;
    } finally {
      setTimeout(pollFlame, 2 * PERIOD);
    }
  }

  // ---- the rules of lden watch -----------------------------------------
  // Shown when the server is an `lden watch` (it answers /api/rules): each
  // rule's state, since when, how often it fired and its values now; the
  // rule named in the address (#rule=NAME, an alert's generatorURL) is
  // marked.
  async function pollRules() {
    try {
      const r = await fetch('/api/rules', { cache: 'no-store' });
      if (r.status === 204) return;	// lden visualize: no rules, no more asking
      if (r.ok) {
        const data = await r.json();
        const body = $('rules-body');
        const want = decodeURIComponent((location.hash.match(/rule=([^&]*)/) || [])[1] || '');
        body.textContent = '';
        for (const rule of data.rules) {
          const tr = document.createElement('tr');
          tr.dataset.rule = rule.name;
          tr.dataset.state = rule.state;
          if (rule.name === want) tr.classList.add('chosen');
          const values = rule.values.map((v) => v.name + ' ' + group(v.count) +
            ' (' + short(v.speed) + '/s)').join(', ');
          for (const [text, cls] of [[rule.name, ''], [rule.state, 'state'],
            [duration(data.elapsed - rule.since), 'num'], [group(rule.fired), 'num'],
            [rule.expression + (rule.for ? ' for ' + rule.for + ' s' : ''), ''],
            [values, '']]) {
            const td = document.createElement('td');
            td.textContent = text;
            if (cls) td.className = cls;
            tr.appendChild(td);
          }
          if (rule.describe) tr.title = rule.describe;
          body.appendChild(tr);
        }
        $('rules').hidden = false;
      }
    } catch (err) {
      // the main poll says when lden does not answer
    }
    setTimeout(pollRules, PERIOD);
  }

  function init() {
    const checked = document.querySelector('#range input:checked');
    if (checked) state.range = Number(checked.value);
    for (const r of document.querySelectorAll('#range input')) {
      r.addEventListener('change', () => {
        state.range = Number(r.value);
        drawCharts();
      });
    }
    $('show-all').addEventListener('click', () => choose(state.events));
    $('show-none').addEventListener('click', () => choose([]));
    $('show-active').addEventListener('click', () =>
      choose(state.events.filter((n) => state.info.get(n).count_total > 0)));
    window.addEventListener('resize', drawCharts);
    $('flame-pick').addEventListener('change', () => {
      flame.pid = Number($('flame-pick').value);
      flame.updated = 0;
      flame.api = null;
    });
    poll();
    pollFlame();
    pollRules();
  }

  // outside a browser (node, for the tests): the formatting only
  if (typeof document === 'undefined') {
    if (typeof module !== 'undefined') module.exports = { exactOf, group, bytes, short };
    return;
  }
  document.addEventListener('DOMContentLoaded', init);
})();
