// dynimg console: small progressive enhancements; every page works as plain HTML forms too.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
const CHUNK_BYTES = 8 * 1024 * 1024;

async function call(url, options = {}) {
  const headers = Object.assign({ "X-CSRF-Token": csrf(), Accept: "application/json" }, options.headers || {});
  const response = await fetch(url, Object.assign({}, options, { headers, credentials: "same-origin" }));
  if (!response.ok) {
    let message = response.status + " " + response.statusText;
    try { const body = await response.json(); message = body.Code + ": " + body.Message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

// Upload in slices: each PUT is streamed into storage by the server, so a large file is never
// held whole in memory on either side; a failed slice can simply be sent again. An unfinished
// upload is remembered in localStorage: after a reload, the same file resumes where it stopped.
// The bar follows the bytes as the browser sends them (XMLHttpRequest's upload events), with the
// speed and the time left.
async function upload(form) {
  const file = form.querySelector("#upload-file").files[0];
  const title = form.querySelector("#upload-title").value || file.name;
  const message = form.querySelector("#upload-message");
  const chunk = Number(form.dataset.chunkBytes) || CHUNK_BYTES;
  const memory = `dynimg-upload:${file.name}:${file.size}:${file.lastModified}:${chunk}`;
  const progress = uploadProgress(form, file.size);
  message.textContent = "";
  message.classList.remove("error");
  try {
    let { started, stored } = await resumable(memory);
    if (!started) {
      started = await (await call("/console/videos/uploads", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ file_name: file.name, title, size: file.size }),
      })).json();
      localStorage.setItem(memory, JSON.stringify(started));
    }
    const base = uploadBase(started);
    for (let part = 1, offset = 0; offset < file.size; part++, offset += chunk) {
      const slice = file.slice(offset, offset + chunk);
      if (stored.get(part) === slice.size) progress.skipped(offset + slice.size);
      else await sendPart(`${base}/parts/${part}`, slice, (sent) => progress.sent(offset, sent));
    }
    await call(`${base}/complete`, { method: "POST" });
    localStorage.removeItem(memory);
    message.textContent = started.video_id;
    window.location.reload();
  } catch (error) {
    message.textContent = error.message;
    message.classList.add("error");
  }
}

const UNITS = ["B", "KB", "MB", "GB"];
function bytesText(n) {
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) { n /= 1024; unit++; }
  return unit ? `${n.toFixed(1)} ${UNITS[unit]}` : `${n} B`;
}

// The bar and its text: "1.2 MB of 3.4 MB · 850.0 KB/s · 3 s left". Slices stored before a
// resume count as done but not in the speed.
function uploadProgress(form, total) {
  const bar = form.querySelector("#upload-progress");
  const text = form.querySelector("#upload-bytes");
  const began = performance.now();
  let resumed = 0;
  bar.hidden = false;
  bar.value = 0;
  text.dataset.total = String(total);
  const show = (done) => {
    const seconds = Math.max(0.001, (performance.now() - began) / 1000);
    const speed = Math.max(0, done - resumed) / seconds;
    const parts = [form.dataset.of.replace("{done}", bytesText(done)).replace("{total}", bytesText(total)),
      `${bytesText(Math.round(speed))}/s`];
    if (done < total && speed > 0) parts.push(form.dataset.left.replace("{seconds}", String(Math.ceil((total - done) / speed))));
    bar.value = total ? Math.floor(100 * done / total) : 100;
    text.dataset.loaded = String(done);
    text.textContent = parts.join(" · ");
  };
  show(0);
  return {
    skipped(done) { resumed = done; show(done); },
    sent(offset, sent) { show(offset + sent); },
  };
}

const uploadBase = (s) => `/console/videos/${s.video_id}/uploads/${s.grant}/${s.upload}`;

