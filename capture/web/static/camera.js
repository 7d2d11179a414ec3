// The desk camera in the browser: frames from getUserMedia, posted one at a time to /api/frames.
// The server tracks parcels and decides (one event per parcel, as `waybill camera`); the page shows its answers.
"use strict";

const CAMERA_SIZE = { width: 1280, height: 720 };
const JPEG_QUALITY = 0.85;
const cameraButton = document.getElementById("camera-toggle");
const video = document.getElementById("camera");
const canvas = document.createElement("canvas");
let cameraStream = null;
let cameraStarted = 0;

async function cameraOn() {
  cameraStream = await navigator.mediaDevices.getUserMedia({
    video: { ...CAMERA_SIZE, facingMode: "environment" }, audio: false,
  });
  video.srcObject = cameraStream;
  video.hidden = false;
  await video.play();
  cameraStarted = performance.now();
  cameraButton.textContent = T.camera_off;
  cameraButton.dataset.on = "1";
  sendFrames();
}

function cameraOff() {
  if (cameraStream) cameraStream.getTracks().forEach((track) => track.stop());
  cameraStream = null;
  video.hidden = true;
  cameraButton.textContent = T.camera_on;
  cameraButton.dataset.on = "";
}

function grab() {
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", JPEG_QUALITY));
}

// One frame in flight at a time: the server's pace sets the frame rate, and nothing queues up behind a slow look.
async function sendFrames() {
  while (cameraStream) {
    if (!video.videoWidth) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const t = (performance.now() - cameraStarted) / 1000;
    const blob = await grab();
    const form = new FormData();
    form.append("frame", blob, "frame.jpg");
    form.append("station", STATION);
    form.append("t", String(t));
    try {
      const answer = await api("POST", "/api/frames", form, true);
      answer.events.forEach(show);
      video.dataset.frames = String(Number(video.dataset.frames || 0) + 1);
    } catch (e) {
      setOnline(false);
      await new Promise((r) => setTimeout(r, 1000)); // the server is away: try again shortly
    }
  }
}

cameraButton.addEventListener("click", () => (cameraStream ? cameraOff() : cameraOn().catch((e) => showProblem(e.message))));
