// What both pages share: API calls that carry the session's API key (asked for once, on the
// first 401, and kept in sessionStorage for this tab), and a tiny element builder.
'use strict';
const jr = (() => {
  const KEY = 'jresnet.apiKey';
  let waiting = null;

  function askKey(message) {
    if (waiting) return waiting;
    const box = document.getElementById('key-box');
    const form = document.getElementById('key-form');
    document.getElementById('key-msg').textContent = message;
    box.hidden = false;
    form.elements.key.focus();
    waiting = new Promise(resolve => {
      form.onsubmit = ev => {
        ev.preventDefault();
        const v = form.elements.key.value.trim();
        if (!v) return;
        sessionStorage.setItem(KEY, v);
        form.reset();
        box.hidden = true;
        waiting = null;
        resolve();
      };
    });
    return waiting;
  }

  /** fetch() with the key; on 401 asks for it and tries again. */
  async function api(path, opts = {}) {
    for (;;) {
      const key = sessionStorage.getItem(KEY);
      const headers = Object.assign({}, opts.headers || {});
      if (key) headers.Authorization = 'Bearer ' + key;
      const r = await fetch(path, Object.assign({}, opts, {headers, cache: 'no-store'}));
      if (r.status !== 401) return r;
      sessionStorage.removeItem(KEY);
      await askKey(key ? 'That API key was refused. Enter it again:' : 'This server requires an API key:');
    }
  }

  /** The JSON body of a call; throws the server's {"error": ...} message otherwise. */
  async function json(path, opts) {
    const r = await api(path, opts);
    const body = await r.json().catch(() => null);
    if (!r.ok) throw new Error((body && body.error) || ('HTTP ' + r.status));
    return body;
  }

  /** An object URL of a file behind the key (an <img src> cannot send the header). */
  async function blobUrl(path) {
    const r = await api(path);
    if (!r.ok) throw new Error('HTTP ' + r.status + ' for ' + path);
    return URL.createObjectURL(await r.blob());
  }

  /** el('p', {class: 'x'}, 'text', child...) */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === 'style') e.style.cssText = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  }

  const pct = x => (100 * x).toFixed(1) + '%';
  return {api, json, blobUrl, el, pct};
})();