// The upload this file started before, and the sizes of its stored slices by number; nothing
// when there is none or it can no longer continue (expired, completed, deleted).
async function resumable(memory) {
  const stored = new Map();
  const started = JSON.parse(localStorage.getItem(memory) || "null");
  if (!started) return { started: null, stored };
  try {
    const listed = await (await call(`${uploadBase(started)}/parts`, { method: "GET" })).json();
    listed.parts.forEach((p) => stored.set(p.number, p.size));
    return { started, stored };
  } catch (error) {
    localStorage.removeItem(memory);
    return { started: null, stored };
  }
}

async function sendPart(url, blob, onSent) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await put(url, blob, onSent);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

// One PUT through XMLHttpRequest, whose upload events count the bytes sent (fetch has none).
function put(url, blob, onSent) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    request.setRequestHeader("X-CSRF-Token", csrf());
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.addEventListener("progress", (event) => onSent(event.loaded));
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) { onSent(blob.size); resolve(request); return; }
      let message = `${request.status} ${request.statusText}`;
      try { const body = JSON.parse(request.responseText); message = body.Code + ": " + body.Message; } catch (e) { /* not JSON */ }
      reject(new Error(message));
    });
    request.addEventListener("error", () => reject(new Error("The connection failed.")));
    request.send(blob);
  });
}

// A video dropped on the upload area becomes the form's file, as if it had been chosen.
function dropZone() {
  const zone = document.querySelector("#upload-drop");
  if (!zone) return;
  const input = zone.querySelector("#upload-file"), chosen = zone.querySelector("#upload-chosen");
  const showChosen = () => { chosen.textContent = input.files.length ? `(${input.files[0].name})` : ""; };
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  }));
  zone.addEventListener("dragleave", (event) => { if (!zone.contains(event.relatedTarget)) zone.classList.remove("dragging"); });
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    if (event.dataTransfer && event.dataTransfer.files.length) input.files = event.dataTransfer.files;
    showChosen();
  });
  input.addEventListener("change", showChosen);
}

function pollRows(selector, url, update, done) {
  document.querySelectorAll(selector).forEach((row) => {
    const tick = async () => {
      try {
        const state = await (await call(url(row), { method: "GET" })).json();
        update(row, state);
        if (done(state)) return;
      } catch (e) { /* try again */ }
      setTimeout(tick, 1000);
    };
    tick();
  });
}

function watchVideos() {
  const settled = new Set(["Normal", "UploadFail"]);
  pollRows("#videos tr[data-video-id]", (row) => `/console/videos/${row.dataset.videoId}.json`,
    (row, v) => {
      const cell = row.querySelector(".status");
      if (cell.dataset.status !== v.status) {
        cell.dataset.status = v.status;
        cell.textContent = v.status;
        row.querySelector(".duration").textContent = v.duration;
        row.querySelector(".size").textContent = v.size;
        row.querySelector(".dims").textContent = v.dimensions;
        if (v.status === "Normal" && !row.querySelector("details")) window.location.reload();
      }
    }, (v) => settled.has(v.status));
}

function showJob(row, job) {
  const cell = row.querySelector(".status");
  cell.dataset.status = job.status;
  cell.textContent = job.status;
  row.querySelector("progress").value = job.progress;
  row.querySelector(".seek").textContent = job.seek;
  row.querySelector(".fit").textContent = job.fit;
  if (job.error_code) {
    const error = row.querySelector(".job-error");
    error.textContent = "";
    const code = document.createElement("code");
    code.textContent = job.error_code;
    error.append(code, " " + job.error_message);
  }
  if (job.done) delete row.dataset.poll;
}

