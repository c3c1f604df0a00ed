// lden's flame graphs, made interactive: the frame under the pointer and
// its share, click to zoom into a frame, search by regular expression
// (Search, or Ctrl-F or '/' in a file of its own), Reset (or Escape).
// lden io embeds this file in the SVG files it writes (then calls
// ldenFlame(document.documentElement)); the dashboard loads it and calls
// ldenFlame(svg) on the flame graph it inserts.  No library, nothing
// fetched, no inline style: it only sets attributes.
'use strict';

function ldenFlame(svg) {
  const CHAR_W = 7.2;
  const x0 = +svg.getAttribute('data-x0');
  const width = +svg.getAttribute('data-w');
  const total = +svg.getAttribute('data-total');
  const unit = svg.getAttribute('data-unit');
  const byId = (id) => svg.querySelector('[id="' + id + '"]');
  const details = byId('details');
  const matched = byId('matched');
  const reset = byId('reset');
  const frames = Array.from(svg.querySelectorAll('g[data-v]')).map((g) => {
    const title = g.querySelector('title').textContent.split('\n');
    return {
      g: g,
      rect: g.querySelector('rect'),
      name: title[0],
      info: title[1] || '',
      s: +g.getAttribute('data-s'),
      v: +g.getAttribute('data-v'),
      d: +g.getAttribute('data-d'),
      fill: g.querySelector('rect').getAttribute('fill'),
    };
  });
  const state = { zoom: null, term: null, share: 0 };

  function label(f, w) {
    const chars = Math.floor((w - 6) / CHAR_W);
    let t = f.g.querySelector('text');
    if (chars < 3) {
      if (t) t.textContent = '';
      return;
    }
    if (!t) {
      t = svg.ownerDocument.createElementNS(svg.namespaceURI, 'text');
      f.g.appendChild(t);
    }
    t.setAttribute('x', (+f.rect.getAttribute('x') + 3).toFixed(2));
    t.setAttribute('y', +f.rect.getAttribute('y') + +f.rect.getAttribute('height') - 3);
    t.textContent = f.name.length <= chars ? f.name : f.name.slice(0, chars - 2) + '..';
  }

  // The frames inside [s, s + v) from depth d up, spread over the width;
  // the frames below it (its ancestors) across the whole width, faded.
  function layout(s, v, d) {
    for (const f of frames) {
      const inside = f.s >= s && f.s + f.v <= s + v && f.d >= d;
      const below = f.d < d && f.s <= s && f.s + f.v >= s + v;
      if (!inside && !below) {
        f.g.setAttribute('display', 'none');
        continue;
      }
      f.g.removeAttribute('display');
      const x = inside ? x0 + (f.s - s) / v * width : x0;
      const w = inside ? f.v / v * width : width;
      f.rect.setAttribute('x', x.toFixed(2));
      f.rect.setAttribute('width', w.toFixed(2));
      if (below) f.g.setAttribute('opacity', '0.5'); else f.g.removeAttribute('opacity');
      label(f, w);
    }
  }

  function showReset() {
    reset.setAttribute('visibility', state.zoom || state.term ? 'visible' : 'hidden');
  }

  function zoom(f) {
    state.zoom = f.d ? f : null;
    if (state.zoom) layout(f.s, f.v, f.d); else layout(0, total, 0);
    svg.setAttribute('data-zoom', state.zoom ? f.name : '');
    showReset();
  }

  function search(term) {
    let re = null;
    if (term) {
      try { re = new RegExp(term); } catch (e) { re = null; }
      if (!re) re = { test: (name) => name.indexOf(term) >= 0 };
    }
    // the share: the union of the matched frames' spans, nested ones once
    const spans = [];
    for (const f of frames) {
      const hit = re && re.test(f.name);
      f.rect.setAttribute('fill', hit ? '#e600e6' : f.fill);
      if (hit) spans.push([f.s, f.s + f.v]);
    }
    spans.sort((a, b) => a[0] - b[0]);
    let covered = 0, end = -1;
    for (const [a, b] of spans) {
      if (a >= end) { covered += b - a; end = b; } else if (b > end) { covered += b - end; end = b; }
    }
    state.term = re ? term : null;
    state.share = total ? covered / total * 100 : 0;
    matched.textContent = re ? 'Matched: ' + state.share.toFixed(2) + '% (' +
      spans.length + (spans.length === 1 ? ' frame)' : ' frames)') : '';
    svg.setAttribute('data-matched', re ? state.share.toFixed(2) : '');
    showReset();
  }

  function ask() {
    const term = window.prompt('Search frames (a regular expression)', state.term || '');
    if (term !== null) search(term);
  }

  for (const f of frames) {
    f.g.setAttribute('cursor', 'pointer');
    f.g.addEventListener('mouseover', () => {
      details.textContent = f.name + '  ' + f.info;
      svg.setAttribute('data-hover', f.name);
    });
    f.g.addEventListener('mouseout', () => { details.textContent = ' '; });
    f.g.addEventListener('click', () => zoom(f));
  }
  reset.addEventListener('click', () => { zoom(frames[0]); search(''); });
  byId('search').addEventListener('click', ask);
  // keys only in a file of its own, not on the dashboard's page
  if (svg === svg.ownerDocument.documentElement) svg.ownerDocument.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { zoom(frames[0]); search(''); return; }
    if ((e.ctrlKey && e.key === 'f') || e.key === '/') {
      e.preventDefault();
      ask();
    }
  });
  const api = { zoom: (i) => zoom(frames[i]), search: search, frames: frames,
                unit: unit, state: state };
  svg.ldenFlame = api;
  return api;
}
