// GET / : classify images with the served models. Each dropped or chosen file is posted to
// /v1/models/{name}/predict?top=5 and shown with its top-5 classes as bars.
'use strict';
(() => {
  const TOP = 5;
  const picker = document.getElementById('model-picker');
  const card = document.getElementById('model-card');
  const results = document.getElementById('results');
  const status = document.getElementById('status');
  let models = [];

  function current() { return models.find(m => m.name === picker.value) || models[0]; }

  function showCard(m) {
    card.replaceChildren();
    const rows = [
      ['Architecture', m.architecture],
      ['Parameters', m.parameters.toLocaleString('en-US')],
      ['Input', m.input_size.join(' × ')],
      ['Test top-1', m.test_top1 === undefined ? 'not recorded in the weights file' : jr.pct(m.test_top1)],
      ['Classes (' + m.num_classes + ')', m.classes.join(', ')],
    ];
    for (const [k, v] of rows) card.append(jr.el('dt', {}, k), jr.el('dd', {}, v));
  }

  async function loadModels() {
    try {
      models = await jr.json('/v1/models');
    } catch (e) {
      status.textContent = 'Cannot list the models: ' + e.message;
      return;
    }
    picker.replaceChildren(...models.map(m => jr.el('option', {value: m.name}, m.name + ' (' + m.architecture + ')')));
    const def = models.find(m => m.default) || models[0];
    picker.value = def.name;
    document.getElementById('picker-row').hidden = models.length < 2;
    showCard(def);
    document.body.dataset.ready = 'true';
  }

  function bars(top) {
    return jr.el('ol', {class: 'bars'}, ...top.map((t, i) => jr.el('li', {'data-class': t.class, 'data-prob': t.prob, class: i === 0 ? 'top1' : null},
        jr.el('span', {class: 'cls'}, t.class),
        jr.el('span', {class: 'bar'}, jr.el('span', {style: 'width:' + (100 * t.prob).toFixed(2) + '%'})),
        jr.el('span', {class: 'p'}, jr.pct(t.prob)))));
  }

  async function classify(file) {
    const m = current();
    const img = jr.el('img', {src: URL.createObjectURL(file), alt: file.name});
    const body = jr.el('div', {class: 'body'}, jr.el('h3', {}, file.name), jr.el('p', {class: 'muted'}, 'classifying with ' + m.name + '…'));
    const item = jr.el('article', {class: 'result pending', 'data-file': file.name}, img, body);
    results.prepend(item);
    try {
      const r = await jr.json('/v1/models/' + encodeURIComponent(m.name) + '/predict?top=' + TOP,
          {method: 'POST', headers: {'Content-Type': file.type || 'application/octet-stream'}, body: file});
      body.replaceChildren(jr.el('h3', {}, file.name), jr.el('p', {class: 'muted'}, m.name), bars(r.top));
      item.dataset.top1 = r.top[0].class;
    } catch (e) {
      body.replaceChildren(jr.el('h3', {}, file.name), jr.el('p', {class: 'error'}, e.message));
      item.dataset.error = e.message;
    }
    item.classList.remove('pending');
  }

  function take(files) {
    for (const f of files) classify(f);
  }

  const drop = document.getElementById('drop');
  const input = document.getElementById('files');
  input.addEventListener('change', () => { take(input.files); input.value = ''; });
  for (const ev of ['dragenter', 'dragover']) drop.addEventListener(ev, e => { e.preventDefault(); drop.classList.add('over'); });
  for (const ev of ['dragleave', 'drop']) drop.addEventListener(ev, () => drop.classList.remove('over'));
  drop.addEventListener('drop', e => { e.preventDefault(); take(e.dataTransfer.files); });
  picker.addEventListener('change', () => showCard(current()));
  loadModels();
})();