// Live progress: one server-sent event stream for the unfinished jobs on the page; if it is
// refused (too many open), ends early or breaks, the rows still unfinished are polled instead.
function watchJobs() {
  const table = document.querySelector("#jobs");
  const rows = () => [...document.querySelectorAll("#jobs tr[data-poll]")];
  if (!table || !rows().length) return;
  const poll = () => pollRows("#jobs tr[data-poll]", (row) => `/console/jobs/${row.dataset.jobId}.json`,
    showJob, (job) => job.done);
  if (!window.EventSource) { poll(); return; }
  const ids = rows().map((row) => row.dataset.jobId).join(",");
  const source = new EventSource(`/console/jobs/events?ids=${encodeURIComponent(ids)}`);
  let fellBack = false;
  const fallBack = () => { source.close(); if (!fellBack && rows().length) { fellBack = true; table.dataset.live = "polling"; poll(); } };
  source.addEventListener("open", () => { table.dataset.live = "events"; });
  source.addEventListener("job", (event) => {
    const job = JSON.parse(event.data);
    table.dataset.events = ((table.dataset.events || "") + " " + job.status).trim();
    const row = document.querySelector(`#jobs tr[data-job-id="${job.id}"]`);
    if (row) showJob(row, job);
  });
  source.addEventListener("end", fallBack);
  source.addEventListener("error", fallBack);
}

function timeline() {
  const form = document.querySelector("#template-form");
  const video = document.querySelector("#timeline-video");
  if (!form || !video) return;
  const select = form.querySelector("#video_id");
  const seek = form.querySelector("#seek"), duration = form.querySelector("#duration");
  const seekRange = form.querySelector("#seek-range"), durationRange = form.querySelector("#duration-range");
  const windowBar = document.querySelector("#clip-window");
  const length = () => Number(select.selectedOptions[0].dataset.duration) || 0;
  const draw = () => {
    const total = length() || 1;
    const start = Number(seek.value) || 0, span = Number(duration.value) || total - start;
    windowBar.style.left = `${Math.min(100, 100 * start / total)}%`;
    windowBar.style.width = `${Math.max(0, Math.min(100 - 100 * start / total, 100 * span / total))}%`;
  };
  const load = () => {
    video.src = `/console/videos/${select.value}/source`;
    seekRange.max = String(length());
    durationRange.max = String(Math.max(0.1, length()));
    draw();
  };
  seekRange.addEventListener("input", () => { seek.value = seekRange.value; video.currentTime = Number(seekRange.value); draw(); });
  durationRange.addEventListener("input", () => { duration.value = durationRange.value; video.currentTime = Number(seek.value) + Number(durationRange.value); draw(); });
  seek.addEventListener("input", () => { seekRange.value = seek.value; draw(); });
  duration.addEventListener("input", () => { durationRange.value = duration.value; draw(); });
  select.addEventListener("change", load);
  load();

  const message = document.querySelector("#preview-message");
  const image = document.querySelector("#preview-image");
  const movie = document.querySelector("#preview-video");
  document.querySelector("#preview-button").addEventListener("click", async () => {
    message.textContent = "…";
    message.classList.remove("error");
    try {
      const response = await call("/console/templates/preview", { method: "POST", body: new FormData(form) });
      // An MP4 preview plays in a <video>; every other format is an image.
      const isVideo = (response.headers.get("content-type") || "").startsWith("video/");
      const shown = isVideo ? movie : image;
      [image, movie].forEach((element) => {
        if (element.src) URL.revokeObjectURL(element.src);
        element.removeAttribute("src");
        element.hidden = element !== shown;
      });
      shown.src = URL.createObjectURL(await response.blob());
      message.textContent = "";
    } catch (error) {
      message.textContent = error.message;
      message.classList.add("error");
    }
  });
}

