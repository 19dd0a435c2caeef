// The album owner's reordering: drag an image to a new place, or use its Move up / Move down buttons
// (keyboard). Either way the page changes at once and the whole order is saved with one call; without
// this script the buttons are plain form posts that do the same on the server.

const root = document.getElementById("album");
const list = document.querySelector("#album-images[data-reorder]");
const albumId = root?.dataset.album;
// Modules are served under content-hashed names, which the page hands over (a relative import would miss).
const { announce, send } = await import(root.dataset.common);

function items() {
  return [...list.querySelectorAll("li[data-id]")];
}

function renumber() {
  items().forEach((li, n) => {
    const position = li.querySelector(".position");
    if (position) position.textContent = String(n + 1);
  });
}

let saving = Promise.resolve();

// Saves are chained: each sends the whole order as it is then, so the last one wins.
function save(what) {
  const ids = items().map((li) => li.dataset.id);
  list.setAttribute("aria-busy", "true");
  saving = saving
    .then(() => send(`/a/${albumId}/order`, { json: { ids } }))
    .then(() => announce(`${what} The new order is saved.`))
    .catch((error) => announce(`The order was not saved: ${error.message} Reload the page and try again.`))
    .finally(() => list.removeAttribute("aria-busy"));
  return saving;
}

function describe(li) {
  const all = items();
  return `Moved to position ${all.indexOf(li) + 1} of ${all.length}.`;
}

function moveBy(li, by) {
  const sibling = by < 0 ? li.previousElementSibling : li.nextElementSibling;
  if (!sibling) {
    announce(by < 0 ? "Already first." : "Already last.");
    return false;
  }
  if (by < 0) sibling.before(li);
  else sibling.after(li);
  renumber();
  return true;
}

function wireButtons() {
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-move]");
    if (!button) return;
    event.preventDefault();
    const li = button.closest("li[data-id]");
    if (moveBy(li, Number(button.dataset.move))) {
      button.focus(); // moving the item in the page takes the focus away from it
      save(describe(li));
    }
  });
}

function wireDragging() {
  let dragged = null;
  let before = [];

  list.addEventListener("dragstart", (event) => {
    const li = event.target.closest("li[data-id]");
    if (!li) return;
    dragged = li;
    before = items().map((x) => x.dataset.id);
    li.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", li.dataset.id);
  });

  list.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    const over = event.target.closest("li[data-id]");
    if (!over || over === dragged) return;
    const box = over.getBoundingClientRect();
    // The list may wrap into columns on wide screens: compare along the axis the items run.
    const vertical = box.width > list.getBoundingClientRect().width * 0.6;
    const after = vertical ? event.clientY > box.top + box.height / 2 : event.clientX > box.left + box.width / 2;
    if (after) over.after(dragged);
    else over.before(dragged);
  });

  list.addEventListener("drop", (event) => {
    if (dragged) event.preventDefault();
  });

  list.addEventListener("dragend", () => {
    if (!dragged) return;
    const li = dragged;
    dragged = null;
    li.classList.remove("dragging");
    renumber();
    const now = items().map((x) => x.dataset.id);
    if (now.join() !== before.join()) save(describe(li));
  });
}

if (list && albumId) {
  wireButtons();
  wireDragging();
}
