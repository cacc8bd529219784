// Forms that never lose work: a form marked `data-draft-store="NAME"` keeps its draft in this
// browser's IndexedDB, the chosen photos (the files of its file inputs) included, saved on every
// change and restored on load, so a refusal by the server, a reload or a closed tab loses nothing.
// The draft is removed only when the server has accepted the submission: the next page carries a
// marker `data-draft-done="PREFIX"` (every draft whose name starts with it; with
// `data-draft-token="T"`, only the draft whose token field held T). Where IndexedDB is missing
// (some private modes) the form works as before and says that photos cannot be kept.
//
// On the form:
//   data-draft-store="inspect|P-001|2026-12-04"  the draft's name on this device
//   data-draft-bound="1"   the server showed the form again after a refusal: its values are the
//                          ones just sent, so only the photos come from the draft
//   data-draft-token="key" the field whose value identifies one submission (optional)
// Hidden fields are not restored (a case's version must come from the server) unless marked
// `data-draft-keep`. On a refusal the first error is scrolled to and focused.
(function () {
  "use strict";
  if (window.chuangchengDrafts) { return; }  // the marker's own <script> may load it a second time
  var gettext = window.gettext || function (msgid) { return msgid; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\((\w+)\)s/g, function (match, name) { return String(obj[name]); });
  };
  var DB_NAME = "chuangcheng-drafts", STORE = "drafts";
  var MAX_AGE_DAYS = 30;  // a draft nobody came back to is not kept on the phone for ever
  var opened = null;

  function openDb() {
    if (opened) { return opened; }
    opened = new Promise(function (resolve) {
      var request;
      try { request = window.indexedDB ? window.indexedDB.open(DB_NAME, 1) : null; } catch (e) { request = null; }
      if (!request) { resolve(null); return; }
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, {keyPath: "name"}); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { resolve(null); };
      request.onblocked = function () { resolve(null); };
    });
    return opened;
  }

  // One transaction; resolves with the request's result (null without IndexedDB).
  function run(mode, work) {
    return openDb().then(function (db) {
      if (!db) { return null; }
      return new Promise(function (resolve, reject) {
        var tx;
        try { tx = db.transaction(STORE, mode); } catch (e) { reject(e); return; }
        var result = null, request;
        try { request = work(tx.objectStore(STORE)); } catch (e) { reject(e); return; }
        if (request) { request.onsuccess = function () { result = request.result === undefined ? null : request.result; }; }
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function read(name) {
    return run("readonly", function (store) { return store.get(name); }).catch(function () { return null; });
  }

  function write(record) {
    return run("readwrite", function (store) { return store.put(record); });
  }

  // Removes the drafts named PREFIX… (with a token, only the one that carried it) and old ones.
  function clear(prefix, token) {
    var oldest = Date.now() - MAX_AGE_DAYS * 86400000;
    return run("readwrite", function (store) {
      var cursor = store.openCursor();
      cursor.onsuccess = function () {
        var c = cursor.result;
        if (!c) { return; }
        var record = c.value || {};
        var done = prefix !== null && String(c.key).indexOf(prefix) === 0 && (!token || record.token === token);
        if (done || Date.parse(record.saved || "") < oldest) { c.delete(); }
        c.continue();
      };
      return null;
    }).catch(function () { return null; });
  }

  // Markers of accepted submissions: ours, and the inspection's own page (`data-submitted-key`).
  function clearAccepted() {
    var work = [];
    document.querySelectorAll("[data-draft-done]").forEach(function (el) {
      work.push(clear(el.dataset.draftDone, el.dataset.draftToken || ""));
    });
    document.querySelectorAll("[data-submitted-key][data-point]").forEach(function (el) {
      work.push(clear("inspect|" + el.dataset.point + "|", el.dataset.submittedKey));
    });
    if (!work.length) { work.push(clear(null, "")); }
    return Promise.all(work);
  }

  function visible(el) {
    return !el.disabled && el.type !== "hidden" && !el.closest("[hidden]") && el.getClientRects().length > 0;
  }

  // The first error of a refused form: its field when the error stands next to one (focused, with
  // the error as its description), else the message itself.
  function focusFirstError(form) {
    var lists = Array.prototype.filter.call(form.querySelectorAll(".errorlist"), function (el) {
      return !el.closest("[hidden]") && el.getClientRects().length > 0;
    });
    var target = null, message = lists[0] || document.querySelector(".errorbox, #form-errors");
    if (!message) { return; }
    var box = lists[0] && lists[0].closest(".form-row, fieldset");
    if (box) {
      var controls = Array.prototype.filter.call(box.querySelectorAll("input, select, textarea"), visible);
      target = controls.filter(function (c) { return c.getAttribute("aria-invalid") === "true"; })[0] ||
        controls.filter(function (c) {
          if (c.type === "radio") { return !box.querySelector('input[type=radio][name="' + c.name + '"]:checked'); }
          if (c.type === "checkbox") { return false; }
          if (c.type === "file") { return !c.files.length; }
          return !c.value;
        })[0] || controls[0] || null;
    }
    if (target && message.id) {
      var described = (target.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      if (described.indexOf(message.id) < 0) { described.push(message.id); }
      target.setAttribute("aria-describedby", described.join(" "));
    }
    target = target || message;
    if (!target.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(target.tagName)) {
      target.setAttribute("tabindex", "-1");
    }
    target.scrollIntoView({block: "center"});
    try { target.focus({preventScroll: true}); } catch (e) { target.focus(); }
  }

  function attach(form) {
    var name = form.dataset.draftStore;
    var bound = form.dataset.draftBound === "1";
    var tokenName = form.dataset.draftToken || "";
    var files = {};           // file input name -> [{name, type, lastModified, data}]
    var ready = false, dirty = false, timer = null, available = true;
    var status = form.querySelector("[data-draft-files-status]");
    if (!status) {
      status = document.createElement("p");
      status.className = "help draft-note";
      status.setAttribute("role", "status");
      form.insertBefore(status, form.firstElementChild ? form.firstElementChild.nextSibling : null);
    }

    function fields() {
      return Array.prototype.filter.call(form.elements, function (el) {
        if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === tokenName) { return false; }
        if (/^(file|submit|button|reset|password)$/.test(el.type) || el.tagName === "BUTTON") { return false; }
        return el.type !== "hidden" || el.hasAttribute("data-draft-keep");
      });
    }

    function values() {
      var out = {};
      fields().forEach(function (el) {
        if (el.type === "radio") { if (el.checked) { out[el.name] = el.value; } }
        else if (el.type === "checkbox") {
          out[el.name] = out[el.name] || [];
          if (el.checked) { out[el.name].push(el.value); }
        } else if (el.type === "select-multiple") {
          out[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
            .map(function (o) { return o.value; });
        } else { out[el.name] = el.value; }
      });
      return out;
    }

    function applyValues(saved) {
      fields().forEach(function (el) {
        if (!(el.name in saved)) { return; }
        var want = saved[el.name], changed = false;
        if (el.type === "radio") {
          changed = el.checked !== (want === el.value);
          el.checked = want === el.value;
        } else if (el.type === "checkbox") {
          var on = Array.isArray(want) && want.indexOf(el.value) >= 0;
          changed = el.checked !== on;
          el.checked = on;
        } else if (el.type === "select-multiple") {
          Array.prototype.forEach.call(el.options, function (o) {
            var pick = Array.isArray(want) && want.indexOf(o.value) >= 0;
            changed = changed || o.selected !== pick;
            o.selected = pick;
          });
        } else if (typeof want === "string" && el.value !== want) {
          el.value = want;
          changed = true;
        }
        if (changed) {
          el.dispatchEvent(new Event("input", {bubbles: true}));
          el.dispatchEvent(new Event("change", {bubbles: true}));
        }
      });
    }

    function record() {
      var token = tokenName && form.elements[tokenName] ? form.elements[tokenName].value : "";
      return {name: name, token: token, url: location.pathname, saved: new Date().toISOString(),
              values: values(), files: files};
    }

    function asBuffers(rec) {
      // Some browsers cannot keep a Blob in IndexedDB: keep the bytes instead.
      var names = Object.keys(rec.files);
      return Promise.all(names.map(function (key) {
        return Promise.all(rec.files[key].map(function (f) {
          return (f.data.arrayBuffer ? f.data.arrayBuffer() : new Response(f.data).arrayBuffer()).then(function (buf) {
            return {name: f.name, type: f.type, lastModified: f.lastModified, data: buf};
          });
        }));
      })).then(function (lists) {
        var out = {};
        names.forEach(function (key, i) { out[key] = lists[i]; });
        rec.files = out;
        return rec;
      });
    }

    function saveNow() {
      timer = null;
      if (!ready) { dirty = true; return Promise.resolve(); }
      var rec = record();
      return write(rec).catch(function (err) {
        if (err && err.name === "DataCloneError") { return asBuffers(rec).then(write); }
        throw err;
      }).catch(function () {
        status.textContent = gettext("This browser could not keep the draft (storage full or private mode): photos must be chosen again after a reload.");
      });
    }

    function save() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(saveNow, 250);
    }

    function keepFiles(input) {
      files[input.name] = Array.prototype.map.call(input.files || [], function (f) {
        return {name: f.name, type: f.type, lastModified: f.lastModified, data: f};
      });
    }

    function count(map) {
      return Object.keys(map).reduce(function (n, key) { return n + map[key].length; }, 0);
    }

    // Puts the draft's photos back into empty file inputs; previews and the form's own scripts follow
    // the change event as if the photos had just been chosen.
    function restoreFiles(saved) {
      var put = 0;
      if (typeof DataTransfer === "undefined") { return put; }
      form.querySelectorAll("input[type=file]").forEach(function (input) {
        var list = saved[input.name];
        if (!list || !list.length || (input.files && input.files.length)) { return; }
        var dt = new DataTransfer();
        try {
          list.forEach(function (f) {
            dt.items.add(new File([f.data], f.name, {type: f.type, lastModified: f.lastModified}));
          });
          input.files = dt.files;
        } catch (e) { return; }
        put += list.length;
        input.dispatchEvent(new Event("change", {bubbles: true}));
      });
      return put;
    }

    form.addEventListener("change", function (e) {
      if (e.target && e.target.type === "file" && e.target.name) {
        keepFiles(e.target);
        if (timer) { clearTimeout(timer); }
        saveNow();  // a photo is kept at once: the tab may be closed the next moment
        return;
      }
      save();
    });
    form.addEventListener("input", save);
    form.addEventListener("submit", function () { if (timer) { saveNow(); } });
    window.addEventListener("pagehide", function () { if (timer) { clearTimeout(timer); saveNow(); } });

    return openDb().then(function (db) {
      available = !!db;
      return available ? read(name) : null;
    }).then(function (saved) {
      var restoring = saved || {};
      // What the draft holds for inputs the person has not touched yet.
      Object.keys(restoring.files || {}).forEach(function (key) { files[key] = restoring.files[key]; });
      form.querySelectorAll("input[type=file]").forEach(function (input) {
        if (input.files && input.files.length) { keepFiles(input); }
      });
      ready = true;
      if (saved && !bound && saved.values) { applyValues(saved.values); }
      var put = saved ? restoreFiles(saved.files || {}) : 0;
      var kept = document.querySelectorAll("[data-draft-refused-photos]");
      if (put) {
        status.textContent = interpolate(gettext("Photos from your draft on this device attached again: %(n)s."),
          {n: put}, true);
        kept.forEach(function (el) {
          el.textContent = interpolate(gettext(
            "Your photos were kept on this device and are attached again (%(n)s): no need to choose them again."),
            {n: put}, true);
        });
      } else if (saved && count(saved.files || {}) && typeof DataTransfer === "undefined") {
        status.textContent = gettext("Your photos are kept on this device, but this browser cannot attach them again: choose them again.");
      } else if (!available && form.querySelector("input[type=file]")) {
        status.textContent = gettext("This browser does not keep photos in the draft (private mode?): after a reload or a refusal, choose them again.");
      }
      if (bound || dirty || !saved) { return saveNow(); }
      return null;
    });
  }

  var cleared = clearAccepted();
  var forms = document.querySelectorAll("form[data-draft-store]");
  var attached = cleared.then(function () {
    return Promise.all(Array.prototype.map.call(forms, function (form) {
      return attach(form).catch(function () { return null; });
    }));
  });
  window.chuangchengDrafts = {clear: clear, ready: attached};
  // An inspection put in the offline queue (offline.js) will be sent from there: its draft is done.
  document.addEventListener("chuangcheng:queued", function (event) {
    var key = event.detail && event.detail.key;
    if (key) { clear("inspect|", key); }
  });

  // A refusal: once the photos are back, the first error is brought into view and focused (the
  // photos do not decide which field is focused, so a slow database only delays the scroll).
  forms.forEach(function (form) {
    if (form.dataset.draftBound !== "1") { return; }
    var focused = false;
    function go() { if (!focused) { focused = true; focusFirstError(form); } }
    attached.then(go, go);
    setTimeout(go, 800);
  });
})();
