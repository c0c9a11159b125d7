// patchbay: small progressive enhancement. Every page works without this file.
(function () {
  "use strict";

  // Back from a provider (or any link to a card): keyboard focus goes where the page points,
  // so the next Tab reaches that card's buttons instead of the top of the page.
  var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target && target.hasAttribute("tabindex")) target.focus({ preventScroll: false });

  // Escape closes an open menu (the + menu is a <details>) and returns focus to its button.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = e.target.closest ? e.target.closest("details[open]") : null;
    open = open || document.querySelector("details.plus[open]");
    if (!open) return;
    open.open = false;
    var summary = open.querySelector("summary");
    if (summary) summary.focus();
  });

  // A card's main button says what it will do: connect now, or set up for app users.
  document.addEventListener("change", function (e) {
    var radio = e.target;
    if (!radio.matches || !radio.matches("form.connect input[name=kind][data-label]")) return;
    var button = radio.form.querySelector(".actions button.primary");
    if (button) button.textContent = radio.getAttribute("data-label");
  });

  // Live filtering for any search box with data-filter="#list".
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var list = document.querySelector(input.getAttribute("data-filter"));
    if (!list) return;
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      list.querySelectorAll("[data-search]").forEach(function (item) {
        var hit = !q || item.getAttribute("data-search").indexOf(q) !== -1;
        item.hidden = !hit;
        if (hit) shown++;
      });
      list.querySelectorAll("[data-group]").forEach(function (g) {
        g.hidden = !g.querySelector("[data-search]:not([hidden])");
        // A folded group (Settings' connectors) opens to show what matched.
        if (q && !g.hidden && g.tagName === "DETAILS") g.open = true;
      });
      var empty = list.querySelector("[data-empty]");
      if (empty) empty.hidden = shown > 0;
    });
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
  });

  // Homepage chips: add and remove without a reload.
  var chipsValue = document.querySelector("[data-chips-value]");
  var chipsBox = document.querySelector("[data-chips]");
  function chipIds() { return chipsValue.value ? chipsValue.value.split(",").filter(Boolean) : []; }
  function removeChip(id) {
    chipsValue.value = chipIds().filter(function (c) { return c !== id; }).join(",");
    var el = chipsBox.querySelector('[data-id="' + id + '"]');
    if (el) el.remove();
    var item = document.querySelector('[data-add-chip="' + id + '"]');
    if (item) item.classList.remove("chosen");
  }
  if (chipsValue && chipsBox) {
    chipsBox.addEventListener("click", function (e) {
      var b = e.target.closest("button[name=remove_chip]");
      if (!b) return;
      e.preventDefault();
      removeChip(b.value);
    });
    document.querySelectorAll("[data-add-chip]").forEach(function (b) {
      b.addEventListener("click", function (e) {
        e.preventDefault();
        var id = b.getAttribute("data-add-chip");
        if (chipIds().indexOf(id) !== -1) { removeChip(id); return; }
        chipsValue.value = chipIds().concat([id]).join(",");
        b.classList.add("chosen");
        var chip = document.createElement("span");
        chip.className = "chip";
        chip.setAttribute("data-id", id);
        var badge = document.createElement("span");
        badge.className = "badge sm";
        badge.textContent = b.getAttribute("data-initials");
        var x = document.createElement("button");
        x.type = "submit"; x.name = "remove_chip"; x.value = id; x.textContent = "×";
        x.setAttribute("aria-label", "Remove " + b.getAttribute("data-name"));
        chip.append(badge, document.createTextNode(b.getAttribute("data-name")), x);
        chipsBox.append(chip);
      });
    });
  }

  // Chat: send without a reload, show that work is under way, keep the text on error.
  var form = document.querySelector("form[data-chat]");
  if (form) {
    var box = form.querySelector("textarea");
    var error = form.querySelector("[data-error]");
    var list = document.getElementById("messages");
    // Open at the newest message unless a link points somewhere else.
    if (!location.hash && list.lastElementChild) list.lastElementChild.scrollIntoView({ block: "start" });
    if (!location.hash) box.focus({ preventScroll: true });
    document.querySelectorAll("[data-suggestion]").forEach(function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();
        box.value = a.getAttribute("data-suggestion");
        box.focus();
      });
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = box.value;
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      error.hidden = true;
      var pending = document.createElement("li");
      pending.className = "msg from-assistant pending";
      pending.innerHTML = '<p class="msg-meta">patchbay</p><div class="msg-body">Working out which tools this needs…</div>';
      list.append(pending);
      fetch(form.action, {
        method: "POST",
        headers: { "x-requested-with": "fetch", "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ message: text }),
        credentials: "same-origin"
      }).then(function (r) {
        return r.text().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (res) {
        pending.remove();
        if (!res.ok) { error.textContent = res.body; error.hidden = false; return; }
        list.insertAdjacentHTML("beforeend", res.body);
        box.value = "";
        document.querySelectorAll(".empty-chat, .suggestions").forEach(function (n) { n.remove(); });
        var last = list.lastElementChild;
        if (last) last.scrollIntoView({ behavior: "smooth", block: "start" });
      }).catch(function () {
        pending.remove();
        error.textContent = "Could not reach patchbay. Your message is still here; try again.";
        error.hidden = false;
      }).finally(function () { button.disabled = false; });
    });
  }
})();

// Add a custom API: a chosen document file fills the text box it names (pasting works
// without this).
(function () {
  document.querySelectorAll("input[type=file][data-fills]").forEach(function (input) {
    input.addEventListener("change", function () {
      var box = document.getElementById(input.dataset.fills);
      var file = input.files && input.files[0];
      if (!box || !file) return;
      file.text().then(function (text) { box.value = text; });
    });
  });
})();
