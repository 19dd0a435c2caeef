// The upload page: many files at once (chooser, drop anywhere, paste), URLs, a progress bar per file,
// and, signed out, this browser's list of "My uploads" with their delete links. Without this script the
// page is a plain one-file form.

// Modules are served under content-hashed names, which the page hands over (a relative import would miss).
const root = document.getElementById("upload");
const { announce, csrfToken, send, wireCopyButtons } = await import(root.dataset.common);
const signedIn = root.dataset.signedIn === "1";
const mine = signedIn ? null : await import(root.dataset.mine);

const form = document.getElementById("upload-form");
const fileInput = document.getElementById("upload-file");
const urlForm = document.getElementById("url-form");
const urlInput = document.getElementById("upload-url");
const albumSelect = document.getElementById("upload-album");
const results = document.getElementById("results");
const list = document.getElementById("upload-list");
const rowTemplate = document.getElementById("upload-row");
const NEW_ALBUM = root.dataset.newAlbum;
const MAX_IMAGE = Number(root.dataset.maxImage);
const MAX_VIDEO = Number(root.dataset.maxVideo);
const PARALLEL = 3;

for (const el of root.querySelectorAll(".no-js")) el.hidden = true;
for (const el of root.querySelectorAll(".js-only")) el.hidden = false;
fileInput.multiple = true;

let rows = 0;
const queue = [];
let active = 0;
let albumBusy = false;

function size(n) {
  return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

function options() {
  const data = new FormData(form);
  const text = (name) => String(data.get(name) || "").trim();
  return { title: text("title"), description: text("description"), album: text("album"), albumTitle: text("album_title") };
}

function newRow(name) {
  const n = ++rows;
  const li = rowTemplate.content.firstElementChild.cloneNode(true);
  li.id = `upload-${n}`;
  const label = li.querySelector(".upload-name");
  label.id = `upload-${n}-name`;
  label.textContent = name;
  li.querySelector("progress").setAttribute("aria-labelledby", label.id);
  for (const [cls, suffix] of [["direct-link", "link"], ["delete-link", "delete"]]) {
    const input = li.querySelector(`.${cls}`);
    input.id = `upload-${n}-${suffix}`;
    input.closest(".copy").querySelector("label").htmlFor = input.id;
    input.closest(".copy").querySelector("button").dataset.copy = input.id;
  }
  list.append(li);
  results.hidden = false;
  return li;
}

function setStatus(li, state, text) {
  li.dataset.state = state;
  li.querySelector(".upload-status").textContent = text;
}

function fail(li, message) {
  setStatus(li, "error", message);
  li.querySelector("progress").hidden = true;
  announce(`${li.querySelector(".upload-name").textContent}: ${message}`);
}

function done(li, data) {
  const progress = li.querySelector("progress");
  progress.value = progress.max;
  setStatus(li, "done", "Uploaded");
  const thumb = li.querySelector(".thumb");
  if (thumb.src.startsWith("blob:")) URL.revokeObjectURL(thumb.src);
  thumb.src = data.thumbnail;
  thumb.alt = data.title || "";
  thumb.hidden = false;
  li.querySelector(".direct-link").value = data.link;
  li.querySelector(".page-link").href = data.page;
  if (!signedIn) {
    li.querySelector(".delete-link").value = data.delete_link;
    li.querySelector(".delete-box").hidden = false;
    mine.remember(data);
  }
  li.querySelector(".upload-result").hidden = false;
  wireCopyButtons(li);
  announce(`Uploaded ${li.querySelector(".upload-name").textContent}`);
}

function upload(job) {
  const { li, source, album, opts } = job;
  const body = new FormData();
  if (opts.title) body.append("title", opts.title);
  if (opts.description) body.append("description", opts.description);
  if (album) body.append("album", album);
  if (source.url) {
    body.append("type", "url");
    body.append("image", source.url);
  } else {
    body.append("image", source.file, source.file.name || "pasted-image");
  }
  const progress = li.querySelector("progress");
  setStatus(li, "sending", "Uploading");
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/upload");
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (e) => {
      // The last step belongs to the server's work on the file: full only once it answered.
      if (e.lengthComputable) progress.value = Math.min(95, (e.loaded / e.total) * 95);
    });
    xhr.upload.addEventListener("load", () => setStatus(li, "processing", "Processing"));
    xhr.addEventListener("load", () => {
      const data = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300 && data && data.id) done(li, data);
      else fail(li, (data && data.error) || `The server answered ${xhr.status}.`);
      resolve();
    });
    xhr.addEventListener("error", () => {
      fail(li, "The connection broke off before the upload finished. Try again.");
      resolve();
    });
    xhr.send(body);
  });
}

