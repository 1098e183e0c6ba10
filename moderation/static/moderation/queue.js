/* Keyboard triage for the moderator queue, on top of htmx.
   j/k move (moving onto an item opens and claims it), a/r/e decide, x selects,
   u undoes, ? shows the keys. Decisions are plain htmx forms, so every key has
   a button that does the same. */
(function () {
  "use strict";

  function configureHtmx() {
    // Refusals (409 someone else decided first, 403 role, 422 bad input) carry a
    // fragment that explains them: swap it in instead of dropping it.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "(409|403|422)", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false },
    ];
  }

  const cards = () => Array.from(document.querySelectorAll("#queue-items > .q-item"));
  let current = null;
  let lastIndex = 0;

  function setCurrent(card, opts) {
    if (!card) return;
    // Not only `current`: while htmx settles a swapped card, its new node
    // carries the old node's classes, is-current included.
    document.querySelectorAll(".q-item.is-current").forEach((el) => { if (el !== card) el.classList.remove("is-current"); });
    current = card;
    lastIndex = Math.max(0, cards().indexOf(card));
    card.classList.add("is-current");
    if (!opts || opts.scroll !== false) {
      card.scrollIntoView({ block: "nearest", behavior: "auto" });
    }
    card.focus({ preventScroll: true });
    // On an item's own page the context is already there below the card.
    const context = card.closest(".single") ? null : card.querySelector(".q-context");
    if (context && window.htmx) htmx.trigger(context, "open");
  }

  // A swap replaces the current card with a new node of the same id, or
  // removes it once decided; until htmx settles, `current` still points at
  // the detached one.
  function liveCurrent() {
    if (!current) return null;
    if (document.body.contains(current)) return current;
    const replaced = document.getElementById(current.id);
    if (replaced && replaced.matches("#queue-items > .q-item")) return replaced;
    // Decided and swapped out, before htmx settles: the cursor is already on
    // the next item (as afterSettle will say), so a key pressed now acts there.
    const all = cards();
    if (!all.length) return null;
    setCurrent(all[Math.min(lastIndex, all.length - 1)], { scroll: false });
    return current;
  }

  function move(delta) {
    const all = cards();
    if (!all.length) return;
    const live = liveCurrent();
    const at = live ? all.indexOf(live) : -1;
    let next = at < 0 ? (delta > 0 ? Math.min(lastIndex, all.length - 1) : 0) : at + delta;
    next = Math.max(0, Math.min(all.length - 1, next));
    setCurrent(all[next]);
  }

  function selected() {
    return Array.from(document.querySelectorAll("#queue-items .q-select:checked"));
  }

  function updateBulk() {
    const form = document.getElementById("bulk-form");
    if (!form) return;
    const count = selected().length;
    form.classList.toggle("is-active", count > 0);
    const label = document.getElementById("bulk-count");
    if (label) label.textContent = count + " selected";
    cards().forEach((card) => {
      const box = card.querySelector(".q-select");
      card.classList.toggle("is-selected", !!(box && box.checked));
    });
  }

  function clickIn(root, selector) {
    const el = root && root.querySelector(selector);
    if (el) el.click();
    return !!el;
  }

  function openRejectMenu(card) {
    const details = card && card.querySelector("details.reject");
    if (!details) return;
    details.open = !details.open;
  }

  function openMenu() {
    return document.querySelector("#queue-items details.reject[open]");
  }

  function closeOverlays() {
    document.querySelectorAll("details.reject[open]").forEach((d) => { d.open = false; });
    const drawer = document.getElementById("drawer");
    if (drawer && !drawer.hidden) { drawer.hidden = true; drawer.innerHTML = ""; }
  }

  function bulkAct(kind) {
    const form = document.getElementById("bulk-form");
    if (!form) return;
    if (kind === "reject") {
      const select = document.getElementById("bulk-reason");
      if (select) select.focus();
      return;
    }
    clickIn(form, 'button[value="' + kind + '"]');
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target && event.target.tagName) || "";
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(tag) || (event.target && event.target.isContentEditable);
    const help = document.getElementById("help");
    if (event.key === "Escape") { closeOverlays(); if (typing) event.target.blur(); return; }
    if (typing) return;
    if (help && help.open && event.key !== "?") return;
    const menu = openMenu();
    if (menu && /^[1-9]$/.test(event.key)) {
      const choices = menu.querySelectorAll(".reason-menu button");
      const choice = choices[Number(event.key) - 1];
      if (choice) { event.preventDefault(); choice.click(); }
      return;
    }
    const card = liveCurrent();
    const bulk = selected().length > 0;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a": bulk ? bulkAct("approve") : card && clickIn(card, 'button[value="approve"]'); break;
      case "e": bulk ? bulkAct("escalate") : card && clickIn(card, 'button[value="escalate"]'); break;
      case "r": bulk ? bulkAct("reject") : openRejectMenu(card); break;
      case "x":
        if (card) { const box = card.querySelector(".q-select"); if (box) { box.checked = !box.checked; updateBulk(); } }
        break;
      case "u": { const undo = document.getElementById("undo-form"); if (undo) htmx.trigger(undo, "submit"); break; }
      case "o": if (card) window.location.href = card.dataset.url; break;
      case "t": if (card) clickIn(card, ".thread-button"); break;
      case "/": { const q = document.querySelector("#filters input[name=q]"); if (q) { const box = q.closest("details"); if (box) box.open = true; q.focus(); } break; }
      case "?": if (help) { help.open ? help.close() : help.showModal(); } break;
      default: return;
    }
    event.preventDefault();
  }

  // The ids on screen, so each poll can say who holds or decided them.
  window.queueShownIds = function () {
    return cards().slice(0, 200).map((card) => card.dataset.pk).join(",");
  };

  function adoptIncoming() {
    const incoming = document.getElementById("incoming");
    const list = document.getElementById("queue-items");
    if (!incoming || !list) return;
    const fresh = Array.from(incoming.children).filter((card) => !document.getElementById(card.id) || card.parentNode === incoming);
    fresh.reverse().forEach((card) => {
      const existing = list.querySelector("#" + CSS.escape(card.id));
      if (existing) { card.remove(); return; }
      card.classList.add("is-new");
      list.insertBefore(card, list.firstChild);
      htmx.process(card);
    });
    incoming.innerHTML = "";
    const empty = list.querySelector(".empty");
    if (empty && cards().length) empty.remove();
  }

  function init() {
    if (!window.htmx) return;
    configureHtmx();
    document.addEventListener("keydown", onKey);
    document.addEventListener("change", (event) => {
      if (event.target.classList && event.target.classList.contains("q-select")) updateBulk();
    });
    document.addEventListener("click", (event) => {
      if (event.target.closest("[data-close-drawer]")) { closeOverlays(); return; }
      const card = event.target.closest("#queue-items > .q-item");
      if (card && card !== current && !event.target.closest("a")) setCurrent(card, { scroll: false });
    });
    // A decided card is swapped out: keep the cursor where it was, on the next item.
    document.body.addEventListener("htmx:beforeSwap", (event) => {
      const target = event.detail.target;
      if (target && target.classList && target.classList.contains("q-item")) {
        lastIndex = Math.max(0, cards().indexOf(target));
      }
    });
    document.body.addEventListener("htmx:afterSettle", (event) => {
      const target = event.detail.target;
      if (target && target.id === "drawer") target.hidden = false;
      // Settling restores the server's class list, which drops is-current.
      if (current && document.body.contains(current)) current.classList.add("is-current");
      else if (current) {
        const replaced = document.getElementById(current.id);
        current = null;
        if (replaced) { setCurrent(replaced, { scroll: false }); }
        else {
          const all = cards();
          if (all.length) setCurrent(all[Math.min(lastIndex, all.length - 1)]);
        }
      }
      updateBulk();
    });
    // Each poll says which ids are on screen (in place of hx-vals="js:…", which needs eval).
    document.body.addEventListener("htmx:configRequest", (event) => {
      if (event.detail.elt && event.detail.elt.id === "poll") event.detail.parameters.shown = window.queueShownIds();
    });
    document.body.addEventListener("htmx:oobAfterSwap", (event) => {
      if (event.detail.target && event.detail.target.id === "incoming") adoptIncoming();
    });
    document.body.addEventListener("queue-refresh", () => {
      const list = document.getElementById("queue-list");
      if (list) htmx.ajax("GET", window.location.href, { target: "#queue-list", swap: "outerHTML" });
    });
    updateBulk();
    // After htmx has wired up the page, so opening the first item reaches its listener.
    const openFirst = () => {
      const first = cards()[0];
      if (first && !current && document.getElementById("queue-list")) setCurrent(first, { scroll: false });
    };
    if (document.readyState === "complete") setTimeout(openFirst, 0);
    else window.addEventListener("load", openFirst);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
