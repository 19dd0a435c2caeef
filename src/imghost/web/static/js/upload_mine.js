// "My uploads": what this browser uploaded without an account, with the delete links the server shows
// only once. Kept in localStorage; nothing of it goes back to the server.
const KEY = "imghost:my-uploads";
const KEEP = 500;

const section = document.getElementById("my-uploads");
const list = document.getElementById("my-uploads-list");
const template = document.getElementById("mine-row");

function load() {
  try {
    const entries = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(entries) ? entries.filter((e) => e && typeof e.id === "string") : [];
  } catch {
    return [];
  }
}

function save(entries) {
  try {
    localStorage.setItem(KEY, JSON.stringify(entries.slice(0, KEEP)));
  } catch {
    // Storage full or switched off: the upload itself still worked, and its links are on screen.
  }
}

export function remember(data) {
  const entries = load().filter((e) => e.id !== data.id);
  entries.unshift({
    id: data.id,
    link: data.link,
    page: data.page,
    deletehash: data.deletehash,
    delete_link: data.delete_link,
    time: Date.now(),
  });
  save(entries);
}

function forget(id) {
  save(load().filter((e) => e.id !== id));
  show();
}

// Only what this page's own list holds goes into links: ids and deletehashes of this site's shape.
const safe = (value) => typeof value === "string" && /^[A-Za-z0-9]+$/.test(value);

export function show() {
  const entries = load().filter((e) => safe(e.id) && safe(e.deletehash));
  list.replaceChildren();
  for (const entry of entries) {
    const li = template.content.firstElementChild.cloneNode(true);
    li.dataset.id = entry.id;
    li.querySelector(".mine-page").href = `/${entry.id}`;
    li.querySelector(".thumb").src = `/${entry.id}b.jpg`;
    const link = li.querySelector(".mine-link");
    link.href = `/${entry.id}`;
    link.textContent = entry.page || `/${entry.id}`;
    li.querySelector(".thumb").alt = `Image ${entry.id}`;
    const time = li.querySelector(".mine-time");
    time.textContent = new Date(entry.time).toLocaleString();
    li.querySelector(".mine-delete").href = `/delete/${entry.deletehash}`;
    li.querySelector(".mine-forget").addEventListener("click", () => forget(entry.id));
    list.append(li);
  }
  section.hidden = entries.length === 0;
}
