/* Executing a destruction batch on a tablet: scanning an item's label (or typing its code)
   brings its row into view and focuses the weight; the weight is compared with the recorded
   one as it is typed, and a difference beyond the tolerance is highlighted and needs a note
   (the server checks the same). The chosen method shows only its own fields. */
(function () {
  "use strict";
  var EV = window.EV;
  var form = document.getElementById("execute-form");
  if (!form) { return; }
  var tolerance = parseFloat(form.getAttribute("data-tolerance")) || 0;
  var scan = document.getElementById("exec-scan");
  var status = document.getElementById("exec-status");
  var unit = document.getElementById("weight_unit");
  var method = document.getElementById("method");
  var risk = document.getElementById("method-risk");
  var rows = Array.prototype.slice.call(document.querySelectorAll(".check-row"));

  function number(text) {
    var s = String(text || "").trim().replace(/\s/g, "");
    if (!s || (s.match(/[.,]/g) || []).length > 1) { return null; }
    var value = parseFloat(s.replace(",", "."));
    return isFinite(value) ? value : null;
  }

  /* A scanned label "EV1I<key><check>", a URL ending in one, or a code typed by hand. */
  function keyOf(text) {
    var s = String(text || "").trim().toUpperCase();
    if (s.indexOf("/") >= 0) { s = s.split("/").filter(Boolean).pop() || ""; }
    if (s.indexOf("EV1") === 0 && s.length > 5) { return s.slice(4, -1); }
    return s.replace(/[-.\/\s]/g, "");
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "notice " + kind;
  }

  function check(row) {
    var recorded = parseFloat(row.getAttribute("data-recorded-g"));
    var weight = number(row.querySelector(".weight").value);
    var diff = row.querySelector(".diff");
    var note = row.querySelector(".note");
    var excluded = row.querySelector(".result").value === "excluded";
    row.classList.toggle("excluded", excluded);
    row.querySelector(".reason-field input").required = excluded;
    if (weight === null || !isFinite(recorded) || recorded <= 0) {
      diff.textContent = "";
      row.classList.remove("flagged");
      note.required = false;
      return;
    }
    var grams = unit.value === "kg" ? weight * 1000 : weight;
    var pct = Math.abs(grams - recorded) / recorded * 100;
    var flagged = pct > tolerance + 1e-9;
    var shown = pct.toFixed(1);
    if (document.documentElement.lang === "vi") { shown = shown.replace(".", ","); }  // 1,5 %
    diff.textContent = EV.t(flagged ? "over_tolerance" : "within_tolerance", { pct: shown });
    row.classList.toggle("flagged", flagged);
    note.required = flagged;
  }

  rows.forEach(function (row) {
    row.addEventListener("input", function () { check(row); });
    row.addEventListener("change", function () { check(row); });
    check(row);
  });
  unit.addEventListener("change", function () { rows.forEach(check); });

  function showMethod() {
    document.querySelectorAll(".method-fields").forEach(function (box) {
      var on = box.getAttribute("data-method") === method.value;
      box.hidden = !on;
      box.querySelectorAll("input[data-required='1']").forEach(function (input) { input.required = on; });
    });
    var chosen = method.options[method.selectedIndex];
    risk.hidden = !(chosen && chosen.getAttribute("data-risky") === "1");
  }
  method.addEventListener("change", showMethod);
  showMethod();

  scan.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    event.preventDefault();  // Enter from the scanner must not submit the whole form
    var raw = scan.value;
    var key = keyOf(raw);
    scan.value = "";
    if (window.EVPayload && window.EVPayload.looksLikePayload(raw)) {
      try { window.EVPayload.parse(raw); } catch (e) {  // a damaged label says so, not "not in the batch"
        rows.forEach(function (r) { r.classList.remove("current"); });
        say(EV.t("keeper." + e.type), "error");
        EV.beep("error");
        return;
      }
    }
    var row = rows.filter(function (r) { return r.getAttribute("data-key") === key; })[0];
    rows.forEach(function (r) { r.classList.remove("current"); });
    if (!row) {
      say(EV.t("not_in_batch"), "error");
      EV.beep("error");
      return;
    }
    row.classList.add("current");
    row.scrollIntoView({ block: "center" });
    row.querySelector(".weight").focus();
    say(EV.t("found", { code: row.querySelector(".code").textContent }), "success");
    EV.beep("ok");
  });
  /* Enter in a weight field moves back to the scan field for the next item. */
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.classList && event.target.classList.contains("weight")) {
      event.preventDefault();
      scan.focus();
    }
  });
  document.addEventListener("evidence:scan", function (event) {
    scan.value = event.detail;
    scan.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
  });
})();