// The template form's own rules, before the server judges: only the extras the chosen format
// uses are shown (the hidden ones are disabled, so not sent); Seek=auto disables the Seek
// fields; the KB asked for MaxFileSize are shown in bytes, as the API counts them.
function templateForm() {
  const form = document.querySelector("#template-form");
  if (!form) return;
  const extras = JSON.parse(form.dataset.extras || "{}");
  const format = form.querySelector("#format");
  const showExtras = () => {
    const used = extras[format.value] || [];
    form.querySelectorAll(".extra[data-extra]").forEach((box) => {
      box.hidden = !used.includes(box.dataset.extra);
      box.querySelectorAll("input, select").forEach((field) => { field.disabled = box.hidden; });
    });
  };
  format.addEventListener("change", showExtras);
  showExtras();
  const auto = form.querySelector("#seek_auto");
  const seek = form.querySelector("#seek"), seekRange = form.querySelector("#seek-range");
  const applyAuto = () => {
    [seek, seekRange].forEach((field) => { if (field) field.disabled = auto.checked; });
    if (!auto.checked && !seek.value) seek.value = "0";
  };
  auto.addEventListener("change", applyAuto);
  applyAuto();
  const kb = form.querySelector("#max_file_kb"), hint = form.querySelector("#max_file_kb-bytes");
  const told = hint.textContent;
  const showBytes = () => {
    const value = Number(kb.value);
    const bytes = Math.round(value * 1024).toLocaleString("en-US");
    hint.textContent = kb.value && Number.isFinite(value) ? `${kb.dataset.bytes.replace("%s", bytes)}. ${told}` : told;
  };
  kb.addEventListener("input", showBytes);
  showBytes();
}

// Watermarks: show the fields of the chosen kind; preview the form's text watermark or a stored
// one over the chosen video's first seconds (the watermark just added is previewed on arrival).
function watermarkForm() {
  const form = document.querySelector("#watermark-form");
  if (!form) return;
  const kinds = form.querySelectorAll("fieldset[data-kind]");
  const show = () => {
    const chosen = form.querySelector("input[name=type]:checked").value;
    kinds.forEach((f) => { f.hidden = f.dataset.kind !== chosen; f.disabled = f.hidden; });
  };
  form.querySelectorAll("input[name=type]").forEach((r) => r.addEventListener("change", show));
  show();
  const video = form.querySelector("#wm-video");
  if (!video) return;
  const message = document.querySelector("#wm-preview-message");
  const image = document.querySelector("#wm-preview-image");
  const preview = async (watermarkId) => {
    const body = new FormData(form);
    body.delete("image");
    if (watermarkId) body.set("watermark_id", watermarkId);
    message.textContent = "…";
    message.classList.remove("error");
    try {
      const response = await call("/console/watermarks/preview", { method: "POST", body });
      if (image.src) URL.revokeObjectURL(image.src);
      image.src = URL.createObjectURL(await response.blob());
      image.hidden = false;
      image.dataset.watermarkId = watermarkId || "";
      message.textContent = "";
    } catch (error) {
      message.textContent = error.message;
      message.classList.add("error");
    }
  };
  document.querySelector("#wm-preview-button").addEventListener("click", () => preview(""));
  document.querySelectorAll("button.preview-watermark").forEach((b) => b.addEventListener("click", () => {
    preview(b.dataset.watermarkId);
    form.scrollIntoView();
  }));
  const added = document.querySelector("#watermarks tr.added");
  if (added) preview(added.dataset.watermarkId);
}

// A checkbox that stands for a field's value (Seek: auto) disables that field while checked.
function disablers() {
  document.querySelectorAll("input[type=checkbox][data-disables]").forEach((box) => {
    const target = document.getElementById(box.dataset.disables);
    const apply = () => { target.disabled = box.checked; };
    box.addEventListener("change", apply);
    apply();
  });
}

function copyButtons() {
  document.querySelectorAll("button.copy").forEach((button) => button.addEventListener("click", async () => {
    const input = document.getElementById(button.dataset.target);
    try { await navigator.clipboard.writeText(input.value); } catch (e) { input.select(); document.execCommand("copy"); }
    button.textContent = button.dataset.done;
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("#upload-form");
  if (form) form.addEventListener("submit", (event) => { event.preventDefault(); upload(form); });
  document.querySelectorAll("form[data-confirm]").forEach((f) => f.addEventListener("submit", (event) => {
    if (!window.confirm(f.dataset.confirm)) event.preventDefault();
  }));
  dropZone();
  watchVideos();
  watchJobs();
  timeline();
  templateForm();
  watermarkForm();
  disablers();
  copyButtons();
});
