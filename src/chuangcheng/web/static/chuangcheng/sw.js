// The service worker of the installable app, served at /sw.js (web.pwa.service_worker puts
// self.CHUANGCHENG_SW in front: the cache version, the app shell, the addresses below).
// - The app shell (CSS, scripts, icons, the page shown without network, the queue page) is kept in a
//   cache named after the version: a release with other files has another version, and the old
//   caches are deleted when the new worker takes over.
// - The day's pages (today's round and the checklist of each point in it, listed by
//   /inspections/offline.json) are fetched when the worker starts and whenever a page asks
//   ("prefetch"), and refreshed each time they are opened with network.
// - A page is always asked of the network first; without network the kept copy is shown (marked,
//   so the inspection form takes a new key and start time), else the offline page.
// - An inspection form posted while the network fails is put in the queue (offline-queue.js) and
//   the browser is sent to the queue page; offline.js sends it when the network returns.
/* global CHUANGCHENG_SW, ChuangchengQueue */
"use strict";
var SETTINGS = self.CHUANGCHENG_SW;
var SHELL = "chuangcheng-shell-" + SETTINGS.version;
var PAGES = "chuangcheng-pages-" + SETTINGS.version;
var FORM_PATH = /^\/inspections\/points\/([^/]+)\/$/;
importScripts(SETTINGS.queueScript);

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    // One by one: a file that fails to load does not keep the worker from installing.
    return Promise.all(SETTINGS.shell.map(function (url) {
      return fetch(url, {credentials: "same-origin"}).then(function (response) {
        if (response.ok && !response.redirected) { return cache.put(url, response); }
      }).catch(function () { /* kept next time */ });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("chuangcheng-") === 0 && name !== SHELL && name !== PAGES;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }).then(prefetch));
});

// The day's pages of the signed-in person; the pages of other days (and of a person who signed out) go.
var prefetching = null;
function prefetch() {  // one at a time: the activation and a page may both ask
  if (!prefetching) {
    prefetching = fetchDay().then(function (n) { prefetching = null; return n; });
  }
  return prefetching;
}

function fetchDay() {
  return fetch(SETTINGS.pages, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || response.redirected || type.indexOf("application/json") !== 0) { return null; }
      return response.json();
    }).then(function (data) {
      if (!data) { return 0; }
      return caches.open(PAGES).then(function (cache) {
        var wanted = data.pages.map(function (path) { return new URL(path, self.location.origin).href; });
        return cache.keys().then(function (kept) {
          return Promise.all(kept.filter(function (request) { return wanted.indexOf(request.url) === -1; })
            .map(function (request) { return cache.delete(request); }));
        }).then(function () {
          return Promise.all(wanted.map(function (url) {
            return fetch(url, {credentials: "same-origin"}).then(function (response) {
              if (response.ok && !response.redirected) { return cache.put(url, response); }
            }).catch(function () { /* kept next time */ });
          }));
        }).then(function () {
          // The two pages of the shell, as the signed-in person sees them (installed, maybe, before signing in).
          return caches.open(SHELL).then(function (shell) {
            return Promise.all([SETTINGS.offline, SETTINGS.queue].map(function (url) {
              return fetch(url, {credentials: "same-origin"}).then(function (response) {
                if (response.ok && !response.redirected) { return shell.put(url, response); }
              }).catch(function () { /* kept next time */ });
            }));
          });
        }).then(function () { return wanted.length; });
      });
    }).catch(function () { return 0; });
}

function forget() {
  return caches.delete(PAGES);
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var reply = function (message) { if (event.source) { event.source.postMessage(message); } };
  if (data.type === "prefetch") {
    event.waitUntil(prefetch().then(function (n) { reply({type: "prefetched", pages: n}); }));
  } else if (data.type === "forget") {
    event.waitUntil(forget().then(function () { reply({type: "forgotten"}); }));
  }
});

// A kept page is marked, so its script knows it is not fresh from the server.
function marked(response) {
  return response.text().then(function (html) {
    html = html.replace("<head>", '<head><meta name="chuangcheng-offline-copy" content="1">');
    var headers = new Headers(response.headers);
    headers.delete("Content-Length");
    return new Response(html, {status: 200, headers: headers});
  });
}

function page(request) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) {
        return cache.match(request, {ignoreSearch: true, ignoreVary: true}).then(function (hit) {
          if (hit) { return cache.put(new URL(request.url).origin + new URL(request.url).pathname, copy); }
        });
      });
    }
    return response;
  }).catch(function () {
    return caches.match(request, {ignoreSearch: true, ignoreVary: true}).then(function (hit) {
      if (hit) { return marked(hit); }
      return caches.match(SETTINGS.offline, {ignoreVary: true}).then(function (fallback) {
        return fallback ? marked(fallback) : new Response("offline", {status: 503});
      });
    });
  });
}

// The inspection form posted by the browser itself (not the queue's own fetch): without network
// it is queued here and the browser shown the queue.
function post(request) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    var url = new URL(request.url);
    var point = decodeURIComponent(url.pathname.match(FORM_PATH)[1]);
    return copy.formData().then(function (data) {
      return ChuangchengQueue.nameOf(url.pathname).catch(function () { return ""; }).then(function (name) {
        var entry = ChuangchengQueue.fromFormData(data, {url: url.pathname, point: point, pointName: name || point});
        if (!entry.key) { throw new Error("no key"); }
        return ChuangchengQueue.currentUser().then(function (user) {
          entry.user = user || "";
          return ChuangchengQueue.add(entry);
        }).then(function () {
          return Response.redirect(SETTINGS.queue + "?queued=" + encodeURIComponent(entry.key), 303);
        });
      });
    }).catch(function () {
      return caches.match(SETTINGS.offline, {ignoreVary: true}).then(function (fallback) {
        return fallback ? marked(fallback) : new Response("offline", {status: 503});
      });
    });
  });
}

function shell(request) {
  var url = new URL(request.url);
  var isStatic = url.pathname.indexOf("/static/") === 0;
  if (isStatic) {  // the version's copy: the same files as the release that made the cache
    return caches.match(request, {ignoreSearch: true, ignoreVary: true}).then(function (hit) {
      return hit || fetch(request);
    });
  }
  return fetch(request).then(function (response) {  // script messages, manifest, icons: fresh when possible
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(SHELL).then(function (cache) { return cache.put(url.pathname + url.search, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, {ignoreVary: true}).then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST") {
    var accept = request.headers.get("Accept") || "";
    if (request.mode === "navigate" && FORM_PATH.test(url.pathname) && accept.indexOf("application/json") !== 0) {
      event.respondWith(post(request));
    }
    return;
  }
  if (request.method !== "GET") { return; }
  if (request.mode === "navigate") {
    event.respondWith(page(request));
    return;
  }
  var inShell = SETTINGS.shell.some(function (path) { return path === url.pathname || path === url.pathname + url.search; });
  if (inShell || url.pathname.indexOf("/static/") === 0) {
    event.respondWith(shell(request));
  }
});
