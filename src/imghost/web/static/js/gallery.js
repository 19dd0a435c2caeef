// The gallery's infinite scroll: as the Previous / Next links come into view, the next page's cards are
// added to the grid. Without this file (or when a page fails to load) the links page as they are.

const grid = document.getElementById("posts");
const me = document.getElementById("gallery-script");
// Modules are served under content-hashed names, which the page hands over (a relative import would miss).
const { announce } = await import(me.dataset.common);
let loading = false;

function pager() {
  return document.getElementById("gallery-pager");
}

async function loadNext(observer) {
  const link = pager()?.querySelector('a[rel="next"]');
  if (!link || loading) return;
  loading = true;
  grid.setAttribute("aria-busy", "true");
  const hadFocus = pager().contains(document.activeElement);
  try {
    const response = await fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error(`The server answered ${response.status}.`);
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const cards = [...doc.querySelectorAll("#posts > li")].map((li) => document.adoptNode(li));
    grid.append(...cards);
    const next = doc.getElementById("gallery-pager");
    observer.unobserve(pager());
    if (next && next.querySelector('a[rel="next"]') && cards.length) {
      pager().replaceWith(document.adoptNode(next));
      observer.observe(pager());
    } else {
      pager().remove();
    }
    // The link that had the focus is gone: the first new card takes it, where reading goes on.
    if (hadFocus && cards.length) cards[0].querySelector("a").focus();
    announce(cards.length ? `${cards.length} more posts.` : "No more posts.");
  } catch (error) {
    observer.disconnect(); // the links stay and still work
    announce(`More posts did not load: ${error.message}`);
  } finally {
    loading = false;
    grid.removeAttribute("aria-busy");
  }
}

if (grid && pager() && "IntersectionObserver" in window) {
  const observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting)) loadNext(observer);
    },
    { rootMargin: "600px 0px" },
  );
  observer.observe(pager());
}
