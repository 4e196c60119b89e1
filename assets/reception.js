// reception.js: the reception screen keeps working without a network. Each concern is
// queued in IndexedDB with a client id made here, then sent to /api/v1/concerns; a retry
// carries the same client id, so the server records it once. The service worker keeps the
// page and its assets for when the network is gone. No inline script, no innerHTML.
(function () {
  'use strict';
  var form = document.querySelector('form.reception');
  if (!form || !window.indexedDB || !window.fetch) return;
  var status = document.getElementById('queue-status');
  var sentList = document.getElementById('queue-sent');
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var DB = 'polis-reception', STORE = 'queue';
  var flushing = false;

  if ('serviceWorker' in navigator && form.dataset.sw) {
    navigator.serviceWorker.register(form.dataset.sw, { scope: '/officer/' }).catch(function () {});
  }

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: 'client_id' }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), out;
        t.oncomplete = function () { db.close(); resolve(out); };
        t.onerror = function () { db.close(); reject(t.error); };
        out = fn(t.objectStore(STORE));
      });
    });
  }
  function all() {
    return tx('readonly', function (s) {
      var items = [];
      s.openCursor().onsuccess = function (e) {
        var c = e.target.result;
        if (c) { items.push(c.value); c.continue(); }
      };
      return items;
    });
  }
  function put(item) { return tx('readwrite', function (s) { s.put(item); }); }
  function remove(id) { return tx('readwrite', function (s) { s.delete(id); }); }

  function show(n) {
    if (!status) return;
    status.textContent = (status.dataset.label || 'Unsent') + ': ' + n;
    status.dataset.count = String(n);
  }
  function note(text, cls) {
    if (!sentList) return;
    var li = document.createElement('li');
    li.className = cls;
    li.textContent = text;
    sentList.appendChild(li);
  }
  function refresh() { return all().then(function (items) { show(items.length); return items; }); }

  function send(item) {
    var headers = { 'Content-Type': 'application/json' };
    if (csrf) headers['X-CSRF-Token'] = csrf.getAttribute('content');
    return fetch('/api/v1/concerns', {
      method: 'POST', credentials: 'same-origin', headers: headers, body: JSON.stringify(item)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return { r: r, body: body }; });
    });
  }

  function flush() {
    if (flushing || !navigator.onLine) return refresh();
    flushing = true;
    return all().then(function (items) {
      var chain = Promise.resolve();
      items.forEach(function (item) {
        chain = chain.then(function () {
          return send(item).then(function (res) {
            if (res.r.status === 200 || res.r.status === 201) {
              note(res.body.tracking_code + ' — ' + item.description.slice(0, 60), 'sent');
              return remove(item.client_id);
            }
            if (res.r.status >= 400 && res.r.status < 500 && res.r.status !== 401 && res.r.status !== 403 && res.r.status !== 429) {
              var e = res.body && res.body.error;
              note((e ? e.message : 'refused') + ' — ' + item.description.slice(0, 60), 'refused');
              return remove(item.client_id);
            }
            throw new Error('not sent');
          });
        });
      });
      return chain;
    }).catch(function () {}).then(function () { flushing = false; return refresh(); });
  }

  function clientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  // The answers to the chosen service's questions (fields attr.SERVICE.CODE), as the API
  // takes them: a string, or a list of the boxes ticked for a multiple choice.
  function questions(service) {
    var out = {}, prefix = 'attr.' + service + '.';
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name.indexOf(prefix) !== 0 || el.disabled) return;
      var code = el.name.slice(prefix.length);
      if (el.type === 'checkbox') {
        if (!el.checked) return;
        (out[code] = Array.isArray(out[code]) ? out[code] : []).push(el.value);
      } else if (el.value) {
        out[code] = el.value;
      }
    });
    return out;
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var f = form.elements;
    var item = {
      client_id: clientId(), channel: 'reception', service_code: f.service_code.value,
      description: f.description.value
    };
    if (f.area && f.area.value) item.area = f.area.value;
    var answers = questions(item.service_code);
    if (Object.keys(answers).length) item.attributes = answers;
    if (f.visit && f.visit.value) item.visit = parseInt(f.visit.value, 10);
    var name = f.contact_name ? f.contact_name.value : '', phone = f.contact_phone ? f.contact_phone.value : '';
    if (name || phone) item.contact = { name: name, phone: phone };
    if (!item.description.trim()) { f.description.focus(); return; }
    put(item).then(function () {
      var visit = f.visit ? f.visit.value : '';
      form.reset();
      if (f.visit) f.visit.value = visit; // the minibus stays at its visit
      f.description.focus();
      return flush();
    });
  });
  window.addEventListener('online', flush);
  setInterval(flush, 15000);
  window.polisReception = { flush: flush, put: put, all: all };
  flush();
})();
