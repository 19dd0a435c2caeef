// Shared by every page: copy buttons, and the one way scripts call the site (with the CSRF token).
// Pages work without this file; it only adds conveniences.

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// A state-changing call to the web surface. Sends the CSRF token in a header; answers JSON.
export async function send(url, { method = "POST", body = null, json = null } = {}) {
  const headers = { "X-CSRF-Token": csrfToken(), Accept: "application/json" };
  let payload = body;
  if (json !== null) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(json);
  }
  const response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = (data && data.error) || `The server answered ${response.status}.`;
    throw new Error(message);
  }
  return data;
}

// Announce a short message to screen readers (and show it) in the page's live region.
export function announce(text) {
  let region = document.getElementById("live");
  if (!region) {
    region = document.createElement("p");
    region.id = "live";
    region.className = "visually-hidden";
    region.setAttribute("aria-live", "polite");
    document.body.append(region);
  }
  region.textContent = text;
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain-HTTP sites have no clipboard API: fall back to a selection copy.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "visually-hidden";
  document.body.append(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}

export function wireCopyButtons(root = document) {
  for (const button of root.querySelectorAll("button[data-copy]")) {
    if (button.dataset.wired) continue;
    button.dataset.wired = "1";
    button.addEventListener("click", async () => {
      const input = document.getElementById(button.dataset.copy);
      if (!input) return;
      input.select();
      try {
        await copyText(input.value);
        const label = button.firstChild.textContent;
        button.firstChild.textContent = "Copied";
        announce("Copied to the clipboard");
        setTimeout(() => { button.firstChild.textContent = label; }, 1500);
      } catch {
        announce("Select the text and copy it by hand");
      }
    });
  }
}

wireCopyButtons();
