/* overlaps.js: on the activity form, asks POST /api/v1/activities/overlaps-check for the
 * likely duplicates of what is being typed (400 ms after the last change to a field the
 * search reads, and once on load) and fills the #overlaps panel with them. The form works without it: its
 * "Check for overlaps" button gets the same panel from the server. Text goes in through
 * textContent only; the panel's data-t-* attributes carry the labels in the page's
 * language. A draft the API refuses (no planned start yet) leaves the panel as it is. */
"use strict";

(function () {
  var form = document.getElementById("activity-form");
  var panel = document.getElementById("overlaps");
  if (!form || !panel || !window.fetch) return;
  var list = panel.querySelector(".overlap-list");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var WATCHED = ["title_en", "title_ru", "lead_org", "host_country", "beneficiary_countries",
    "priorities", "focus_areas", "planned_start", "planned_end"];
  var DELAY_MS = 400;
  var timer = null;
  var sent = 0; /* the number of the latest request: older answers are dropped */

  function field(name) {
    var el = form.elements.namedItem(name);
    return el && typeof el.value === "string" ? el.value.trim() : "";
  }

  /* A list field's codes: its checked boxes, or its text split at commas. */
  function codes(name) {
    var out = [];
    var boxes = form.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    if (boxes.length) {
      for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) out.push(boxes[i].value);
      return out;
    }
    field(name).split(",").forEach(function (c) {
      c = c.trim();
      if (c) out.push(c);
    });
    return out;
  }

  /* The draft in the API's shape, or null while it has no planned start. */
  function draft() {
    var start = field("planned_start");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) return null;
    var body = {
      title: {},
      planned_start: start,
      priorities: codes("priorities"),
      focus_areas: codes("focus_areas"),
      beneficiary_countries: codes("beneficiary_countries"),
    };
    var en = field("title_en"), ru = field("title_ru");
    if (en) body.title.en = en;
    if (ru) body.title.ru = ru;
    var id = form.getAttribute("data-activity");
    if (id) body.id = id;
    ["lead_org", "host_country", "planned_end"].forEach(function (name) {
      if (field(name)) body[name] = field(name);
    });
    return body;
  }

  function label(key) {
    return panel.getAttribute("data-t-" + key) || key;
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function fact(ul, className, text, value) {
    ul.appendChild(el("li", className, value === undefined ? text : text + ": " + value));
  }

  function titleOf(item) {
    var t = item.title || {};
    return (document.documentElement.lang === "ru" && t.ru) || t.en || t.ru || "";
  }

  function candidate(item) {
    var li = el("li", "overlap");
    li.setAttribute("data-id", item.id);
    var head = el("p", "overlap-head");
    var link = el("a", "overlap-id", item.id);
    link.href = "/activities/" + encodeURIComponent(item.id);
    head.appendChild(link);
    head.appendChild(document.createTextNode(" "));
    head.appendChild(el("span", "overlap-title", titleOf(item)));
    li.appendChild(head);

    var facts = el("ul", "overlap-facts");
    fact(facts, "overlap-org", label("org"), item.lead_org);
    fact(facts, "overlap-dates", label("dates"),
      item.planned_start + (item.planned_end ? " – " + item.planned_end : ""));
    fact(facts, "overlap-score", label("score"), Number(item.score).toFixed(2));
    li.appendChild(facts);

    var why = item.reasons || {};
    var reasons = el("ul", "overlap-reasons");
    [["priorities", why.shared_priorities], ["focus", why.shared_focus_areas],
      ["countries", why.shared_countries]].forEach(function (r) {
      if (r[1] && r[1].length) fact(reasons, "", label(r[0]), r[1].join(", "));
    });
    if (why.days_apart === 0) fact(reasons, "", label("time"));
    else if (typeof why.days_apart === "number") fact(reasons, "", label("apart"), String(why.days_apart));
    if (why.text_similarity > 0)
      fact(reasons, "", label("text"), Math.round(why.text_similarity * 100) + "%");
    li.appendChild(reasons);
    return li;
  }

  function show(items) {
    while (list.firstChild) list.removeChild(list.firstChild);
    var empty = panel.querySelector(".empty");
    if (empty) empty.parentNode.removeChild(empty);
    items.forEach(function (item) { list.appendChild(candidate(item)); });
    panel.classList.toggle("idle", items.length === 0);
  }

  function check() {
    timer = null;
    var body = draft();
    if (!body) return;
    var mine = ++sent;
    fetch("/api/v1/activities/overlaps-check", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
        "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (page) {
      if (mine === sent && page && Array.isArray(page.items)) show(page.items);
    }).catch(function () { /* offline or refused: the button still works */ });
  }

  function changed(event) {
    var name = event.target && event.target.name;
    if (!name || WATCHED.indexOf(name) < 0) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, DELAY_MS);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  /* An edit form, or a form sent back with an error, already holds a draft: check it once,
   * unless the server has just shown the panel. */
  if (panel.classList.contains("idle")) check();
})();
