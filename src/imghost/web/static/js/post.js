// The post page. For a signed-in person, votes, the favourite, comments, replies, comment votes and
// deletes are sent by script (JSON answers) and the page changes in place; every one of them is a plain
// form first, which posts as it is without this file. Visitors' pages have no forms.

const root = document.getElementById("post");
// Modules are served under content-hashed names, which the page hands over (a relative import would miss).
const { announce, send } = await import(root.dataset.common);
function plural(n, one, many) {
  return `${n} ${n === 1 || n === -1 ? one : many}`;
}

// Two buttons (data-vote up and down) show the viewer's vote; pressing the pressed one takes it back.
function showVote(buttons, vote) {
  for (const b of buttons) {
    const pressed = (b.dataset.vote === "up" && vote === 1) || (b.dataset.vote === "down" && vote === -1);
    b.setAttribute("aria-pressed", String(pressed));
    b.value = pressed ? "veto" : b.dataset.vote;
  }
}

function setCount(n) {
  const count = document.getElementById("comment-count");
  if (count) count.textContent = String(n);
  document.getElementById("no-comments")?.remove();
}

function fragment(html) {
  const t = document.createElement("template");
  t.innerHTML = html;
  return t.content.firstElementChild;
}

const after = {
  vote(form, button, data) {
    document.getElementById("post-points").textContent = data.points.toLocaleString("en");
    showVote(form.querySelectorAll("button[data-vote]"), data.vote);
    announce(data.vote ? `Voted ${data.vote > 0 ? "up" : "down"}. ${plural(data.points, "point", "points")}.` : `Vote taken back. ${plural(data.points, "point", "points")}.`);
  },
  favorite(form, button, data) {
    button.setAttribute("aria-pressed", String(data.favorite));
    const count = document.getElementById("favorite-count");
    if (count) count.textContent = String(Math.max(0, Number(count.textContent.replace(/\D/g, "")) + (data.favorite ? 1 : -1)));
    announce(data.favorite ? "Added to your favourites." : "Removed from your favourites.");
  },
  comment(form, button, data) {
    const li = fragment(data.html);
    if (data.parent) {
      const parent = document.getElementById(`c${data.parent}`);
      let replies = parent.querySelector(":scope > ol.replies");
      if (!replies) {
        replies = document.createElement("ol");
        replies.className = "replies";
        parent.append(replies);
      }
      replies.append(li);
      form.remove();
    } else {
      document.getElementById("comment-list").prepend(li);
      form.reset();
    }
    setCount(data.count);
    li.tabIndex = -1;
    li.focus();
    announce(data.parent ? "Your reply is posted." : "Your comment is posted.");
  },
  "comment-vote"(form, button, data) {
    const li = button.closest("li.comment");
    li.querySelector(":scope > .comment-meta .c-points").textContent = plural(data.points, "point", "points");
    showVote(li.querySelectorAll(":scope > .comment-tools button[data-vote]"), data.vote);
    announce(data.vote ? `Comment voted ${data.vote > 0 ? "up" : "down"}.` : "Comment vote taken back.");
  },
  "comment-delete"(form, button, data) {
    const li = button.closest("li.comment");
    // A comment with replies stays as deleted; one without goes, and so does every deleted comment
    // above it that it leaves without replies (as the server keeps the tree).
    if (li.querySelector(":scope > ol.replies > li")) {
      li.classList.add("deleted");
      const author = document.createElement("span");
      author.className = "comment-author";
      author.textContent = "[deleted]";
      li.querySelector(":scope > .comment-meta .comment-author").replaceWith(author);
      li.querySelector(":scope > .comment-body").textContent = "[deleted]";
      li.querySelector(":scope > .comment-tools")?.remove();
    } else {
      let node = li;
      while (node) {
        const list = node.parentElement;
        node.remove();
        const holder = list.classList.contains("replies") && !list.children.length ? list.closest("li.comment") : null;
        if (holder) list.remove();
        node = holder && holder.classList.contains("deleted") ? holder : null;
      }
    }
    setCount(data.count);
    const heading = document.getElementById("comments-heading");
    heading.tabIndex = -1;
    heading.focus();
    announce("Your comment is deleted.");
  },
};

document.addEventListener("submit", async (event) => {
  const form = event.target;
  const kind = form.dataset?.fetch;
  if (!kind || !after[kind]) return;
  event.preventDefault();
  const button = event.submitter || form.querySelector("button[type=submit]");
  const url = button?.getAttribute("formaction") || form.getAttribute("action");
  const body = new FormData(form);
  if (button?.name) body.append(button.name, button.value);
  if (kind === "comment") body.append("sort", new URL(window.location.href).searchParams.get("sort") || "best");
  if (button) button.disabled = true;
  try {
    after[kind](form, button, await send(url, { body }));
  } catch (error) {
    announce(`That did not work: ${error.message}`);
  } finally {
    if (button) button.disabled = false;
  }
});

// Reply: the form comes under the comment (without this script the link asks the server for it).
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.reply-link[data-reply]");
  const cancel = event.target.closest(".reply-form a[data-cancel]");
  if (cancel) {
    event.preventDefault();
    const form = cancel.closest("form");
    form.closest("li.comment")?.querySelector(":scope > .comment-tools .reply-link")?.focus();
    form.remove();
    return;
  }
  if (!link) return;
  event.preventDefault();
  const id = link.dataset.reply;
  let form = document.getElementById(`reply-form-${id}`);
  if (!form) {
    form = document.getElementById("reply-template").content.firstElementChild.cloneNode(true);
    form.id = `reply-form-${id}`;
    form.querySelector("input[name=parent]").value = id;
    form.querySelector("label").htmlFor = `reply-text-${id}`;
    form.querySelector("textarea").id = `reply-text-${id}`;
    link.closest(".comment-tools").after(form);
  }
  form.querySelector("textarea").focus();
});

// An animation that plays by itself waits for Play when a person asked for less motion.
const video = document.getElementById("post-video");
if (video && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
  video.autoplay = false;
  video.pause();
}

// "Shared." and the other notices were said once: a reload or a shared address should not say them again.
const here = new URL(window.location.href);
if (here.searchParams.has("done") || here.searchParams.has("reply")) {
  here.searchParams.delete("done");
  here.searchParams.delete("reply");
  window.history.replaceState(null, "", here.pathname + here.search + here.hash);
}
