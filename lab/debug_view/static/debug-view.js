// The debug view's live updates, without a framework.
//
// The lab announces every stored submission on /debug/events (SSE) with a
// generation number and the debug tags that arrived.  A page refreshes its
// regions (<section class="region">) by fetching its own URL with
// ?region=NAME, which returns that region's HTML, escaped by the server;
// the script never builds markup from data.  One fetch per region at a
// time: announcements that come while one is under way cause one more
// fetch, not one each.  A ping the user opened stays open across refreshes.
"use strict";

(() => {
  const body = document.body;
  const pageTag = body.dataset.tag; // undefined on pages not about one tag
  const state = document.getElementById("live-state");
  let seen = Number(body.dataset.generation);
  const running = new Map(); // region id -> {again: boolean}
  const RETRY_MS = 1000;

  function openItems(region) {
    const open = new Map();
    for (const details of region.querySelectorAll("[data-document-id] > details")) {
      open.set(details.parentElement.dataset.documentId, details.open);
    }
    return open;
  }

  async function refresh(id) {
    const job = running.get(id);
    if (job !== undefined) {
      job.again = true;
      return;
    }
    const mine = { again: true };
    running.set(id, mine);
    try {
      while (mine.again) {
        mine.again = false;
        const current = document.getElementById(id);
        if (current === null) return;
        const url = new URL(window.location.href);
        url.searchParams.set("region", current.dataset.region);
        const response = await fetch(url, { cache: "no-store" });
        if (!response.ok) return;
        const parsed = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = parsed.getElementById(id);
        const now = document.getElementById(id);
        if (fresh === null || now === null) return;
        const open = openItems(now);
        for (const details of fresh.querySelectorAll("[data-document-id] > details")) {
          if (open.get(details.parentElement.dataset.documentId)) details.open = true;
        }
        now.replaceWith(document.adoptNode(fresh));
        // A region older than the last announcement (the report is read at most every few
        // seconds) asks again a little later.
        if (Number(fresh.dataset.generation) < seen) {
          window.setTimeout(() => refresh(id), RETRY_MS);
        }
      }
    } finally {
      running.delete(id);
    }
  }

  const events = new EventSource(body.dataset.events);
  events.addEventListener("open", () => {
    state.dataset.state = "live";
  });
  events.addEventListener("error", () => {
    state.dataset.state = "reconnecting";
  });
  events.addEventListener("stored", (event) => {
    const { generation, tags } = JSON.parse(event.data);
    if (generation <= seen) return;
    seen = generation;
    // The first message names no tag: whatever arrived before it may concern this page.
    if (pageTag !== undefined && tags.length > 0 && !tags.includes(pageTag)) return;
    for (const region of document.querySelectorAll("section.region[data-region]")) {
      refresh(region.id);
    }
  });
})();
