// The waiting page's camera and microphone check. Progressive enhancement: without this
// script (or without getUserMedia) the page still offers the join step, and the video room
// asks for the devices itself. Nothing leaves the device; the preview stops when the person
// joins or leaves the page.
(function () {
  "use strict";
  var box = document.getElementById("device-check");
  if (!box || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var start = document.getElementById("device-check-start");
  var preview = document.getElementById("device-preview");
  var status = document.getElementById("device-status");
  var stream = null;

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
  }

  start.hidden = false;
  status.textContent = "When you are ready, check your camera and microphone here.";
  start.addEventListener("click", function () {
    status.textContent = "Asking your browser…";
    navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(function (found) {
      stream = found;
      preview.srcObject = found;
      preview.hidden = false;
      var camera = found.getVideoTracks().length > 0;
      var microphone = found.getAudioTracks().length > 0;
      box.setAttribute("data-ready", camera && microphone ? "1" : "0");
      status.textContent = camera && microphone
        ? "Your camera and microphone work. You are ready to join."
        : "Only part of it works: " + (camera ? "your camera" : "your microphone") +
          ". You can still join and sort it out in the room.";
    }).catch(function () {
      box.setAttribute("data-ready", "0");
      status.textContent = "Your browser did not allow the camera or microphone. You can " +
        "still join; allow them in your browser's site settings, or join by phone audio.";
    });
  });
  window.addEventListener("pagehide", stop);
  var join = document.getElementById("join-button");
  if (join) {
    join.form.addEventListener("submit", stop);
  }
})();
