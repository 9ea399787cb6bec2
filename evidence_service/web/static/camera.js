/* Camera scanning for phones: the rear camera's frames are decoded with the vendored jsQR
   library; each QR code read is handed to the scan page as an "evidence:scan" event.
   getUserMedia needs HTTPS (or localhost). */
(function () {
  "use strict";
  var EV = window.EV;
  var button = document.getElementById("camera-toggle");
  var box = document.getElementById("camera");
  var video = document.getElementById("camera-video");
  var canvas = document.getElementById("camera-canvas");
  if (!button || !box || !video || !canvas) { return; }
  var stream = null;
  var last = { text: "", at: 0 };

  function say(text, kind) {
    document.dispatchEvent(new CustomEvent("evidence:status", { detail: { text: text, kind: kind } }));
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    box.hidden = true;
    button.textContent = EV.t("camera_start");
  }

  function tick() {
    if (!stream) { return; }
    if (video.readyState >= 2 && window.jsQR) {
      var scale = Math.min(1, 640 / (video.videoWidth || 640));
      var w = Math.round(video.videoWidth * scale);
      var h = Math.round(video.videoHeight * scale);
      canvas.width = w;
      canvas.height = h;
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, w, h);
      var found = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "attemptBoth" });
      var now = Date.now();
      // The same code stays in view for a while: read it once, again only after 2.5 s.
      if (found && found.data && (found.data !== last.text || now - last.at > 2500)) {
        last = { text: found.data, at: now };
        document.dispatchEvent(new CustomEvent("evidence:scan", { detail: found.data }));
      }
    }
    window.requestAnimationFrame(tick);
  }

  function start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(EV.t("camera_unavailable"), "error");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        box.hidden = false;
        button.textContent = EV.t("camera_stop");
        say(EV.t("camera_on"), "info");
        return video.play();
      })
      .then(function () { window.requestAnimationFrame(tick); })
      .catch(function (error) {
        stop();
        var denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
        say(EV.t(denied ? "camera_denied" : "camera_unavailable"), "error");
      });
  }

  button.addEventListener("click", function () { if (stream) { stop(); } else { start(); } });
  window.addEventListener("pagehide", stop);
})();
