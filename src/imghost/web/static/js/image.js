// The image page. It works without this file: these are small courtesies.

// An animation that plays by itself waits for Play when a person asked for less motion.
const video = document.getElementById("video");
if (video && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
  video.autoplay = false;
  video.pause();
}

// "Saved." and "Added" were said once: a reload or a shared address should not say them again.
const url = new URL(window.location.href);
if (url.searchParams.has("saved") || url.searchParams.has("added")) {
  url.searchParams.delete("saved");
  url.searchParams.delete("added");
  window.history.replaceState(null, "", url.pathname + url.search + url.hash);
}
