/* Nothing lost: the offline outbox (IndexedDB, replayed in order with each entry's
   Idempotency-Key, its count and each outcome shown) and form drafts kept until the server
   acknowledges them. Loaded after keeper.js (EV.banner, EV.newKey). */
(function () {
  "use strict";
  var EV = window.EV;
  var banner = EV.banner;
  var newKey = EV.newKey;

  /* --- the outbox: what could not be sent, in order, each with its key ---------------- */
  var DB_NAME = "evidence";
  var STORE = "outbox";
  var OUTCOMES = "evidence.outbox.outcomes";

  /* One connection: transactions are then made in the order they are asked for, so the
     outbox keeps the order of the scans. */
  var opened = null;
  function openDb() {
    opened = opened || new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = window.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { opened = null; reject(request.error); };
    });
    return opened;
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function outcomes() {
    try { return JSON.parse(window.localStorage.getItem(OUTCOMES) || "[]"); } catch (e) { return []; }
  }

  function remember(outcome) {
    var all = [outcome].concat(outcomes()).slice(0, 10);
    try { window.localStorage.setItem(OUTCOMES, JSON.stringify(all)); } catch (e) { /* ignore */ }
  }

  function outcomeItem(o) {
    var li = document.createElement("li");
    li.className = o.ok ? "ok" : "refused";
    li.textContent = (o.ok ? "✔ " : "✖ ") + o.label + (o.message ? " — " + o.message : "");
    if (o.url) {
      var a = document.createElement("a");
      a.href = o.url;
      a.textContent = " " + EV.t("keeper.outbox_open");
      li.appendChild(a);
    }
    return li;
  }

  /* The count waiting, what waits (in order), then the last outcomes. */
  function showOutbox(waiting) {
    var box = document.getElementById("outbox");
    if (!box) { return; }
    var done = outcomes();
    box.hidden = !waiting.length && !done.length;
    box.className = "outbox card" + (waiting.length ? " waiting" : "");
    document.getElementById("outbox-count").textContent = EV.t("keeper.outbox_count", { count: waiting.length });
    var list = document.getElementById("outbox-list");
    list.textContent = "";
    waiting.forEach(function (entry) {
      var li = document.createElement("li");
      li.className = "pending";
      li.textContent = "↻ " + entry.label;  // waiting, will be sent again
      list.appendChild(li);
    });
    done.forEach(function (o) { list.appendChild(outcomeItem(o)); });
  }

  function pending() {
    return withStore("readonly", function (store) { return store.getAll(); }).catch(function () { return []; });
  }

  function count() { return pending().then(function (all) { return all.length; }); }

  function refresh() { return pending().then(showOutbox); }

  var added = false;  // something joined the outbox while a replay was running
  function add(entry) {
    added = true;
    entry.key = entry.key || newKey();
    entry.created = new Date().toISOString();
    return withStore("readwrite", function (store) { store.add(entry); }).then(refresh);
  }

  function send(entry) {
    var headers = { "X-CSRF-Token": EV.csrfToken(), "Idempotency-Key": entry.key };
    var body = new FormData();
    if (entry.form) {
      entry.form.forEach(function (pair) { body.append(pair[0], pair[0] === "csrf_token" ? EV.csrfToken() : pair[1]); });
    } else {
      headers.Accept = "application/json";
      body = new URLSearchParams();
      Object.keys(entry.fields).forEach(function (name) {
        var value = entry.fields[name];
        (Array.isArray(value) ? value : [value]).forEach(function (v) { body.append(name, v); });
      });
    }
    return EV.fetchWithin(entry.url, { method: "POST", credentials: "same-origin", headers: headers, body: body },
                          entry.form ? 30000 : 10000);
  }

  /* The answer's sentences: JSON from the scan routes, the refusal's notice from a page. */
  function answerOf(response) {
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("text/html") < 0) { return response.clone().json().catch(function () { return {}; }); }
    return response.clone().text().then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var notes = page.querySelectorAll(".notice.error p");
      return { messages: Array.prototype.map.call(notes, function (p) { return p.textContent.trim(); }).filter(Boolean) };
    }, function () { return {}; });
  }

  var flushing = null;
  /* Replay in order; stop at the first that cannot reach the server (or needs a login). */
  function flush() {
    if (flushing) { return flushing; }
    added = false;
    flushing = withStore("readonly", function (store) { return store.getAll(); }).then(function (entries) {
      return entries.reduce(function (chain, entry) {
        return chain.then(function (go) {
          if (!go) { return false; }
          return send(entry).then(function (response) {
            if (response.status === 401 || response.status === 403) {
              EV.banner({ kind: "warn", title: EV.t("keeper.outbox_login") });
              return false;
            }
            if (response.status >= 502) { return false; }  // a proxy without the server: try again later
            return answerOf(response).then(function (json) {
              var ok = response.ok;
              var message = ok ? ((json.messages || [])[0] || "") : ((json.messages || [])[0] || EV.t("keeper.outbox_refused"));
              remember({ label: entry.label, ok: ok, message: message, url: entry.form && ok ? response.url : "" });
              if (ok && entry.draft) { window.localStorage.removeItem(entry.draft); }
              if (ok && entry.sent) {
                try { window.localStorage.setItem(entry.sent, JSON.stringify({ values: entry.values, key: entry.key, at: Date.now() })); } catch (e) { /* full */ }
              }
              return withStore("readwrite", function (store) { store.delete(entry.id); }).then(function () { return true; });
            });
          }, function () { return false; });
        });
      }, Promise.resolve(true));
    }).catch(function () { return false; }).then(function (allSent) {
      flushing = null;
      if (allSent && added) { return flush(); }  // what was queued meanwhile goes too
      return refresh();
    });
    return flushing;
  }

  window.addEventListener("online", flush);
  window.setInterval(function () { if (navigator.onLine) { flush(); } }, 15000);

  /* --- drafts: <form data-draft="name"> keeps what was typed until acknowledged -------- */
  function draftKey(form) { return "evidence.draft:" + form.getAttribute("data-draft"); }

  function pairs(form) {
    var out = [];
    new FormData(form).forEach(function (value, name) { out.push([name, value]); });
    return out;
  }

  function saveDraft(form) {
    var text = pairs(form).filter(function (p) { return typeof p[1] === "string"; });
    try { window.localStorage.setItem(draftKey(form), JSON.stringify(text)); } catch (e) { /* full */ }
  }

  function restoreDraft(form) {
    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(draftKey(form)) || "null"); } catch (e) { saved = null; }
    if (!saved || form.getAttribute("data-draft-fresh") !== "1") { return; }
    var byName = {};
    saved.forEach(function (p) { (byName[p[0]] = byName[p[0]] || []).push(p[1]); });
    var add = form.getAttribute("data-draft-add");
    var repeat = form.getAttribute("data-draft-repeat");
    if (add && repeat && byName[repeat]) {
      var button = document.querySelector(add);
      var guard = 50;
      while (button && form.querySelectorAll('[name="' + repeat + '"]').length < byName[repeat].length && guard--) { button.click(); }
    }
    Object.keys(byName).forEach(function (name) {
      if (name === "csrf_token") { return; }
      var fields = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
      byName[name].forEach(function (value, n) {
        var field = fields[n];
        if (!field || field.type === "file") { return; }
        if (field.type === "checkbox" || field.type === "radio") { field.checked = field.value === value; } else { field.value = value; }
      });
    });
    banner({ kind: "info", title: EV.t("keeper.draft_restored"), quiet: true });
  }

  /* Back after a sent form shows it again as it was (the browser restores what was typed)
     but with the new page's key: the same values sent again within the hour take the key they
     were first sent with, so the server answers with the first result instead of acting twice. */
  var SENT_FOR = 3600 * 1000;
  function sentKey(form) { return "evidence.sent:" + form.getAttribute("data-draft"); }

  function sentValues(form) {
    return JSON.stringify(pairs(form).filter(function (p) {
      return typeof p[1] === "string" && p[0] !== "csrf_token" && p[0] !== "form_key";
    }));
  }

  function keyOfSameForm(form) {
    var field = form.querySelector('[name="form_key"]');
    var sent = null;
    try { sent = JSON.parse(window.localStorage.getItem(sentKey(form)) || "null"); } catch (e) { sent = null; }
    if (field && sent && sent.values === sentValues(form) && Date.now() - sent.at < SENT_FOR) { field.value = sent.key; }
    return field ? field.value : "";
  }

  function submitDraft(form, event) {
    event.preventDefault();
    saveDraft(form);
    var key = keyOfSameForm(form);
    var values = sentValues(form);
    var body = new FormData(form);
    EV.fetchWithin(form.action, { method: "POST", credentials: "same-origin", body: body }, 30000).then(function (response) {
      if (response.ok && response.redirected) {
        window.localStorage.removeItem(draftKey(form));
        try { window.localStorage.setItem(sentKey(form), JSON.stringify({ values: values, key: key, at: Date.now() })); } catch (e) { /* full */ }
        window.location.assign(response.url);
        return;
      }
      if (response.status === 401) {  // the session expired: log in, come back, the draft is here
        window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname + window.location.search));
        return;
      }
      return response.text().then(function (html) {  // the page with the refusal: draft kept
        document.open();
        document.write(html);
        document.close();
      });
    }, function () {
      add({ url: form.action, form: pairs(form), draft: draftKey(form), sent: sentKey(form), values: values, key: key,
            label: form.getAttribute("data-draft-label") || form.action });
      banner({ kind: "warn", title: EV.t("keeper.form_queued") });
    });
  }

  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    restoreDraft(form);
    form.addEventListener("input", function () { saveDraft(form); });
    form.addEventListener("change", function () { saveDraft(form); });
    form.addEventListener("submit", function (event) { submitDraft(form, event); });
  });

  EV.outbox = { add: add, flush: flush, count: count };
  refresh();
  if (navigator.onLine) { flush(); }
})();
