// reception-sw.js: keeps the reception screen and its assets for use without a network.
// Pages and assets are fetched from the network first and kept; without a network the
// kept copy is served. Writes (the concerns) are never cached: reception.js queues them.
'use strict';
var CACHE = 'polis-reception-v1';

self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (e) { e.waitUntil(self.clients.claim()); });

self.addEventListener('fetch', function (e) {
  var req = e.request;
  if (req.method !== 'GET') return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname !== '/officer/reception' && url.pathname.indexOf('/assets/') !== 0) return;
  e.respondWith(fetch(req).then(function (res) {
    if (res.ok) {
      var copy = res.clone();
      caches.open(CACHE).then(function (c) { c.put(req, copy); });
    }
    return res;
  }).catch(function () {
    return caches.match(req).then(function (hit) {
      return hit || new Response('offline', { status: 503, headers: { 'Content-Type': 'text/plain' } });
    });
  }));
});
