// Selecting many images in a form of checkboxes: shift-click ticks (or clears) every box between the
// last one clicked and this one, "Select all on this page" toggles them all without reloading, and a
// live count says how many are selected. Without this script the form works as it is.

function wire(form) {
  const boxes = () => [...form.querySelectorAll('input[type="checkbox"][name="ids"]')];
  const count = form.querySelector("#selected-count");
  const all = form.querySelector("[data-select-all]");
  let last = null;

  function update() {
    const list = boxes();
    const n = list.filter((b) => b.checked).length;
    if (count) count.textContent = `${n} selected`;
    if (all) all.textContent = n === list.length && n > 0 ? "Select none" : "Select all on this page";
    for (const b of list) b.closest("li")?.classList.toggle("selected", b.checked);
  }

  form.addEventListener("click", (event) => {
    const box = event.target.closest('input[type="checkbox"][name="ids"]');
    if (!box) return;
    if (event.shiftKey && last && last !== box) {
      const list = boxes();
      const [from, to] = [list.indexOf(last), list.indexOf(box)].sort((a, b) => a - b);
      for (const b of list.slice(from, to + 1)) b.checked = box.checked;
    }
    last = box;
    update();
  });
  form.addEventListener("change", update);

  if (all) {
    all.setAttribute("role", "button");
    all.addEventListener("click", (event) => {
      event.preventDefault();
      const list = boxes();
      const on = !list.every((b) => b.checked);
      for (const b of list) b.checked = on;
      update();
    });
    all.addEventListener("keydown", (event) => {
      if (event.key === " ") {
        event.preventDefault();
        all.click();
      }
    });
  }
  update();
}

for (const form of document.querySelectorAll("form[data-select]")) wire(form);
