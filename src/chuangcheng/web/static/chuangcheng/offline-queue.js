// The queue of inspections waiting for the network, kept in the browser (IndexedDB), shared by the
// pages (offline.js) and the service worker (sw.js imports it). One entry per submission key: the
// form's text fields as they were when "submit" was pressed (the location and started_at of the
// inspection, its submitted_at), its photos as Blobs, the point, whose login queued it, and its state:
//   waiting  (等待网络)  sending (发送中)  sent (已发送)  refused (被拒绝, with the server's message).
// Sending posts the same multipart fields with the same key to the same address; the server stores
// a key once, so an entry sent twice (two tabs, a lost answer) is one inspection.
(function (root) {
  "use strict";
  var DB = "chuangcheng-offline", VERSION = 1, QUEUE = "queue", NAMES = "names";

  function open() {
    return new Promise(function (resolve, reject) {
      if (!root.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = root.indexedDB.open(DB, VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(QUEUE)) { db.createObjectStore(QUEUE, {keyPath: "key"}); }
        if (!db.objectStoreNames.contains(NAMES)) { db.createObjectStore(NAMES); }
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode), result;
        var request = work(tx.objectStore(store));
        if (request) { request.onsuccess = function () { result = request.result; }; }
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  // A FormData (the inspection form's, or the one the worker read from a failed request) as an entry.
  function fromFormData(data, meta) {
    var fields = [], files = [], key = "";
    data.forEach(function (value, name) {
      if (typeof value === "string") {
        fields.push([name, value]);
        if (name === "key") { key = value; }
      } else if (value && value.size) {  // an empty file input sends an empty file: nothing to keep
        files.push({name: name, blob: value, filename: value.name || "photo.jpg"});
      }
    });
    var get = function (name) {
      for (var i = 0; i < fields.length; i++) { if (fields[i][0] === name) { return fields[i][1]; } }
      return "";
    };
    return {
      key: key, url: meta.url, point: meta.point || "", pointName: meta.pointName || "", user: meta.user || "",
      fields: fields, files: files, startedAt: get("started_at"), submittedAt: get("submitted_at"),
      lon: get("lon"), lat: get("lat"), queuedAt: new Date().toISOString(), state: "waiting", message: "",
      tries: 0
    };
  }

  function csrfToken(entry) {
    var match = (root.document && root.document.cookie || "").match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = root.document && root.document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var kept = entry.fields.filter(function (f) { return f[0] === "csrfmiddlewaretoken"; })[0];
    return kept ? kept[1] : "";
  }

  // One try: resolves with the entry's new state; never rejects.
  function send(entry, options) {
    options = options || {};
    var body = new FormData();
    entry.fields.forEach(function (f) { if (f[0] !== "csrfmiddlewaretoken") { body.append(f[0], f[1]); } });
    var token = csrfToken(entry);
    body.append("csrfmiddlewaretoken", token);
    entry.files.forEach(function (f) { body.append(f.name, f.blob, f.filename); });
    var done = Object.assign({}, entry, {tries: (entry.tries || 0) + 1, triedAt: new Date().toISOString()});
    return fetch(entry.url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "follow",
      headers: {"Accept": "application/json", "X-CSRFToken": token}
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === 0) {
        return response.json().then(function (answer) {
          if (response.ok) {
            return Object.assign(done, {state: "sent", message: "", inspection: answer.url, files: [],
                                        sentAt: new Date().toISOString()});
          }
          return Object.assign(done, {state: "refused", message: (answer.errors || []).join("；"),
                                      status: response.status});
        });
      }
      // Not the inspection's answer: signed out (the sign-in page), an expired form token, the
      // server down. Nothing was stored: the entry waits and is tried again.
      var why = "http-" + response.status;
      if (response.redirected && options.login && response.url.indexOf(options.login) !== -1) { why = "signed-out"; }
      return Object.assign(done, {state: "waiting", message: why});
    }).catch(function () {
      return Object.assign(done, {state: "waiting", message: ""});
    });
  }

  root.ChuangchengQueue = {
    fromFormData: fromFormData,
    send: send,
    add: function (entry) { return run(QUEUE, "readwrite", function (s) { return s.put(entry); }); },
    put: function (entry) { return run(QUEUE, "readwrite", function (s) { return s.put(entry); }); },
    get: function (key) { return run(QUEUE, "readonly", function (s) { return s.get(key); }); },
    remove: function (key) { return run(QUEUE, "readwrite", function (s) { return s.delete(key); }); },
    list: function () {
      return run(QUEUE, "readonly", function (s) { return s.getAll(); }).then(function (all) {
        return (all || []).sort(function (a, b) { return a.queuedAt < b.queuedAt ? -1 : 1; });
      });
    },
    // The name of a point by its form's address, remembered when the form was opened.
    rememberName: function (url, name) { return run(NAMES, "readwrite", function (s) { return s.put(name, url); }); },
    nameOf: function (url) { return run(NAMES, "readonly", function (s) { return s.get(url); }); },
    // The login of the pages last opened, for an entry the worker queues (it sees no page).
    setUser: function (name) { return run(NAMES, "readwrite", function (s) { return s.put(name, "user:"); }); },
    currentUser: function () { return run(NAMES, "readonly", function (s) { return s.get("user:"); }); }
  };
})(typeof self !== "undefined" ? self : window);
