/* The scan page. A keyboard-wedge scanner "types" the label into the focused field and ends
   with Enter; the camera sends "evidence:scan" events. One scan opens the item (or
   location); in continuous mode items are collected until a location label is scanned,
   then one confirmation moves them all (one transaction on the server).

   Confirm by intent: the confirmation box never takes the focus. The scan field keeps it, so
   a scanner's Enter can only submit a scan; the move is confirmed by a tap on the button or
   by scanning the same location again. Offline, labels are read here (payload.js) and the
   move is queued with its Idempotency-Key (EV.outbox, app.js). */
(function () {
  "use strict";
  var EV = window.EV;
  var form = document.getElementById("scan-form");
  var input = document.getElementById("scan-input");
  var continuous = document.getElementById("continuous");
  var batch = document.getElementById("batch");
  var list = document.getElementById("batch-list");
  var count = document.getElementById("batch-count");
  var confirmBox = document.getElementById("confirm");
  var confirmTitle = document.getElementById("confirm-title");
  var preview = document.getElementById("confirm-preview");
  var overrideBox = document.getElementById("override-box");
  var overrideReason = document.getElementById("override-reason");
  var moveReason = document.getElementById("move-reason");
  var yes = document.getElementById("confirm-yes");
  var no = document.getElementById("confirm-no");

  var items = [];          // scanned items, in order: {code, description, ...}
  var target = null;       // the scanned location waiting for confirmation
  var queue = Promise.resolve();
  var SAVED = "evidence.scan.items";
  try { items = JSON.parse(window.localStorage.getItem(SAVED) || "[]"); } catch (e) { items = []; }

  function refuse(answer, item) {
    var messages = (answer.body && answer.body.messages) || [EV.t("network_error")];
    EV.banner({ kind: "error", title: messages[0], lines: messages.slice(1), item: item });
  }

  /* Keep the scan field focused, unless the user is busy with another text field. A key
     typed on a button, a checkbox or the page goes to the scan field, so a scanner's Enter
     never lands on the confirmation button. */
  function refocus() {
    window.setTimeout(function () {
      if (!EV.isTextField(document.activeElement)) { input.focus(); }
    }, 0);
  }
  input.addEventListener("blur", refocus);
  document.addEventListener("keydown", function (event) {
    if (EV.isTextField(document.activeElement) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key.length === 1 || event.key === "Enter") {
      if (event.key === "Enter") { event.preventDefault(); }
      input.focus();
    }
  }, true);

  function render() {
    list.textContent = "";
    items.forEach(function (item, index) {
      var li = document.createElement("li");
      var code = document.createElement("a");
      code.className = "code";
      code.href = item.url;
      code.textContent = item.code;
      var text = document.createElement("span");
      text.textContent = " " + (item.description || "") + (item.location_code ? " · " + item.location_code : "") +
        (item.offline ? " · " + EV.t("keeper.offline_recognised") : "");
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "small secondary";
      remove.textContent = EV.t("remove");
      remove.setAttribute("aria-label", EV.t("remove") + " " + item.code);
      remove.addEventListener("click", function () {
        items.splice(index, 1);
        render();
        if (target) { askToMove(target); }
        input.focus();
      });
      li.appendChild(code);
      li.appendChild(text);
      li.appendChild(remove);
      list.appendChild(li);
    });
    count.textContent = String(items.length);
    batch.hidden = !continuous.checked;
    // The list survives a reload, a crash and an expired session (until moved or cleared).
    try { window.localStorage.setItem(SAVED, JSON.stringify(items)); } catch (e) { /* full */ }
  }

  function closeConfirm() {
    target = null;
    confirmBox.hidden = true;
    overrideBox.hidden = true;
    overrideReason.value = "";
    moveReason.value = "";
  }

  /* "after the move: 14 / 20 items · 120 / 200 kg" from the location's usage and limits. */
  function capacityPreview(location) {
    if (!location.usage) { return EV.t("keeper.preview_unknown"); }
    var weight = items.reduce(function (sum, i) { return sum + (i.net_weight_g || 0); }, 0) / 1000;
    var volume = items.reduce(function (sum, i) { return sum + (i.volume_l || 0); }, 0);
    var parts = [];
    function part(key, after, limit) {
      var values = { after: EV.number(after), limit: limit ? EV.number(limit) : EV.t("keeper.no_limit") };
      var text = EV.t(key, values);
      parts.push(limit && after > limit ? text + " " + EV.t("keeper.over_limit") : text);
    }
    part("keeper.preview_items", location.usage.items + items.length, location.max_items);
    part("keeper.preview_weight", location.usage.net_weight_kg + weight, location.max_weight_kg);
    if (location.max_volume_l || volume) { part("keeper.preview_volume", location.usage.volume_l + volume, location.max_volume_l); }
    return EV.t("keeper.preview", { what: parts.join(" · ") });
  }

  function askToMove(location) {
    target = location;
    confirmTitle.textContent = EV.t("confirm_title", { count: items.length, location: location.code });
    preview.textContent = capacityPreview(location);
    confirmBox.hidden = false;
    EV.banner({ kind: "info", title: EV.t("location_scanned", { code: location.code }), lines: [EV.t("keeper.scan_again")] });
    input.focus();
  }

  function itemFromLabel(scanned) {
    return { kind: "item", code: scanned.code, url: "/items/" + encodeURIComponent(scanned.code),
             description: "", can_move: true, offline: true };
  }

  function locationFromLabel(scanned) {
    return { kind: "location", code: scanned.code, url: "/locations/" + encodeURIComponent(scanned.code), offline: true };
  }

  /* No server: read the label here; refuse a damaged one by its check character. */
  function resolveOffline(raw, key) {
    var scanned;
    try { scanned = window.EVPayload.parse(raw); } catch (e) {
      EV.banner({ kind: "error", title: EV.t("keeper." + e.type) });
      return null;
    }
    // The same key as the attempt: if that one reached the server, the replay is not a second scan.
    EV.outbox.add({ url: "/scan/resolve", fields: { payload: raw }, key: key,
                    label: EV.t("keeper.queued_scan", { code: scanned.code }) });
    return scanned.kind === "item" ? itemFromLabel(scanned) : locationFromLabel(scanned);
  }

  function handle(found) {
    if (!continuous.checked) {
      if (found.offline) {
        EV.banner({ kind: "warn", title: EV.t("keeper.offline_recognised_code", { code: found.code }), lines: [EV.t("keeper.offline_kept")] });
        return;
      }
      EV.banner({ kind: "success", title: EV.t("opening", { code: found.code }), item: found.kind === "item" ? found : null });
      window.location.assign(found.url);
      return;
    }
    if (found.kind === "location") {
      if (!items.length) { EV.banner({ kind: "warn", title: EV.t("scan_items_first") }); return; }
      if (target && target.code === found.code) { return move(); }  // scanned again: confirmed
      askToMove(found);
      return;
    }
    if (items.some(function (i) { return i.code === found.code; })) {
      EV.banner({ kind: "warn", title: EV.t("duplicate", { code: found.code }), item: found });
      return;
    }
    if (found.can_move === false) {
      EV.banner({ kind: "error", title: EV.t("keeper.not_movable", { code: found.code, status: found.status_label }), item: found });
      return;
    }
    items.push(found);
    render();
    if (target) { askToMove(target); }
    EV.banner({ kind: "success", title: EV.t("added", { code: found.code }), item: found });
  }

  function resolve(raw) {
    if (target && window.EVPayload.looksLikePayload(raw)) {
      // The dialog is open: scanning the same location again confirms, without the server.
      try {
        var scanned = window.EVPayload.parse(raw);
        if (scanned.kind === "location" && scanned.code === target.code) { return move(); }
      } catch (e) { /* refused below, by the server or offline */ }
    }
    EV.banner({ kind: "info", title: EV.t("working") });
    var key = EV.newKey();
    return EV.post("/scan/resolve", { payload: raw }, { "Idempotency-Key": key }).then(function (answer) {
      if (answer.status === 0 || answer.status >= 502) {
        var found = resolveOffline(raw, key);
        return found ? handle(found) : undefined;
      }
      if (answer.status === 401) {  // the session expired: the scan is kept for after the login
        var kept = resolveOffline(raw, key);
        return kept ? Promise.resolve(handle(kept)).then(loginNeeded) : undefined;
      }
      if (!answer.ok) { refuse(answer); return; }
      return handle(answer.body);
    });
  }

  function loginNeeded() {
    EV.banner({ kind: "warn", title: EV.t("keeper.outbox_login") });
  }

  function moveFields() {
    return {
      item: items.map(function (i) { return i.code; }),
      location: target.code,
      reason: moveReason.value,
      override_reason: overrideBox.hidden ? "" : overrideReason.value
    };
  }

  function moved(messages, kind) {
    items = [];
    closeConfirm();
    render();
    EV.banner({ kind: kind || "success", title: messages[0], lines: messages.slice(1) });
    input.focus();
  }

  function queueMove(fields, key) {
    return EV.outbox.add({ url: "/scan/move", fields: fields, key: key,
                    label: EV.t("keeper.queued_move", { count: fields.item.length, location: fields.location }) }).then(function () {
      moved([EV.t("keeper.move_queued", { count: fields.item.length, location: fields.location })], "warn");
    });
  }

  function move() {
    if (!target) { return; }
    var fields = moveFields();
    var key = EV.newKey();
    yes.disabled = true;
    EV.banner({ kind: "info", title: EV.t("working") });
    // While older moves wait in the outbox this one waits behind them: replayed later, an
    // older move of the same item would otherwise undo it.
    return EV.outbox.count().then(function (waiting) {
      if (waiting) {
        yes.disabled = false;
        return queueMove(fields, key).then(EV.outbox.flush);
      }
      return sendMove(fields, key);
    });
  }

  function sendMove(fields, key) {
    return EV.post("/scan/move", fields, { "Idempotency-Key": key }).then(function (answer) {
      yes.disabled = false;
      if (answer.status === 0 || answer.status >= 502) {
        return queueMove(fields, key);
      }
      if (answer.status === 401) { return queueMove(fields, key).then(loginNeeded); }
      if (!answer.ok) {
        refuse(answer);
        if (answer.body.overridable && EV.data.can_override) {
          overrideBox.hidden = false;
          EV.banner({ kind: "error", title: answer.body.messages[0], lines: answer.body.messages.slice(1).concat([EV.t("override_needed")]) });
          overrideReason.focus();
        } else {
          closeConfirm();  // the refusal says why; the list stays for another place
          input.focus();
        }
        return;
      }
      moved(answer.body.messages);
    });
  }

  function enqueue(raw) {
    var text = (raw || "").trim();
    if (!text) { return; }
    queue = queue.then(function () { return resolve(text); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var raw = input.value;
    input.value = "";
    enqueue(raw);
  });
  document.addEventListener("evidence:scan", function (event) { enqueue(event.detail); });
  document.addEventListener("evidence:status", function (event) {
    EV.banner({ kind: event.detail.kind, title: event.detail.text, quiet: true });
  });
  continuous.addEventListener("change", function () {
    try { window.localStorage.setItem("evidence.continuous", continuous.checked ? "1" : ""); } catch (e) { /* ignore */ }
    closeConfirm();
    render();
    input.focus();
  });
  document.getElementById("batch-clear").addEventListener("click", function () {
    items = [];
    closeConfirm();
    render();
    input.focus();
  });
  /* A tap confirms; a click made by a key (Enter or Space on the button: detail 0) right
     after a scanner burst does not. */
  yes.addEventListener("click", function (event) {
    if (event.detail === 0 && EV.recentBurst()) { input.focus(); return; }
    queue = queue.then(move);  // after any scan still on its way
  });
  no.addEventListener("click", function () {
    closeConfirm();
    EV.banner({ kind: "info", title: EV.t("cancelled") });
    input.focus();
  });

  try { continuous.checked = window.localStorage.getItem("evidence.continuous") === "1"; } catch (e) { /* ignore */ }
  render();
  input.focus();
})();
