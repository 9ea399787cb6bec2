/* The keeper's loop on every page: the result banner, one keyboard-wedge listener, the app
   shell's service worker. Loaded after app.js (window.EV); outbox.js follows. */
(function () {
  "use strict";
  var EV = window.EV;
  var lang = document.documentElement.lang === "en" ? "en-GB" : "vi-VN";
  var numberFormat = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  var own = document.getElementById("keeper-strings");
  var strings = own ? JSON.parse(own.textContent) : {};
  var singular = document.getElementById("keeper-one");
  var one = singular ? JSON.parse(singular.textContent) : {};
  var pageT = EV.t;
  /* "keeper.x" keys come from the [keeper_js] section, on every page; a count of one takes
     the [keeper17_one] sentence where there is one ("1 item", not "1 items"). */
  EV.t = function (key, values) {
    var bare = key.indexOf("keeper.") === 0 ? key.slice(7) : key;
    if (values && values.count === 1 && one[bare]) { key = "keeper17_one." + bare; }
    if (key.indexOf("keeper17_one.") === 0) {
      var sentence = one[bare];
      Object.keys(values || {}).forEach(function (name) { sentence = sentence.split("{" + name + "}").join(String(values[name])); });
      return sentence;
    }
    if (key.indexOf("keeper.") !== 0) { return pageT(key, values); }
    var text = strings[key.slice(7)] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(values[name])); });
    return text;
  };

  function number(value) { return numberFormat.format(value || 0); }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(36).slice(2);
  }

  /* A control that takes typed text: a scanner typing there is the user's own business. */
  function isTextField(node) {
    if (!node || node === document.body) { return false; }
    if (node.isContentEditable || node.tagName === "TEXTAREA" || node.tagName === "SELECT") { return true; }
    if (node.tagName !== "INPUT") { return false; }
    return ["button", "submit", "reset", "checkbox", "radio", "file", "image", "range", "color"].indexOf(node.type) < 0;
  }

  /* Keys arriving faster than a person types: a scanner. */
  var lastKeyAt = 0;
  var gap = Infinity;
  var burst = 0;
  document.addEventListener("keydown", function () {
    var now = Date.now();
    gap = now - lastKeyAt;
    burst = gap < 60 ? burst + 1 : 0;
    lastKeyAt = now;
  }, true);
  function recentBurst() { return burst >= 3 && Date.now() - lastKeyAt < 600; }

  /* --- the banner: colour, icon, sound, vibration, and what the item is --------------- */
  var ICONS = { success: "✔", warn: "!", error: "✖", info: "i" };
  var VIBRATE = { success: [60], warn: [80, 60, 80], error: [250, 100, 250] };

  function pictogram(code, label) {
    var span = document.createElement("span");
    span.className = "pictogram hz-" + String(code).split(".")[0];
    span.setAttribute("role", "img");
    span.setAttribute("aria-label", label);
    span.title = label;
    var inner = document.createElement("span");
    inner.textContent = code;
    span.appendChild(inner);
    return span;
  }

  function itemBlock(item) {
    var box = document.createElement("div");
    box.className = "banner-item";
    var head = document.createElement("p");
    var code = document.createElement("strong");
    code.className = "code";
    code.textContent = item.code;
    head.appendChild(code);
    if (item.status_label) {
      var status = document.createElement("span");
      status.className = "badge status-" + item.status;
      status.textContent = item.status_label;
      head.appendChild(document.createTextNode(" "));
      head.appendChild(status);
    }
    box.appendChild(head);
    if (item.description) {
      var desc = document.createElement("p");
      desc.className = "banner-desc";
      desc.textContent = item.description + (item.category_label ? " · " + item.category_label : "");
      box.appendChild(desc);
    }
    var facts = [];
    if (item.location_code) { facts.push(EV.t("keeper.at_location", { code: item.location_code })); }
    if (item.weight) { facts.push(item.weight); }
    if (item.seal_state === "broken") { facts.push(item.seal_label); }
    if (facts.length) {
      var where = document.createElement("p");
      where.textContent = facts.join(" · ");
      box.appendChild(where);
    }
    if (item.hazard_classes && item.hazard_classes.length) {
      var hz = document.createElement("p");
      hz.className = "pictograms";
      item.hazard_classes.forEach(function (c, n) { hz.appendChild(pictogram(c, item.hazard_labels[n] || c)); });
      box.appendChild(hz);
    }
    return box;
  }

  /* EV.banner({kind, title, lines, item, quiet}) */
  function banner(answer) {
    var node = document.getElementById("scan-status") || document.getElementById("banner");
    if (!node) { return; }
    var kind = answer.kind || "info";
    node.hidden = false;
    node.className = "banner notice " + kind;
    node.textContent = "";
    var title = document.createElement("p");
    title.className = "banner-title";
    var icon = document.createElement("span");
    icon.className = "banner-icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = ICONS[kind] || ICONS.info;
    title.appendChild(icon);
    title.appendChild(document.createTextNode(" " + answer.title));
    node.appendChild(title);
    (answer.lines || []).forEach(function (text) {
      var p = document.createElement("p");
      p.textContent = text;
      node.appendChild(p);
    });
    if (answer.item) { node.appendChild(itemBlock(answer.item)); }
    if (kind !== "info" && !answer.quiet) {
      EV.beep(kind === "success" ? "ok" : kind);
      if (navigator.vibrate) { try { navigator.vibrate(VIBRATE[kind]); } catch (e) { /* not allowed */ } }
    }
  }

  /* --- one wedge listener for pages without a scan field of their own ----------------- */
  function fieldForLocation(node) { return node && node.getAttribute && node.getAttribute("data-accepts") === "location"; }

  /* A location field given a scanned label shows the location's code. */
  document.addEventListener("keydown", function (event) {
    var node = event.target;
    if (event.key !== "Enter" || !fieldForLocation(node) || !window.EVPayload.looksLikePayload(node.value)) { return; }
    event.preventDefault();
    try {
      var scanned = window.EVPayload.parse(node.value);
      if (scanned.kind === "location") { node.value = scanned.code; } else { banner({ kind: "error", title: EV.t("keeper.not_a_location") }); }
    } catch (e) { banner({ kind: "error", title: EV.t("keeper." + e.type) }); }
  });

  var buffer = "";
  var pendingLocation = null;
  var ownScanner = document.getElementById("scan-input") || document.getElementById("exec-scan");

  function onItemPage(scanned) {
    var forms = ["form-return", "form-move"].map(function (id) { return document.getElementById(id); }).filter(Boolean);
    if (!forms.length) { banner({ kind: "warn", title: EV.t("keeper.no_move_here") }); return; }
    var details = forms[0];
    var form = details.querySelector("form");
    var field = form.querySelector('[name="to_location_code"]');
    if (pendingLocation === scanned.code && field.value === scanned.code) {
      banner({ kind: "info", title: EV.t("working") });
      form.requestSubmit();
      return;
    }
    details.open = true;
    field.value = scanned.code;
    pendingLocation = scanned.code;
    details.scrollIntoView({ block: "center" });
    var what = details.id === "form-return" ? "keeper.offer_return" : "keeper.offer_move";
    banner({ kind: "info", title: EV.t(what, { code: document.body.getAttribute("data-item") || "", location: scanned.code }),
             lines: [EV.t("keeper.scan_again")] });
  }

  function onLocationPage(scanned) {
    var form = document.getElementById("count-here");
    if (form && form.querySelector('[name="location_code"]').value === scanned.code) {
      banner({ kind: "info", title: EV.t("keeper.count_starting", { location: scanned.code }) });
      form.requestSubmit();
      return;
    }
    window.location.assign("/locations/" + encodeURIComponent(scanned.code));
  }

  function wedgeScan(raw) {
    var scanned;
    try { scanned = window.EVPayload.parse(raw); } catch (e) {
      banner({ kind: "error", title: EV.t("keeper." + e.type) });
      return;
    }
    var context = document.body.getAttribute("data-scan-context");
    if (scanned.kind === "item") {
      banner({ kind: "success", title: EV.t("opening", { code: scanned.code }) });
      window.location.assign("/items/" + encodeURIComponent(scanned.code));
    } else if (context === "item") {
      onItemPage(scanned);
    } else if (context === "location") {
      onLocationPage(scanned);
    } else {
      window.location.assign("/locations/" + encodeURIComponent(scanned.code));
    }
  }

  if (!ownScanner) {
    document.addEventListener("keydown", function (event) {
      if (isTextField(event.target) || event.ctrlKey || event.metaKey || event.altKey) { buffer = ""; return; }
      if (event.key === "Enter") {
        if (buffer.length >= 5 && window.EVPayload.looksLikePayload(buffer)) {
          event.preventDefault();  // the scanner's Enter never presses a focused button
          event.stopPropagation();
          wedgeScan(buffer);
        }
        buffer = "";
        return;
      }
      if (event.key.length !== 1) { return; }
      if (gap > 300) { buffer = ""; }
      buffer += event.key;
      if (buffer.length > 1) { event.preventDefault(); }  // keep the burst off buttons and links
    }, true);
  }

  /* --- the app shell: a service worker keeps the pages' files for offline use --------- */
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js").then(function () {
      // The first page opened before the worker took charge: keep its copy too.
      if (!navigator.serviceWorker.controller && window.caches) {
        window.caches.open("evidence-pages-v1").then(function (cache) { return cache.add(window.location.href); })
          .catch(function () { /* offline already */ });
      }
    }).catch(function () { /* pages still work */ });
  }

  /* File pickers in the page's language: the browser's own button speaks the browser's. */
  document.querySelectorAll('input[type="file"]').forEach(function (field) {
    if (field.closest(".file-pick")) { return; }
    var wrap = document.createElement("span");
    wrap.className = "file-pick";
    var button = document.createElement("span");
    button.className = "button secondary file-button";
    button.setAttribute("aria-hidden", "true");
    button.textContent = EV.t(field.hasAttribute("capture") ? "keeper.take_photo" : "keeper.choose_file");
    var chosen = document.createElement("span");
    chosen.className = "file-chosen";
    chosen.setAttribute("aria-live", "polite");
    chosen.textContent = EV.t("keeper.no_file");
    field.parentNode.insertBefore(wrap, field);
    wrap.appendChild(field);
    wrap.appendChild(button);
    wrap.appendChild(chosen);
    field.classList.add("file-native");
    field.addEventListener("change", function () {
      var names = Array.prototype.map.call(field.files || [], function (f) { return f.name; });
      chosen.textContent = names.length ? names.join(", ") : EV.t("keeper.no_file");
    });
  });

  /* A table wider than the phone scrolls in its frame: the frame takes the keyboard too. */
  /* Several on one page are told apart by their section's heading (one landmark, one name). */
  var named = {};
  document.querySelectorAll(".table-wrap").forEach(function (wrap) {
    if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
      var box = wrap.closest("section, .card");
      var heading = box && box.querySelector("h2, h3");
      var label = EV.t("keeper.scroll_table") + (heading ? " · " + heading.textContent.trim() : "");
      named[label] = (named[label] || 0) + 1;
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", named[label] > 1 ? label + " (" + named[label] + ")" : label);
    }
  });

  Object.assign(EV, { banner: banner, number: number, newKey: newKey, isTextField: isTextField,
                      recentBurst: recentBurst });
})();
