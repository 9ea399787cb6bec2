/* The scan page. A keyboard-wedge scanner "types" the label into the focused field and ends
   with Enter; the camera sends "evidence:scan" events. One scan opens the item (or
   location); in continuous mode items are collected until a location label is scanned,
   then one confirmation moves them all (one transaction on the server). */
(function () {
  "use strict";
  var EV = window.EV;
  var form = document.getElementById("scan-form");
  var input = document.getElementById("scan-input");
  var status = document.getElementById("scan-status");
  var continuous = document.getElementById("continuous");
  var batch = document.getElementById("batch");
  var list = document.getElementById("batch-list");
  var count = document.getElementById("batch-count");
  var confirmBox = document.getElementById("confirm");
  var confirmTitle = document.getElementById("confirm-title");
  var overrideBox = document.getElementById("override-box");
  var overrideReason = document.getElementById("override-reason");
  var moveReason = document.getElementById("move-reason");
  var yes = document.getElementById("confirm-yes");
  var no = document.getElementById("confirm-no");

  var items = [];          // scanned items, in order: {code, description, ...}
  var target = null;       // the scanned location waiting for confirmation
  var queue = Promise.resolve();

  function show(messages, kind) {
    status.className = "notice " + kind;
    status.textContent = "";
    (Array.isArray(messages) ? messages : [messages]).forEach(function (text) {
      var p = document.createElement("p");
      p.textContent = text;
      status.appendChild(p);
    });
  }

  function refuse(answer) {
    var messages = (answer.body && answer.body.messages) || [EV.t("network_error")];
    show(messages, "error");
    EV.beep("error");
  }

  /* Keep the scan field focused, unless the user is busy with another control. */
  function refocus() {
    window.setTimeout(function () {
      var active = document.activeElement;
      if (!active || active === document.body || active === document.documentElement) {
        input.focus();
      }
    }, 0);
  }
  input.addEventListener("blur", refocus);
  document.addEventListener("keydown", function (event) {
    var active = document.activeElement;
    if ((active === document.body || !active) && event.key.length === 1 && !event.ctrlKey && !event.metaKey) {
      input.focus();
    }
  });

  function render() {
    list.textContent = "";
    items.forEach(function (item, index) {
      var li = document.createElement("li");
      var code = document.createElement("a");
      code.className = "code";
      code.href = item.url;
      code.textContent = item.code;
      var text = document.createElement("span");
      text.textContent = " " + item.description + (item.location_code ? " · " + item.location_code : "");
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "small secondary";
      remove.textContent = EV.t("remove");
      remove.setAttribute("aria-label", EV.t("remove") + " " + item.code);
      remove.addEventListener("click", function () {
        items.splice(index, 1);
        render();
        input.focus();
      });
      li.appendChild(code);
      li.appendChild(text);
      li.appendChild(remove);
      list.appendChild(li);
    });
    count.textContent = String(items.length);
    batch.hidden = !continuous.checked;
  }

  function closeConfirm() {
    target = null;
    confirmBox.hidden = true;
    overrideBox.hidden = true;
    overrideReason.value = "";
    moveReason.value = "";
  }

  function askToMove(location) {
    target = location;
    confirmTitle.textContent = EV.t("confirm_title", { count: items.length, location: location.code });
    confirmBox.hidden = false;
    show(EV.t("location_scanned", { code: location.code }), "info");
    EV.beep("ok");
    yes.focus();
  }

  function resolve(raw) {
    show(EV.t("working"), "info");
    return EV.post("/scan/resolve", { payload: raw }).then(function (answer) {
      if (!answer.ok) { refuse(answer); return; }
      var found = answer.body;
      if (!continuous.checked) {
        show(EV.t("opening", { code: found.code }), "success");
        EV.beep("ok");
        window.location.assign(found.url);
        return;
      }
      if (found.kind === "location") {
        if (!items.length) { show(EV.t("scan_items_first"), "warn"); EV.beep("warn"); return; }
        askToMove(found);
        return;
      }
      if (items.some(function (i) { return i.code === found.code; })) {
        show(EV.t("duplicate", { code: found.code }), "warn");
        EV.beep("warn");
        return;
      }
      items.push(found);
      render();
      show(EV.t("added", { code: found.code }), "success");
      EV.beep("ok");
    });
  }

  function move() {
    if (!target) { return; }
    yes.disabled = true;
    show(EV.t("working"), "info");
    EV.post("/scan/move", {
      item: items.map(function (i) { return i.code; }),
      location: target.code,
      reason: moveReason.value,
      override_reason: overrideBox.hidden ? "" : overrideReason.value
    }).then(function (answer) {
      yes.disabled = false;
      if (!answer.ok) {
        refuse(answer);
        if (answer.body.overridable && EV.data.can_override) {
          overrideBox.hidden = false;
          show(answer.body.messages.concat([EV.t("override_needed")]), "error");
          overrideReason.focus();
        } else {
          input.focus();
        }
        return;
      }
      items = [];
      closeConfirm();
      render();
      show(answer.body.messages, "success");
      EV.beep("ok");
      input.focus();
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
    show(event.detail.text, event.detail.kind);
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
  yes.addEventListener("click", move);
  no.addEventListener("click", function () {
    closeConfirm();
    show(EV.t("cancelled"), "info");
    input.focus();
  });

  try { continuous.checked = window.localStorage.getItem("evidence.continuous") === "1"; } catch (e) { /* ignore */ }
  render();
  input.focus();
})();
