/* The stocktake scan page: the scan field keeps the focus; each scan (keyboard-wedge scanner
   ending in Enter, or the camera) is sent at once and the counts of expected / seen /
   remaining / unexpected are updated from the answer. "Seal broken" applies to the next
   scan only. */
(function () {
  "use strict";
  var EV = window.EV;
  var form = document.getElementById("stocktake-scan");
  if (!form) { return; }
  var input = document.getElementById("scan-input");
  var seal = document.getElementById("seal-broken");
  var status = document.getElementById("scan-status");
  var log = document.getElementById("scan-log");
  var queue = Promise.resolve();

  function show(messages, kind) {
    status.className = "notice " + kind;
    status.textContent = "";
    messages.forEach(function (text) {
      var p = document.createElement("p");
      p.textContent = text;
      status.appendChild(p);
    });
  }

  function setCount(name, value, warnWhenPositive) {
    document.getElementById("count-" + name).textContent = String(value);
    var box = document.getElementById("box-" + name);
    if (box && warnWhenPositive) {
      box.className = value > 0 ? "warn" : "ok";
    }
  }

  function remember(text, kind) {
    var li = document.createElement("li");
    li.className = kind;
    li.textContent = text;
    log.insertBefore(li, log.firstChild);
    while (log.children.length > 30) { log.removeChild(log.lastChild); }
  }

  function send(raw) {
    var text = String(raw || "").trim();
    if (!text) { return; }
    var broken = seal.checked;
    queue = queue.then(function () {
      return EV.post(form.getAttribute("action"), { payload: text, seal_broken: broken ? "1" : "" });
    }).then(function (answer) {
      var body = answer.body || {};
      if (answer.status === 0) {  // offline: read the label here, send the scan later
        try {
          var scanned = window.EVPayload.parse(text);
          EV.outbox.add({ url: form.getAttribute("action"), fields: { payload: text, seal_broken: broken ? "1" : "" },
                          label: EV.t("keeper.queued_scan", { code: scanned.code }) });
          body = { messages: [EV.t("keeper.offline_recognised_code", { code: scanned.code }), EV.t("keeper.offline_kept")], kind: "warn" };
        } catch (e) {
          body = { messages: [EV.t("keeper." + e.type)], kind: "error" };
        }
        answer = { ok: true };
      }
      var messages = body.messages || [EV.t("network_error")];
      var kind = answer.ok ? (body.kind || "success") : "error";
      EV.banner({ kind: kind, title: messages[0], lines: messages.slice(1) });
      remember(messages[0], kind);
      if (body.counts) {
        setCount("expected", body.counts.expected);
        setCount("seen", body.counts.seen);
        setCount("remaining", body.counts.remaining, true);
        setCount("unexpected", body.counts.unexpected, true);
      }
    });
    seal.checked = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value);
    input.value = "";
    input.focus();
  });
  document.addEventListener("evidence:scan", function (event) { send(event.detail); });
  document.addEventListener("evidence:status", function (event) {
    show([event.detail.text], event.detail.kind);
  });

  /* Keep the scan field focused, unless the user is busy with another control. */
  input.addEventListener("blur", function () {
    window.setTimeout(function () {
      var active = document.activeElement;
      if (!active || active === document.body || active === document.documentElement) { input.focus(); }
    }, 0);
  });
  document.addEventListener("keydown", function (event) {
    var active = document.activeElement;
    if ((!active || active === document.body) && event.key.length === 1 && !event.ctrlKey && !event.metaKey) {
      input.focus();
    }
  });
})();
