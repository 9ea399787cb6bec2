/* The app shell: the pages' own files are kept so a page opens without the network; pages
   are fetched fresh when online and the last copy is shown when not. Scans and forms made
   offline wait in the page's outbox (keeper.js), never here. */
"use strict";
var SHELL = "evidence-shell-v1";
var PAGES = "evidence-pages-v1";
var FILES = [
  "/static/app.css", "/static/keeper.css", "/static/app.js", "/static/keeper.js", "/static/outbox.js", "/static/payload.js",
  "/static/scan.js", "/static/camera.js", "/static/intake.js", "/static/stocktake.js",
  "/static/vendor/jsQR.js", "/static/favicon.svg"
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(FILES); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  // The page that registered this worker loaded before the worker ran, so nothing kept it:
  // keep a copy of every open page now, so it opens offline from the first visit on.
  event.waitUntil(self.clients.claim().then(function () {
    return Promise.all([caches.open(PAGES), self.clients.matchAll({ type: "window" })]);
  }).then(function (opened) {
    return Promise.all(opened[1].map(function (client) {
      return fetch(client.url, { credentials: "same-origin" }).then(function (response) {
        if (response.ok && !response.redirected) { return opened[0].put(client.url, response); }
      }, function () { return undefined; });
    }));
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fetch(request).then(function (response) {
      var copy = response.clone();
      caches.open(SHELL).then(function (cache) { cache.put(request, copy); });
      return response;
    }, function () { return caches.match(request); }));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }, function () {
      return caches.match(request).then(function (hit) { return hit || caches.match("/scan"); });
    }));
  }
});
