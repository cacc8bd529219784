// Inspections without network, on every page (the base layout loads it after offline-queue.js):
// 1. registers the service worker (/sw.js) and asks it to keep the day's pages;
// 2. an inspection form submitted with no network (navigator.onLine false) goes to the queue on
//    this phone with everything it holds: answers, photos (Blobs), its key, the location and
//    started_at of the inspection and submitted_at, the moment "submit" was pressed (set on every
//    submit, so the server records when the inspection was done, not when it arrived); when the
//    network drops during the send instead, the worker queues it (sw.js);
// 3. the top bar says how many wait ("待发送 N 条"), the queue page lists each with its state;
// 4. on each page load and when the network returns, the queue is sent (offline-queue.js), one
//    entry at a time, by the login that queued it; a refused entry stays with the server's message;
// 5. the install button ("安装到手机桌面") where the browser offers installation.
(function () {
  "use strict";
  var gettext = window.gettext || function (msgid) { return msgid; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\((\w+)\)s/g, function (match, name) { return String(obj[name]); });
  };
  var Queue = window.ChuangchengQueue;
  var meta = document.querySelector("meta[name=chuangcheng-user]");
  var user = meta ? meta.content : "";
  var offlineCopy = !!document.querySelector("meta[name=chuangcheng-offline-copy]");
  var LOGIN = "/accounts/login/", QUEUE_PAGE = "/queue/", DRAFTS = "chuangcheng.inspect.";
  var PREFETCH_EVERY = 10 * 60 * 1000;

  // The server's time as the phone last saw it: a phone whose clock is wrong still stamps its
  // inspections with the right moment. Learnt from each fresh inspection form (its started_at is
  // the server's moment of sending the page), kept for the pages opened without network.
  var CLOCK = "chuangcheng.clock.offset";
  function clockOffset() {
    var s = store(), value = s ? parseInt(s.getItem(CLOCK) || "0", 10) : 0;
    return isNaN(value) ? 0 : value;
  }

  function isoNow() {  // local time with its offset, as the form's started_at is written
    var d = new Date(Date.now() + clockOffset()), off = -d.getTimezoneOffset(), sign = off >= 0 ? "+" : "-";
    var pad = function (n) { return ("0" + Math.abs(n)).slice(-2); };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
      pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + sign + pad(Math.floor(Math.abs(off) / 60)) + ":" + pad(off % 60);
  }

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // 1. The service worker. ------------------------------------------------------------------------
  function askWorker(message) {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) { registration.active.postMessage(message); }
    });
  }

  function store() { try { return window.localStorage; } catch (e) { return null; } }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () { /* no worker: the queue still works */ });
    if (user && navigator.onLine && !offlineCopy) {
      // The worker keeps the day's pages when it starts; a plan changed during the day is picked
      // up within PREFETCH_EVERY, and a new day at its first page.
      var stampName = "chuangcheng.offline.prefetched." + user + "." + new Date().toDateString(), s = store();
      var last = s ? parseInt(s.getItem(stampName) || "0", 10) : 0;
      if (Date.now() - last > PREFETCH_EVERY) {
        askWorker({type: "prefetch"});
        if (s) { try { s.setItem(stampName, String(Date.now())); } catch (e) { /* full */ } }
      }
    }
  }
  if (Queue && user) { Queue.setUser(user).catch(function () {}); }
  // Signing out: the kept pages were this person's.
  document.querySelectorAll("form[action='/accounts/logout/']").forEach(function (form) {
    form.addEventListener("submit", function () { askWorker({type: "forget"}); });
  });

  // 3. The count in the top bar and the queue page. -------------------------------------------------
  var STATES = {
    waiting: gettext("Waiting for the network"), sending: gettext("Sending"),
    sent: gettext("Sent"), refused: gettext("Refused")
  };

  function reasonOf(entry) {
    if (entry.state === "refused") { return entry.message; }
    if (entry.state !== "waiting") { return ""; }
    if (entry.user && user && entry.user !== user) {
      return interpolate(gettext("Queued by %(user)s: it is sent when %(user)s signs in on this phone."),
        {user: entry.user}, true);
    }
    if (entry.message === "signed-out") { return gettext("Sign in again: it is sent then."); }
    if (entry.message && entry.message.indexOf("http-") === 0) {
      return interpolate(gettext("The server did not take it (%(status)s); it is tried again."),
        {status: entry.message.slice(5)}, true);
    }
    return "";
  }

  function timeOf(iso) {
    var d = iso ? new Date(iso) : null;
    if (!d || isNaN(d.getTime())) { return ""; }
    return d.toLocaleString();
  }

  function drawBadge(entries) {
    var badge = document.querySelector("[data-queue-badge]");
    if (!badge) { return; }
    var waiting = entries.filter(function (e) { return e.state === "waiting" || e.state === "sending"; }).length;
    var refused = entries.filter(function (e) { return e.state === "refused"; }).length;
    var parts = [];
    if (waiting) { parts.push(interpolate(gettext("%(n)s waiting to be sent"), {n: waiting}, true)); }
    if (refused) { parts.push(interpolate(gettext("%(n)s refused"), {n: refused}, true)); }
    badge.textContent = parts.join(gettext(", "));
    badge.hidden = !parts.length;
    badge.classList.toggle("has-refused", refused > 0);
  }

  function button(text, onClick, secondary) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (secondary) { b.className = "secondary"; }
    b.addEventListener("click", onClick);
    return b;
  }

  function drawList(entries) {
    var list = document.querySelector("[data-queue-list]");
    if (!list) { return; }
    var empty = document.querySelector("[data-queue-empty]");
    if (empty) { empty.hidden = entries.length > 0; }
    list.textContent = "";
    entries.slice().reverse().forEach(function (entry) {
      var li = document.createElement("li");
      li.className = "queue-item state-" + entry.state;
      li.setAttribute("data-queue-key", entry.key);
      var head = document.createElement("p");
      var name = document.createElement("strong");
      name.textContent = entry.pointName || entry.point;
      var state = document.createElement("span");
      state.className = "queue-state";
      state.textContent = STATES[entry.state] || entry.state;
      head.appendChild(name);
      head.appendChild(document.createTextNode(" "));
      head.appendChild(state);
      li.appendChild(head);
      var when = document.createElement("p");
      when.className = "muted";
      when.textContent = interpolate(gettext("Inspected at %(time)s"), {time: timeOf(entry.submittedAt || entry.queuedAt)}, true) +
        (entry.files.length ? " · " + interpolate(gettext("%(n)s photos"), {n: entry.files.length}, true) : "");
      li.appendChild(when);
      var reason = reasonOf(entry);
      if (reason) {
        var p = document.createElement("p");
        p.className = entry.state === "refused" ? "errorlist queue-reason" : "help queue-reason";
        p.textContent = reason;
        li.appendChild(p);
      }
      var actions = document.createElement("p");
      if (entry.state === "sent" && entry.inspection) {
        var a = document.createElement("a");
        a.href = entry.inspection;
        a.textContent = gettext("Open the record");
        actions.appendChild(a);
      }
      if (entry.state === "waiting" || entry.state === "refused") {
        actions.appendChild(button(gettext("Send now"), function () {
          entry.state = "waiting";
          Queue.put(entry).then(function () { flush(true); });
        }));
        actions.appendChild(document.createTextNode(" "));
      }
      if (entry.state !== "sending") {
        actions.appendChild(button(entry.state === "sent" ? gettext("Remove from the list") : gettext("Delete"), function () {
          if (entry.state !== "sent" &&
              !window.confirm(gettext("Delete this inspection from the phone? It has not been stored on the server."))) {
            return;
          }
          Queue.remove(entry.key).then(refresh);
        }, true));
      }
      li.appendChild(actions);
      list.appendChild(li);
    });
  }

  function refresh() {
    if (!Queue) { return Promise.resolve([]); }
    return Queue.list().then(function (entries) {
      drawBadge(entries);
      drawList(entries);
      return entries;
    }).catch(function () { return []; });
  }

  // 4. Sending. --------------------------------------------------------------------------------
  var flushing = false;
  function flushOnce(force) {
    return Queue.list().then(function (entries) {
      var now = Date.now();
      var due = entries.filter(function (e) {
        if (e.user && e.user !== user) { return false; }
        if (e.state === "waiting") { return true; }
        // A send cut short (the tab closed mid-way): tried again after two minutes.
        return e.state === "sending" && (force || now - Date.parse(e.triedAt || e.queuedAt) > 120000);
      });
      return due.reduce(function (chain, entry) {
        return chain.then(function () {
          if (!navigator.onLine) { return null; }
          entry.state = "sending";
          entry.triedAt = new Date().toISOString();
          return Queue.put(entry).then(refresh).then(function () {
            return Queue.send(entry, {login: LOGIN});
          }).then(function (done) { return Queue.put(done); }).then(refresh);
        });
      }, Promise.resolve());
    });
  }

  function flush(force) {
    if (!Queue || !user || !navigator.onLine || flushing) { return Promise.resolve(); }
    flushing = true;
    var work = function () { return flushOnce(force).catch(function () {}); };
    // One tab at a time where the browser can say so (the server would store a key once anyway).
    var run = navigator.locks ? navigator.locks.request("chuangcheng-queue", work) : work();
    return Promise.resolve(run).then(function () { flushing = false; }, function () { flushing = false; });
  }

  function prune(entries) {  // sent entries are listed for a day, then forgotten
    var old = Date.now() - 24 * 3600 * 1000;
    return Promise.all(entries.filter(function (e) { return e.state === "sent" && Date.parse(e.sentAt) < old; })
      .map(function (e) { return Queue.remove(e.key); }));
  }

  if (Queue) {
    // A page kept on the phone may have been kept before signing in: the login is the one last seen.
    var known = user || !offlineCopy ? Promise.resolve(user) : Queue.currentUser().catch(function () { return ""; });
    known.then(function (name) { user = name || ""; })
      .then(refresh).then(prune).then(function () { return flush(false); });
    window.addEventListener("online", function () { flush(true); });
    window.addEventListener("offline", refresh);
    window.addEventListener("storage", refresh);
  }

  // 2. The inspection form. -----------------------------------------------------------------------
  function forgetDraft(key) {  // inspect.js keeps a draft per point and day until the record is seen
    var s = store();
    if (!s) { return; }
    for (var i = s.length - 1; i >= 0; i--) {
      var name = s.key(i);
      if (!name || name.indexOf(DRAFTS) !== 0) { continue; }
      try { if (JSON.parse(s.getItem(name)).key === key) { s.removeItem(name); } } catch (e) { /* not ours */ }
    }
  }

  var queued = new URLSearchParams(location.search).get("queued");
  if (queued) {
    forgetDraft(queued);
    document.dispatchEvent(new CustomEvent("chuangcheng:queued", {detail: {key: queued}}));
  }

  var form = document.querySelector("form[data-inspect]");
  if (form && !offlineCopy && form.dataset.bound !== "1") {
    var served = form.querySelector("input[name=started_at]");
    var at = served ? Date.parse(served.defaultValue) : NaN;
    var s2 = store();
    if (!isNaN(at) && s2) { try { s2.setItem(CLOCK, String(at - Date.now())); } catch (e) { /* full */ } }
  }
  if (form && Queue) {
    var path = new URL(form.action || location.href, location.href).pathname;
    var pointName = form.dataset.pointName || "";
    if (pointName) { Queue.rememberName(path, pointName).catch(function () {}); }
    var stamp = form.querySelector("input[name=submitted_at]");
    if (!stamp) {
      stamp = document.createElement("input");
      stamp.type = "hidden";
      stamp.name = "submitted_at";
      form.appendChild(stamp);
    }
    // A kept copy of the form (no network): a new inspection starts now with a key of its own,
    // unless a draft on the phone already gave it both (after the other scripts have run).
    document.addEventListener("DOMContentLoaded", function () {
      if (!offlineCopy || form.dataset.bound === "1") { return; }
      var key = form.querySelector("input[name=key]"), started = form.querySelector("input[name=started_at]");
      var changed = false;
      if (key && key.value === key.defaultValue) { key.value = newKey(); changed = true; }
      if (started && started.value === started.defaultValue) { started.value = isoNow(); changed = true; }
      if (changed) { form.dispatchEvent(new Event("change", {bubbles: true})); }
    });
    form.addEventListener("submit", function (event) {
      stamp.value = isoNow();
      if (navigator.onLine) { return; }  // sent as usual; should the network drop, the worker queues it
      if (form.dataset.ready !== "1" && tooLarge()) { return; }  // photos.js makes them smaller, then submits again
      event.preventDefault();
      var entry = Queue.fromFormData(new FormData(form), {url: path, point: path.split("/").slice(-2)[0],
                                                          pointName: pointName, user: user});
      var progress = form.querySelector("[data-progress]");
      Queue.add(entry).then(function () {
        forgetDraft(entry.key);
        document.dispatchEvent(new CustomEvent("chuangcheng:queued", {detail: {key: entry.key}}));
        location.href = QUEUE_PAGE + "?queued=" + encodeURIComponent(entry.key);
      }).catch(function () {
        if (progress) {
          progress.textContent = gettext("No network, and this phone could not keep the inspection: keep this page " +
                                         "open and submit again when there is a signal.");
        }
      });
    });
  }

  function tooLarge() {
    return Array.prototype.some.call(form.querySelectorAll("input[data-photos]"), function (input) {
      var max = parseInt(input.dataset.maxBytes, 10) || 0;
      return max && typeof DataTransfer !== "undefined" && typeof createImageBitmap !== "undefined" &&
        Array.prototype.some.call(input.files, function (f) { return f.size > max; });
    });
  }

  // A kept page says so.
  if (offlineCopy) {
    var main = document.getElementById("main");
    if (main) {
      var note = document.createElement("p");
      note.className = "offline-note";
      note.setAttribute("role", "status");
      note.textContent = gettext("No network: this is the copy kept on the phone. Inspections submitted now wait " +
                                 "on the phone and are sent when the network returns.");
      main.insertBefore(note, main.firstChild);
    }
  }

  // 5. Installing on the phone's home screen. ----------------------------------------------------------
  var bar = document.querySelector("[data-install-bar]");
  var offer = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    var s = store();
    if (!bar || (s && s.getItem("chuangcheng.install.later"))) { return; }
    event.preventDefault();
    offer = event;
    bar.hidden = false;
  });
  if (bar) {
    bar.querySelector("[data-install]").addEventListener("click", function () {
      if (!offer) { return; }
      offer.prompt();
      offer.userChoice.then(function () { bar.hidden = true; offer = null; });
    });
    bar.querySelector("[data-install-later]").addEventListener("click", function () {
      bar.hidden = true;
      var s = store();
      if (s) { try { s.setItem("chuangcheng.install.later", String(Date.now())); } catch (e) { /* full */ } }
    });
  }
  window.addEventListener("appinstalled", function () { if (bar) { bar.hidden = true; } });
})();
