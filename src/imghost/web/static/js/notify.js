// The header's notification badge, kept live: the server's event stream (/notifications/stream) sends
// `unread` with {"unread": N} when it opens and whenever the count changes. The count in the page is
// right without this file; EventSource reconnects by itself when the stream ends or drops.

const badge = document.getElementById("notify-badge");

function show(n) {
  if (!badge) return;
  const count = Number(n) || 0;
  if (String(count) === badge.dataset.unread) return;
  badge.dataset.unread = String(count);
  badge.hidden = count === 0;
  badge.firstChild.textContent = count >= 100 ? "99+" : String(count);
}

if (badge && "EventSource" in window) {
  const source = new EventSource("/notifications/stream");
  source.addEventListener("unread", (event) => {
    // The stream is live from its first count on (pages and tests can tell).
    badge.dataset.live = "on";
    try {
      show(JSON.parse(event.data).unread);
    } catch {
      // A malformed event changes nothing.
    }
  });
  window.addEventListener("pagehide", () => source.close());
}
