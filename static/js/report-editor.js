// The report writer's page (/r/<token>): autosave drafts, keep unsaved work on this device,
// and show a live preview with plain-English suggestions. The form works without this script
// ("Save draft" and "Submit report" post it); this only makes sure nothing typed is lost.

const SAVE_AFTER_MS = 2000; // after typing stops
const PREVIEW_AFTER_MS = 800;
const RETRY_MS = [5000, 10000, 20000, 40000, 60000];
const KEEPALIVE_LIMIT = 60000; // browsers refuse keepalive bodies over 64 KB

const form = document.getElementById("report-form");
if (form) start(form);
for (const done of document.querySelectorAll("[data-forget-local]")) {
  // The report can no longer change: drop any copy this device still holds.
  try {
    localStorage.removeItem(done.dataset.forgetLocal);
  } catch {
    // Nothing to forget.
  }
}

function start(form) {
  const status = form.querySelector("[data-autosave-status]");
  const storageKey = form.dataset.storageKey;
  const draftUrl = form.dataset.draftUrl;
  const previewUrl = form.dataset.previewUrl;
  // A copy of what the writer typed, shown near the field in use; the live region is the one
  // screen readers hear, so this copy is hidden from them.
  const nearby = document.createElement("p");
  nearby.className = "govuk-body-s govuk-!-margin-top-1";
  nearby.setAttribute("aria-hidden", "true");

  let edits = 0; // bumped on every change
  let savedEdits = 0; // the value of `edits` the server last confirmed
  let saving = false;
  let timer = null;
  let retry = 0;
  let notBefore = 0; // Date.now() before which no save is sent (the server asked us to wait)
  let stopped = false;
  let submitting = false;

  function say(text) {
    if (status.textContent !== text) status.textContent = text;
    nearby.textContent = text;
  }

  function clock() {
    return new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  function collect() {
    const value = (name) => (form.elements.namedItem(name) || { value: "" }).value;
    const sections = {};
    for (const field of form.querySelectorAll("textarea[name^='sections.']")) {
      sections[field.name.slice("sections.".length)] = field.value;
    }
    const shared = form.querySelector("input[name='shared_with_family']:checked");
    return {
      role: value("role"),
      sections,
      restricted: value("restricted"),
      shared_with_family: shared ? shared.value === "yes" : null,
      shared_on: value("shared_on") || null,
      family_comments: value("family_comments"),
      not_shared_reason: value("not_shared_reason"),
    };
  }

  function restore(body) {
    const set = (name, text) => {
      const field = form.elements.namedItem(name);
      if (field && typeof text === "string") field.value = text;
    };
    set("role", body.role);
    for (const [key, text] of Object.entries(body.sections || {})) set(`sections.${key}`, text);
    set("restricted", body.restricted);
    set("shared_on", body.shared_on || "");
    set("family_comments", body.family_comments);
    set("not_shared_reason", body.not_shared_reason);
    for (const radio of form.querySelectorAll("input[name='shared_with_family']")) {
      radio.checked = body.shared_with_family === (radio.value === "yes");
      // Open the matching "Yes" or "No" details, as a click would (GOV.UK Frontend radios).
      const id = radio.getAttribute("aria-controls") || radio.dataset.ariaControls;
      const details = id && document.getElementById(id);
      if (details) details.classList.toggle("govuk-radios__conditional--hidden", !radio.checked);
      if (radio.hasAttribute("aria-expanded")) radio.setAttribute("aria-expanded", radio.checked);
    }
  }

  // Unsaved work is kept on this device until the server has it, then removed, so that a
  // shared computer does not keep a copy of a report about a family.
  function keepLocally() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ body: collect(), at: Date.now() }));
    } catch {
      // Private browsing or a full store: the server copy still works.
    }
  }

  function forgetLocally() {
    try {
      localStorage.removeItem(storageKey);
    } catch {
      // Nothing to forget.
    }
  }

  function localCopy() {
    try {
      return JSON.parse(localStorage.getItem(storageKey) || "null");
    } catch {
      return null;
    }
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(save, Math.max(ms, notBefore - Date.now())); // never before a 429's wait
  }

  async function save({ leaving = false } = {}) {
    clearTimeout(timer);
    timer = null;
    if (stopped || submitting || edits === savedEdits) return;
    if (!leaving && Date.now() < notBefore) {
      schedule(0); // at the end of the wait the server asked for
      return;
    }
    if (saving) {
      schedule(SAVE_AFTER_MS); // save again once this one is answered
      return;
    }
    saving = true;
    const sending = edits;
    const body = JSON.stringify(collect());
    try {
      const response = await fetch(draftUrl, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body,
        credentials: "omit",
        keepalive: leaving && body.length < KEEPALIVE_LIMIT,
      });
      const data = await response.json().catch(() => ({}));
      if (response.ok) {
        savedEdits = sending;
        retry = 0;
        say(`Saved at ${clock()}`);
        if (edits === savedEdits) forgetLocally();
        else schedule(SAVE_AFTER_MS); // typed more while this was being sent
      } else if (response.status >= 500) {
        say("Not saved – something went wrong on our side. We will keep trying.");
        schedule(RETRY_MS[Math.min(retry++, RETRY_MS.length - 1)]);
      } else if (response.status === 429) {
        // Slowed down (too many saves, or too many wrong links tried from this connection):
        // nothing to correct, so save again by ourselves once the server says we may.
        const wait = waitSeconds(response);
        notBefore = Date.now() + wait * 1000;
        say(
          `Not saved yet – the server asked us to wait. We will try again in ${wait} seconds; ` +
            "what you typed is kept on this device.",
        );
        schedule(wait * 1000);
      } else {
        const message = (data.error && data.error.message) || "Please check what you wrote.";
        say(`Not saved – ${message}`);
        if ([403, 404, 409, 410].includes(response.status)) stopped = true;
      }
    } catch {
      say("Not saved – you seem to be offline. We will keep trying.");
      schedule(RETRY_MS[Math.min(retry++, RETRY_MS.length - 1)]);
    } finally {
      saving = false;
    }
  }

  function waitSeconds(response) {
    const seconds = Number(response.headers.get("Retry-After"));
    return Number.isFinite(seconds) && seconds > 0 ? Math.min(Math.ceil(seconds), 600) : 60;
  }

  function changed(event) {
    edits += 1;
    keepLocally();
    schedule(SAVE_AFTER_MS);
    const group = event.target.closest(".govuk-form-group");
    if (group && nearby.parentNode !== group) group.append(nearby);
    if (event.target.matches("[data-preview]")) previewSoon(event.target);
  }

  // -- preview -------------------------------------------------------------------------------

  const previewTimers = new Map();

  function previewSoon(field) {
    clearTimeout(previewTimers.get(field.id));
    previewTimers.set(field.id, setTimeout(() => preview(field), PREVIEW_AFTER_MS));
  }

  async function preview(field) {
    const box = form.querySelector(`[data-preview-for="${field.id}"]`);
    if (!box) return;
    if (!field.value.trim()) {
      box.hidden = true;
      return;
    }
    const htmlBox = box.querySelector("[data-preview-html]");
    const findingsBox = box.querySelector("[data-preview-findings]");
    try {
      const response = await fetch(previewUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: field.value }),
        credentials: "omit",
      });
      const data = await response.json();
      if (!response.ok) throw new Error(data.error ? data.error.message : "");
      // The server renders and sanitises the HTML (rendering.render_markdown).
      htmlBox.innerHTML = data.html;
      findingsBox.replaceChildren(...findings(data.findings || []));
    } catch {
      htmlBox.textContent = "The preview is not available right now. Your text is still kept.";
      findingsBox.replaceChildren();
    }
    box.hidden = false;
  }

  function findings(list) {
    if (!list.length) return [];
    const heading = document.createElement("h4");
    heading.className = "govuk-heading-s govuk-!-margin-top-4 govuk-!-margin-bottom-1";
    heading.textContent = "Words the family may not know";
    const intro = document.createElement("p");
    intro.className = "govuk-body-s";
    intro.textContent = "These are suggestions only. You can still send your report as it is.";
    const items = document.createElement("ul");
    items.className = "govuk-list govuk-list--bullet govuk-body-s";
    for (const finding of list) {
      const item = document.createElement("li");
      item.textContent = finding.message;
      items.append(item);
    }
    return [heading, intro, items];
  }

  // -- wiring --------------------------------------------------------------------------------

  form.addEventListener("input", changed);
  form.addEventListener("change", (event) => {
    if (event.target.type === "radio") changed(event); // radios send no input event in some browsers
  });
  form.addEventListener("focusout", () => save());
  form.addEventListener("submit", () => {
    // The post carries everything; an autosave racing it would only re-open a draft.
    submitting = true;
    clearTimeout(timer);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save({ leaving: true });
  });
  window.addEventListener("pagehide", () => save({ leaving: true }));
  window.addEventListener("online", () => {
    retry = 0;
    save();
  });

  if ("clearLocal" in form.dataset) {
    forgetLocally(); // this page is the answer to a successful save or submit
  } else {
    const copy = localCopy();
    if (copy && copy.body) {
      restore(copy.body);
      edits += 1;
      say("We found changes on this device that had not been saved. Saving them now.");
      save();
    }
  }
  for (const field of form.querySelectorAll("[data-preview]")) {
    if (field.value.trim()) preview(field);
  }
}
