/* The label payload read in the browser, without the server: the same rules as payload.py
   (its docstring is the specification; tests/test_payload_js.py checks both agree).

   A payload is "EV1" + kind (I item, L location) + key + one ISO/IEC 7064 MOD 37,36 check
   character. EVPayload.parse(raw) → {kind, key, code} or throws {type, message} where type is
   "damaged_label" (our format, wrong check) or "not_a_label". */
(function (root) {
  "use strict";
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var M = 36;
  var PREFIX = "EV";
  var VERSION = "1";
  var KINDS = { I: "item", L: "location" };
  var ITEM_KEY = /^VC(\d{2})(\d{6,})([0-9A-Z])$/;

  function values(s) {
    var out = [];
    for (var i = 0; i < s.length; i++) {
      var v = ALPHABET.indexOf(s[i]);
      if (v < 0) { return null; }
      out.push(v);
    }
    return out;
  }

  function running(vals) {
    var p = M;
    vals.forEach(function (a) {
      var s = (p + a) % M || M;
      p = (2 * s) % (M + 1);
    });
    return p;
  }

  function checkChar(s) {
    var vals = values(s);
    if (!s || vals === null) { throw new Error("not an upper-case alphanumeric string"); }
    return ALPHABET[(((1 - running(vals)) % M) + M) % M];
  }

  function isValid(s) {
    if (s.length < 2) { return false; }
    var vals = values(s);
    if (vals === null) { return false; }
    return (running(vals.slice(0, -1)) + vals[vals.length - 1]) % M === 1;
  }

  function normalise(raw) {
    var s = String(raw || "").trim();
    s = s.replace(/^\][A-Za-z][0-9]/, "").trim();
    if (s.indexOf("/") >= 0) {
      var path = s.split("#")[0].split("?")[0];
      var segments = path.split("/").filter(function (seg) { return seg; });
      s = segments.length ? segments[segments.length - 1] : "";
    }
    return s.toUpperCase();
  }

  function refuse(type, message) {
    var error = new Error(message);
    error.type = type;
    throw error;
  }

  /* The human code of a key: items "VC26000123K" → "VC26-000123-K"; locations as printed. */
  function codeOf(kind, key) {
    var m = kind === "item" ? ITEM_KEY.exec(key) : null;
    return m ? "VC" + m[1] + "-" + m[2] + "-" + m[3] : key;
  }

  function parse(raw) {
    var s = normalise(raw);
    if (s.indexOf(PREFIX) !== 0 || s.length < PREFIX.length + 1) { refuse("not_a_label", "not an evidence label"); }
    if (s[PREFIX.length] !== VERSION) { refuse("not_a_label", "unsupported label version"); }
    var body = s.slice(PREFIX.length + 1);
    if (body.length < 3 || !isValid(s)) { refuse("damaged_label", "label is damaged or mistyped"); }
    var kind = KINDS[body[0]];
    if (!kind) { refuse("not_a_label", "unknown label kind"); }
    var key = body.slice(1, -1);
    return { kind: kind, key: key, code: codeOf(kind, key) };
  }

  function looksLikePayload(raw) {
    return normalise(raw).indexOf(PREFIX + VERSION) === 0;
  }

  function make(kindLetter, key) {
    var body = PREFIX + VERSION + kindLetter + key;
    return body + checkChar(body);
  }

  root.EVPayload = { parse: parse, looksLikePayload: looksLikePayload, checkChar: checkChar, make: make };
  if (typeof module !== "undefined" && module.exports) { module.exports = root.EVPayload; }
})(typeof window !== "undefined" ? window : globalThis);