// Files for one album go one at a time, so that the album keeps the order they were chosen in.
function pump() {
  while (queue.length && active < PARALLEL) {
    const job = queue[0];
    if (job.album && albumBusy) return;
    queue.shift();
    active += 1;
    if (job.album) albumBusy = true;
    upload(job).finally(() => {
      active -= 1;
      if (job.album) albumBusy = false;
      pump();
    });
  }
}

function tooLarge(file) {
  const limit = file.type.startsWith("video/") ? MAX_VIDEO : MAX_IMAGE;
  return file.size > limit ? `Too large: ${size(file.size)}, the limit is ${size(limit)}.` : "";
}

const albumTitleField = document.getElementById("upload-album-title").closest(".field");
const syncAlbumTitle = () => {
  albumTitleField.hidden = albumSelect.value !== NEW_ALBUM;
};
albumSelect.addEventListener("change", syncAlbumTitle);
syncAlbumTitle();

// A new album is made once, then chosen in the list, so that later files join the same album.
let creating = null;
function albumFor(opts) {
  if (opts.album !== NEW_ALBUM) return Promise.resolve(opts.album);
  if (!creating) creating = createAlbum(opts).finally(() => { creating = null; });
  return creating;
}

async function createAlbum(opts) {
  const body = new URLSearchParams();
  if (opts.albumTitle) body.set("title", opts.albumTitle);
  const album = await send("/upload/album", { body });
  const option = new Option(opts.albumTitle || `Untitled album ${album.id}`, album.ref);
  albumSelect.add(option, 2);
  albumSelect.value = album.ref;
  syncAlbumTitle();
  const link = document.getElementById("album-link");
  link.href = album.link;
  link.textContent = opts.albumTitle || album.link;
  document.getElementById("album-notice").hidden = false;
  return album.ref;
}

async function add(sources) {
  if (!sources.length) return;
  const opts = options();
  const jobs = sources.map((source) => {
    const li = newRow(source.url || source.file.name || "Pasted image");
    if (source.file && source.file.type.startsWith("image/")) {
      const thumb = li.querySelector(".thumb");
      thumb.src = URL.createObjectURL(source.file);
      thumb.hidden = false;
    }
    return { li, source, opts };
  });
  let album = "";
  try {
    album = await albumFor(opts);
  } catch (e) {
    for (const job of jobs) fail(job.li, e.message);
    return;
  }
  for (const job of jobs) {
    const problem = job.source.file ? tooLarge(job.source.file) : "";
    if (problem) fail(job.li, problem);
    else queue.push({ ...job, album });
  }
  pump();
}

const fromFiles = (files) => add(Array.from(files, (file) => ({ file })));

fileInput.addEventListener("change", () => {
  fromFiles(fileInput.files);
  fileInput.value = "";
});
form.addEventListener("submit", (e) => {
  e.preventDefault();
  fromFiles(fileInput.files);
  fileInput.value = "";
});
urlForm.addEventListener("submit", (e) => {
  e.preventDefault();
  const url = urlInput.value.trim();
  if (!url) return;
  urlInput.value = "";
  add([{ url }]);
});

// Files from anywhere, or a link dragged from another page (not text dragged into a field).
function droppable(e) {
  const types = Array.from((e.dataTransfer && e.dataTransfer.types) || []);
  const intoField = e.target.closest && e.target.closest("input, textarea");
  return types.includes("Files") || (types.includes("text/uri-list") && !intoField);
}
document.addEventListener("dragover", (e) => {
  if (!droppable(e)) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = "copy";
  document.body.classList.add("dragging");
});
document.addEventListener("dragleave", (e) => {
  if (!e.relatedTarget) document.body.classList.remove("dragging");
});
document.addEventListener("drop", (e) => {
  document.body.classList.remove("dragging");
  if (!droppable(e)) return;
  const url = e.dataTransfer.getData("text/uri-list").split("\n").find((l) => /^https?:\/\//.test(l.trim()));
  if (!e.dataTransfer.files.length && !url) return;
  e.preventDefault();
  if (e.dataTransfer.files.length) fromFiles(e.dataTransfer.files);
  else add([{ url: url.trim() }]);
});

document.addEventListener("paste", (e) => {
  const data = e.clipboardData;
  if (!data) return;
  const files = Array.from(data.files || []);
  const typing = e.target.closest && e.target.closest("input, textarea, select");
  if (files.length) {
    e.preventDefault();
    fromFiles(files);
    return;
  }
  const text = data.getData("text/plain").trim();
  if (!typing && /^https?:\/\/\S+$/.test(text)) {
    e.preventDefault();
    add([{ url: text }]);
  }
});

if (mine) mine.show();
