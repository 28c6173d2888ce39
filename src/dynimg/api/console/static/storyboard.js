// dynimg console: the snapshots page. Hovering over the player's timeline shows the storyboard
// picture of that moment: the page loads the video's WebVTT storyboard, reads its cues and
// shows the #xywh region of the sprite sheet each cue points at; a click seeks the player.
"use strict";

// "hh:mm:ss.ttt" or "mm:ss.ttt" in milliseconds.
function vttTime(text) {
  const parts = text.trim().split(":").map(Number);
  return Math.round(parts.reduce((total, part) => total * 60 + part, 0) * 1000);
}

// The cues of a WebVTT file: {start, end, url, xywh: [x, y, w, h] or null}.
function parseStoryboard(text) {
  const cues = [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].includes("-->")) continue;
    const [from, to] = lines[i].split("-->");
    const payload = (lines[i + 1] || "").trim();
    if (!payload) continue;
    const [url, fragment] = payload.split("#");
    const match = /xywh=(\d+),(\d+),(\d+),(\d+)/.exec(fragment || "");
    cues.push({ start: vttTime(from), end: vttTime(to.trim().split(/\s/)[0]), url,
      xywh: match ? match.slice(1).map(Number) : null });
  }
  return cues;
}

function cueAt(cues, ms) {
  let found = null;
  for (const cue of cues) { if (cue.start <= ms) found = cue; else break; }
  return found;
}

const clock = (ms) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

function showCue(preview, cue, ms) {
  const picture = preview.querySelector("#storyboard-picture");
  const [x, y, w, h] = cue.xywh || [0, 0, 160, 90];
  picture.style.width = `${w}px`;
  picture.style.height = `${h}px`;
  picture.style.backgroundImage = `url("${cue.url}")`;
  picture.style.backgroundPosition = cue.xywh ? `-${x}px -${y}px` : "center";
  picture.style.backgroundSize = cue.xywh ? "auto" : "contain";
  preview.querySelector("#storyboard-time").textContent = clock(ms);
  preview.dataset.start = cue.start;
  preview.dataset.xywh = cue.xywh ? cue.xywh.join(",") : "";
  preview.hidden = false;
}

async function storyboard() {
  const track = document.querySelector("#storyboard-track");
  const video = document.querySelector("#storyboard-video");
  if (!track || !video || track.dataset.state === "none") return;
  const preview = track.querySelector("#storyboard-preview");
  const response = await fetch(track.dataset.vtt, { credentials: "same-origin" });
  if (!response.ok) { track.dataset.state = "none"; return; }
  const cues = parseStoryboard(await response.text());
  cues.forEach((cue) => { if (cue.url) new Image().src = cue.url; }); // sheets load before a hover
  const duration = () => (video.duration || Number(track.dataset.duration)) * 1000;
  const timeAt = (event) => {
    const box = track.getBoundingClientRect();
    const share = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
    return { share, ms: share * duration() };
  };
  track.addEventListener("mousemove", (event) => {
    const { share, ms } = timeAt(event);
    const cue = cueAt(cues, ms);
    if (!cue) { preview.hidden = true; return; }
    showCue(preview, cue, ms);
    preview.style.left = `${share * 100}%`;
  });
  track.addEventListener("mouseleave", () => { preview.hidden = true; });
  track.addEventListener("click", (event) => { video.currentTime = timeAt(event).ms / 1000; });
  video.addEventListener("timeupdate", () => {
    track.querySelector("#storyboard-played").style.width = `${100 * video.currentTime * 1000 / duration()}%`;
  });
  track.dataset.cues = String(cues.length);
  track.dataset.state = "ready";
}

// A submitted job: poll its state until it ends, then show its files.
function watchSnapshotJob() {
  const row = document.querySelector("#snapshot-job[data-poll]");
  if (!row) return;
  const tick = async () => {
    try {
      const response = await fetch(`/console/snapshot-jobs/${row.dataset.jobId}.json`,
        { credentials: "same-origin", headers: { Accept: "application/json" } });
      const job = await response.json();
      const cell = row.querySelector(".status");
      cell.dataset.status = job.status;
      cell.textContent = job.status;
      row.querySelector("progress").value = job.progress;
      if (job.done) { window.location.reload(); return; }
    } catch (e) { /* try again */ }
    setTimeout(tick, 1000);
  };
  tick();
}

document.addEventListener("DOMContentLoaded", () => { storyboard(); watchSnapshotJob(); });
