/* Shared helpers of the pages: translations, POST with the CSRF token, beeps, remembered
   choices. No framework, no build step; every page works without JavaScript too, this only
   makes it faster. */
(function () {
  "use strict";

  function pageData() {
    var node = document.getElementById("page-data");
    return node ? JSON.parse(node.textContent) : {};
  }

  var data = pageData();
  var strings = data.strings || {};

  /* t("added", {code: "X"}) → the page's translated string with {code} filled in. */
  function t(key, values) {
    var text = strings[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* A fetch that gives up after ``ms``: on a flaky mobile connection a request can hang for
     minutes, and every scan after it would wait behind it. */
  function fetchWithin(url, options, ms) {
    if (!window.AbortController) { return fetch(url, options); }
    var control = new AbortController();
    var timer = window.setTimeout(function () { control.abort(); }, ms || 10000);
    return fetch(url, Object.assign({ signal: control.signal }, options)).then(function (response) {
      window.clearTimeout(timer);
      return response;
    }, function (error) {
      window.clearTimeout(timer);
      throw error;
    });
  }

  /* POST form fields (an object; arrays repeat the field) and read the JSON answer.
     Resolves to {ok, status, body}; a network failure or a timeout gives status 0. */
  function post(url, fields, headers) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (name) {
      var value = fields[name];
      (Array.isArray(value) ? value : [value]).forEach(function (v) {
        if (v !== undefined && v !== null) { body.append(name, v); }
      });
    });
    return fetchWithin(url, {
      method: "POST",
      credentials: "same-origin",
      headers: Object.assign({ "Accept": "application/json", "X-CSRF-Token": csrfToken() }, headers || {}),
      body: body
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { ok: response.ok, status: response.status, body: json };
      });
    }, function () {
      return { ok: false, status: 0, body: {} };
    });
  }

  /* Short beeps made with WebAudio (no sound file): "ok", "warn" or "error". */
  var audio = null;
  function beep(kind) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tones = { ok: [[880, 0.09]], warn: [[520, 0.15]], error: [[220, 0.18], [180, 0.25]] };
      var at = audio.currentTime;
      (tones[kind] || tones.ok).forEach(function (tone) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = kind === "error" ? "square" : "sine";
        osc.frequency.value = tone[0];
        gain.gain.setValueAtTime(0.15, at);
        gain.gain.exponentialRampToValueAtTime(0.001, at + tone[1]);
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(at);
        osc.stop(at + tone[1]);
        at += tone[1] + 0.05;
      });
    } catch (e) { /* no audio: the colour cue remains */ }
  }

  /* <select data-remember="key">: the last choice is kept in this browser. */
  function rememberChoices() {
    document.querySelectorAll("select[data-remember]").forEach(function (select) {
      var key = "evidence." + select.getAttribute("data-remember");
      var saved = null;
      try { saved = window.localStorage.getItem(key); } catch (e) { /* private mode */ }
      if (saved && select.querySelector('option[value="' + CSS.escape(saved) + '"]')) {
        select.value = saved;
      }
      select.addEventListener("change", function () {
        try { window.localStorage.setItem(key, select.value); } catch (e) { /* ignore */ }
      });
    });
  }

  rememberChoices();
  window.EV = { data: data, t: t, post: post, fetchWithin: fetchWithin, beep: beep, csrfToken: csrfToken };
  /* keeper.js adds the banner, the wedge listener, the offline outbox and form drafts. */
})();
