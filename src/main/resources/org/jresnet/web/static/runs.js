// GET /runs : the runs under `serve --runs DIR`. The open run is polled every POLL_MS and its
// charts redrawn when metrics.jsonl has grown; the list is polled every LIST_POLL_MS.
'use strict';
(() => {
  const POLL_MS = 2000, LIST_POLL_MS = 5000;
  const COLORS = {train: '#1f77b4', test: '#d62728', val: '#2ca02c', lr: '#9467bd'};
  const $ = id => document.getElementById(id);
  let selected = null;      // {kind: 'run'|'exp', path}
  let charts = [];
  let shownRows = -1, shownStatus = null, timer = null;

  function selectionFromHash() {
    const m = /^#(run|exp)=(.+)$/.exec(location.hash);
    return m ? {kind: m[1], path: decodeURIComponent(m[2])} : null;
  }

  function badge(status) { return jr.el('span', {class: 'badge ' + status}, status); }

  function ago(iso) {
    if (!iso) return '';
    const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    return s < 90 ? Math.round(s) + ' s ago' : s < 5400 ? Math.round(s / 60) + ' min ago' : Math.round(s / 3600) + ' h ago';
  }

  async function loadList() {
    let list;
    try {
      list = await jr.json('/runs/api/list');
    } catch (e) {
      $('empty').textContent = e.message;
      $('empty').hidden = false;
      return;
    }
    $('root').textContent = list.root;
    $('run-list').replaceChildren(...list.runs.map(r => jr.el('li', {'data-path': r.path,
        class: selected && selected.kind === 'run' && selected.path === r.path ? 'selected' : null},
      jr.el('a', {href: '#run=' + encodeURIComponent(r.path)}, r.path),
      jr.el('div', {class: 'meta'}, badge(r.status), ' ', r.model || '',
          ' · epoch ' + r.epochs_done + (r.epochs ? '/' + r.epochs : ''),
          r.last && r.last.test_err !== undefined ? ' · test err ' + jr.pct(r.last.test_err) : ''))));
    $('exp-list').replaceChildren(...list.experiments.map(x => jr.el('li', {class: selected && selected.kind === 'exp'
        && selected.path === x.path ? 'selected' : null}, jr.el('a', {href: '#exp=' + encodeURIComponent(x.path)}, x.name))));
    $('no-runs').hidden = list.runs.length > 0;
    $('no-exps').hidden = list.experiments.length > 0;
    const skipped = list.skipped || [];
    $('skipped').textContent = skipped.map(x => x.path + ': ' + x.reason).join('\n');
    $('skipped').hidden = skipped.length === 0;
    if (!selected && list.runs.length) {
      // The one being trained, else the latest.
      const running = list.runs.filter(r => r.status === 'running');
      const pick = (running.length ? running : list.runs).slice().sort((a, b) => (b.updated || '').localeCompare(a.updated || ''))[0];
      location.hash = '#run=' + encodeURIComponent(pick.path);
    }
    document.body.dataset.listed = 'true';
  }

  function series(rows, key, scale) {
    return rows.map(r => (r[key] === undefined || r[key] === null) ? null : r[key] * scale);
  }

  function makeChart(el, title, ylabel, defs, rows, log) {
    const width = Math.max(280, el.clientWidth || 400);
    const opts = {
      width, height: 240, title,
      scales: {x: {time: false}, y: log ? {distr: 3} : {}},
      axes: [{label: 'iteration'}, {label: ylabel, size: 60, values: (u, vals) => vals.map(tick)}],
      series: [{label: 'iteration'}].concat(defs.map(d => ({label: d.label, stroke: d.color, width: 2,
        points: {show: true, size: 5, fill: d.color}, spanGaps: true}))),
      legend: {live: false},
    };
    el.replaceChildren();
    return new uPlot(opts, [rows.map(r => r.iteration)].concat(defs.map(d => series(rows, d.key, d.scale))), el);
  }

  /** Axis numbers: plain when readable, 1e-4 style when small (a log-scale learning rate). */
  function tick(v) {
    if (v === null) return '';
    if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(0);
    return Number(v.toPrecision(4)).toLocaleString('en-US');
  }

  function drawCharts(rows) {
    const hasVal = rows.some(r => r.val_err !== undefined);
    const errDefs = [{label: 'train error', key: 'train_err', scale: 100, color: COLORS.train},
      {label: 'test error', key: 'test_err', scale: 100, color: COLORS.test}];
    if (hasVal) errDefs.push({label: 'validation error', key: 'val_err', scale: 100, color: COLORS.val});
    const lossDefs = [{label: 'train loss', key: 'train_loss', scale: 1, color: COLORS.train},
      {label: 'test loss', key: 'test_loss', scale: 1, color: COLORS.test}];
    const lrDefs = [{label: 'learning rate', key: 'lr', scale: 1, color: COLORS.lr}];
    charts.forEach(c => c.destroy());
    charts = [makeChart($('chart-err'), 'Error (%)', '%', errDefs, rows, false),
      makeChart($('chart-loss'), 'Loss', 'cross-entropy', lossDefs, rows, false),
      makeChart($('chart-lr'), 'Learning rate (end of epoch)', 'lr', lrDefs, rows, rows.every(r => r.lr > 0))];
  }

  function fmt(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number' && !Number.isInteger(v)) return Number(v.toPrecision(6)).toString();
    if (Array.isArray(v)) return v.map(fmt).join(', ');
    return String(v);
  }

  function showRun(run) {
    $('run-title').textContent = run.path;
    $('run-status').replaceChildren(badge(run.status));
    $('run-view').dataset.status = run.status;
    $('run-progress').textContent = (run.model ? run.model + ' · ' : '') + 'epoch ' + run.epochs_done + (run.epochs ? ' of ' + run.epochs : '')
        + (run.iteration ? ' · iteration ' + run.iteration.toLocaleString('en-US') : '');
    $('run-progress').dataset.epochs = run.epochs_done;
    $('run-updated').textContent = run.updated ? 'last write ' + ago(run.updated) : 'nothing written yet';
    $('run-note').textContent = run.rows.length ? '' : 'No epoch has finished yet: curves appear when the first one does.';
    if (run.rows.length !== shownRows || run.status !== shownStatus) {
      drawCharts(run.rows);
      const cols = ['epoch', 'iteration', 'train_loss', 'train_err', 'test_loss', 'test_err', 'val_err', 'lr', 'elapsed_s'];
      const used = cols.filter(c => run.rows.some(r => r[c] !== undefined));
      $('epochs').replaceChildren(jr.el('thead', {}, jr.el('tr', {}, ...used.map(c => jr.el('th', {}, c)))),
        jr.el('tbody', {}, ...run.rows.slice().reverse().map(r => jr.el('tr', {'data-epoch': r.epoch},
          ...used.map(c => jr.el('td', {}, c.endsWith('_err') && r[c] !== undefined ? jr.pct(r[c]) : fmt(r[c])))))));
      shownRows = run.rows.length;
      shownStatus = run.status;
    }
    const cfg = run.config;
    $('config').replaceChildren(...(cfg ? Object.entries(cfg).filter(([, v]) => v !== null)
        .map(([k, v]) => jr.el('tr', {}, jr.el('th', {}, k), jr.el('td', {}, fmt(v))))
        : [jr.el('tr', {}, jr.el('td', {}, 'written with the first checkpoint (end of epoch 1)'))]));
  }

  async function pollRun(path) {
    try {
      const run = await jr.json('/runs/api/run?path=' + encodeURIComponent(path));
      if (!selected || selected.path !== path) return;
      showRun(run);
      $('run-error').textContent = '';
    } catch (e) {
      $('run-error').textContent = e.message;
    }
    if (selected && selected.kind === 'run' && selected.path === path) timer = setTimeout(() => pollRun(path), POLL_MS);
  }

  async function showExperiment(path) {
    let x;
    try {
      x = await jr.json('/runs/api/experiment?path=' + encodeURIComponent(path));
    } catch (e) {
      $('exp-html').textContent = e.message;
      return;
    }
    const div = $('exp-html');
    div.innerHTML = x.html;  // rendered by the server with raw HTML escaped and URLs sanitised
    const shown = new Set();
    for (const img of div.querySelectorAll('img[data-file]')) {
      shown.add(img.dataset.file);
      jr.blobUrl('/runs/api/file?path=' + encodeURIComponent(img.dataset.file)).then(u => { img.src = u; });
    }
    const extra = x.plots.filter(p => !shown.has(p));
    $('exp-plots').replaceChildren(...extra.map(p => {
      const img = jr.el('img', {alt: p, 'data-file': p});
      jr.blobUrl('/runs/api/file?path=' + encodeURIComponent(p)).then(u => { img.src = u; });
      return jr.el('figure', {}, img, jr.el('figcaption', {}, p));
    }));
  }

  function route() {
    clearTimeout(timer);
    selected = selectionFromHash();
    shownRows = -1;
    shownStatus = null;
    $('run-view').hidden = !selected || selected.kind !== 'run';
    $('exp-view').hidden = !selected || selected.kind !== 'exp';
    for (const li of document.querySelectorAll('#run-list li, #exp-list li')) {
      const a = li.querySelector('a');
      li.classList.toggle('selected', !!a && a.getAttribute('href') === location.hash);
    }
    if (!selected) return;
    if (selected.kind === 'run') pollRun(selected.path); else showExperiment(selected.path);
  }

  window.addEventListener('hashchange', route);
  window.addEventListener('resize', () => charts.forEach(c => {
    const w = c.root.parentElement.clientWidth;
    if (w > 0) c.setSize({width: w, height: 240});
  }));
  route();
  loadList();
  setInterval(loadList, LIST_POLL_MS);
})();
