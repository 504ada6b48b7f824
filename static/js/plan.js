// The safety plan. planEditor: the chair's and the minute-taker's editor (add, change, move,
// remove; accept or discard drafts; the staff advice), on templates/live/_plan_editor.html.
// planView: the agreed plan, read-only, for the phones and the shared screen.
// At a review, actions carried from the last plan say so and how they have gone; the editor
// marks that with action.progress.
import { h, replace } from "/static/js/live.js";
import { ackErrors, clearErrors, showErrors } from "/static/js/form-errors.js";

const KINDS = ["immediate", "contingency", "long_term"];
// The four statuses of a carried action, as conference_room/rules/review.py words them.
const PROGRESS = {
  done: "Done",
  in_progress: "Started, not finished",
  not_done: "Not done",
  no_longer_needed: "No longer needed",
};

function childName(state, childId) {
  if (childId === null || childId === undefined) return "All the children";
  const child = (state.children || []).find((c) => c.id === childId);
  return child ? child.name : "One child";
}

function byKind(plan) {
  return KINDS.map((kind) => [kind, plan.filter((a) => a.kind === kind)]).filter(([, actions]) => actions.length);
}

function details(action, state, { family }) {
  const lines = [];
  if (action.who) lines.push(["Who", action.who]);
  if (action.by_when) lines.push([family ? "When" : "By when", action.by_when]);
  if (action.how_we_know) lines.push([family ? "How we will know it is working" : "How we will know", action.how_we_know]);
  if ((state.children || []).length > 1 || action.child_id !== null) lines.push(["For", childName(state, action.child_id)]);
  return h("ul", { class: "govuk-list cr-action__details" },
    lines.map(([key, value]) => h("li", {}, h("span", { class: "cr-action__key" }, `${key}: `), value)));
}

function progress(action) {
  // A carried action: that it is from the last plan, and how it has gone, in plain words.
  if (!action.carried_from_id) return null;
  return h("p", { class: "govuk-body cr-action__progress" },
    h("strong", { class: "govuk-tag govuk-tag--grey" }, "From the last plan"), " ",
    action.progress_title ? ["How it has gone: ", h("strong", {}, action.progress_title)] : "Not checked yet",
    action.progress_note ? h("span", { class: "cr-action__progress-note" }, h("br"), action.progress_note) : null);
}

export function planView(state, { family, headingLevel = "h3" }) {
  // The agreed plan grouped by kind; plain titles for family phones and the shared screen.
  const plan = state.plan || [];
  if (!plan.length) return null;
  return byKind(plan).map(([, actions]) => h("div", { class: "cr-plan-group" },
    h(headingLevel, { class: "govuk-heading-s" },
      family ? actions[0].kind_family_title : actions[0].kind_title),
    h("ul", { class: "govuk-list cr-plan-list" }, actions.map((action) => h("li", { class: "cr-action" },
      h("p", { class: "govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1" }, action.what),
      progress(action),
      details(action, state, { family }))))));
}

function renameIds(form, suffix) {
  // A copy of the add form for editing one action: every id (and what points at it) made unique.
  for (const el of form.querySelectorAll("[id]")) el.id = `${el.id}${suffix}`;
  for (const el of form.querySelectorAll("label[for]")) el.htmlFor = `${el.htmlFor}${suffix}`;
  for (const el of form.querySelectorAll("[aria-describedby]")) {
    el.setAttribute("aria-describedby", el.getAttribute("aria-describedby").split(" ").map((id) => `${id}${suffix}`).join(" "));
  }
  form.removeAttribute("id");
  form.removeAttribute("data-live-only");
}

function readForm(form) {
  const data = new FormData(form);
  const childId = String(data.get("child_id") || "");
  return {
    what: String(data.get("what") || ""),
    who: String(data.get("who") || ""),
    by_when: String(data.get("by_when") || ""),
    how_we_know: String(data.get("how_we_know") || "") || null,
    child_id: childId ? Number(childId) : null,
    kind: String(data.get("kind") || ""),
  };
}

function fillChildren(select, state) {
  const chosen = select.value;
  replace(select, h("option", { value: "" }, "All the children"),
    (state.children || []).map((c) => h("option", { value: String(c.id) }, c.name)));
  select.value = chosen;
  if (select.selectedIndex < 0) select.value = "";
}

export function planEditor({ send }) {
  const addForm = document.getElementById("plan-add-form");
  const list = document.getElementById("plan-list");
  const advice = document.getElementById("plan-advice");
  const drafts = document.getElementById("plan-drafts-editor");
  const status = document.getElementById("plan-status");
  let state = null;
  let editing = null; // { id, form }: kept across redraws so typing is never lost
  let removing = null; // the action id waiting for "Yes, remove"
  const progressForms = new Map(); // action id → its progress form: built once, kept across redraws

  function say(text) { status.textContent = text; }

  async function act(event, payload, done) {
    const ack = await send(event, payload);
    if (!ack.ok) say(ack.error.message);
    else if (done) say(done);
    return ack;
  }

  function move(action, step) {
    // Swap with the next action of the same kind above or below, in the plan's one order.
    const order = state.plan.map((a) => a.id);
    const same = state.plan.filter((a) => a.kind === action.kind).map((a) => a.id);
    const other = same[same.indexOf(action.id) + step];
    if (other === undefined) return;
    const i = order.indexOf(action.id);
    const j = order.indexOf(other);
    [order[i], order[j]] = [order[j], order[i]];
    act("action.reorder", { order }, `Moved ${step < 0 ? "up" : "down"}: ${action.what}`);
  }

  function startEdit(action) {
    const form = addForm.cloneNode(true);
    renameIds(form, `-edit-${action.id}`);
    form.classList.add("cr-plan-form--edit");
    form.querySelector("h3").textContent = "Change this action";
    fillChildren(form.elements.child_id, state);
    form.elements.what.value = action.what;
    form.elements.who.value = action.who || "";
    form.elements.by_when.value = action.by_when || "";
    form.elements.how_we_know.value = action.how_we_know || "";
    form.elements.child_id.value = action.child_id === null ? "" : String(action.child_id);
    for (const radio of form.querySelectorAll("input[name=kind]")) radio.checked = radio.value === action.kind;
    clearErrors(form);
    const submit = form.querySelector("button[type=submit]");
    submit.textContent = "Save the change";
    submit.after(" ", h("button", { type: "button", class: "govuk-button govuk-button--secondary", onclick: () => {
      editing = null;
      draw();
      const back = list.querySelector(`[data-action-id="${action.id}"] button`);
      if (back) back.focus();
    } }, "Cancel"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const ack = await send("action.update", { action_id: action.id, ...readForm(form) });
      if (!ack.ok) { showErrors(form, ackErrors(ack)); return; }
      editing = null;
      say(`Changed: ${ack.action.what}`);
      draw();
    });
    editing = { id: action.id, form };
    draw();
    form.elements.what.focus();
  }

  function progressForm(action, label) {
    // How a carried action has gone (action.progress). The form is the same element at every
    // redraw, so a note being typed is never lost; it takes the saved values when they change.
    let entry = progressForms.get(action.id);
    if (!entry) {
      const id = `progress-${action.id}`;
      const select = h("select", { class: "govuk-select", id, name: "progress" },
        h("option", { value: "" }, "Not checked yet"),
        Object.entries(PROGRESS).map(([key, title]) => h("option", { value: key }, title)));
      const note = h("input", { class: "govuk-input", id: `${id}-note`, name: "note", maxlength: 2000, autocomplete: "off" });
      const form = h("form", { class: "cr-progress-form", novalidate: true },
        h("div", { "data-error-summary": true }),
        h("div", { class: "cr-plan-form__row" },
          h("div", { class: "govuk-form-group", "data-field": "progress", "data-label": "How it has gone" },
            h("label", { class: "govuk-label", for: id }, "How has it gone?",
              h("span", { class: "govuk-visually-hidden" }, ` (${label})`)), select),
          h("div", { class: "govuk-form-group", "data-field": "note", "data-label": "Note" },
            h("label", { class: "govuk-label", for: `${id}-note` }, "Note (optional)",
              h("span", { class: "govuk-visually-hidden" }, ` (${label})`)), note)),
        h("button", { type: "submit", class: "govuk-button govuk-button--secondary cr-small-button",
          "aria-label": `Save progress: ${label}` }, "Save progress"));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!select.value) { showErrors(form, [{ field: "progress", message: "progress: choose how it has gone." }]); return; }
        const ack = await send("action.progress", { action_id: action.id, progress: select.value, note: note.value || null });
        if (!ack.ok) { showErrors(form, ackErrors(ack)); return; }
        clearErrors(form);
        say(`Progress saved: ${ack.action.what}: ${PROGRESS[ack.action.progress]}`);
      });
      entry = { form, select, note, saved: null };
      progressForms.set(action.id, entry);
    }
    const saved = `${action.progress || ""}\n${action.progress_note || ""}`;
    if (saved !== entry.saved && !entry.form.contains(document.activeElement)) {
      entry.select.value = action.progress || "";
      entry.note.value = action.progress_note || "";
      entry.saved = saved;
    }
    return entry.form;
  }

  function actionItem(action, final) {
    if (editing && editing.id === action.id) return h("li", { class: "cr-action", "data-action-id": action.id }, editing.form);
    const same = state.plan.filter((a) => a.kind === action.kind);
    const index = same.indexOf(action);
    const label = action.what.length > 60 ? `${action.what.slice(0, 57)}…` : action.what;
    const small = "govuk-button govuk-button--secondary cr-small-button";
    const buttons = final ? [] : [
      h("button", { type: "button", class: small, "aria-label": `Change: ${label}`, onclick: () => startEdit(action) }, "Change"),
      index > 0 ? h("button", { type: "button", class: small, "aria-label": `Move up: ${label}`, onclick: () => move(action, -1) }, "Move up") : null,
      index < same.length - 1 ? h("button", { type: "button", class: small, "aria-label": `Move down: ${label}`, onclick: () => move(action, 1) }, "Move down") : null,
      removing === action.id
        ? [h("button", { type: "button", class: "govuk-button govuk-button--warning cr-small-button", "aria-label": `Yes, remove: ${label}`,
            onclick: () => { removing = null; act("action.remove", { action_id: action.id }, `Removed: ${action.what}`); } }, "Yes, remove"),
          h("button", { type: "button", class: small, "aria-label": `Keep: ${label}`, onclick: () => { removing = null; draw(); } }, "Keep it")]
        : h("button", { type: "button", class: "govuk-button govuk-button--warning cr-small-button", "aria-label": `Remove: ${label}`,
            onclick: () => { removing = action.id; draw(); } }, "Remove"),
    ];
    return h("li", { class: "cr-action", "data-action-id": action.id },
      h("p", { class: "govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1" }, action.what,
        action.restricted ? [" ", h("strong", { class: "govuk-tag govuk-tag--grey" }, "Restricted (closed session)")] : null),
      progress(action),
      details(action, state, { family: false }),
      action.carried_from_id && !final ? progressForm(action, label) : null,
      (action.advice || []).length ? h("div", { class: "cr-advice" },
        h("p", { class: "govuk-body-s govuk-!-margin-bottom-1" }, "Something to think about:"),
        h("ul", { class: "govuk-list govuk-list--bullet govuk-body-s" }, action.advice.map((a) => h("li", {}, a)))) : null,
      buttons.length ? h("div", { class: "cr-action__buttons" }, buttons) : null);
  }

  function draw() {
    if (!state) return;
    const final = state.conference.status === "closed";
    if (editing && !state.plan.some((a) => a.id === editing.id)) {
      editing = null;
      say("The action you were changing has been removed.");
    }
    replace(list, state.plan.length
      ? byKind(state.plan).map(([, actions]) => h("div", { class: "cr-plan-group" },
          h("h3", { class: "govuk-heading-s" }, actions[0].kind_title),
          h("ol", { class: "govuk-list cr-plan-list" }, actions.map((a) => actionItem(a, final)))))
      : h("p", { class: "govuk-body" }, "Nothing is in the plan yet."));
    replace(advice, (state.plan_advice || []).length
      ? h("div", { class: "govuk-inset-text cr-advice" }, h("p", { class: "govuk-body" }, "Something to think about:"),
          h("ul", { class: "govuk-list govuk-list--bullet" }, state.plan_advice.map((a) => h("li", {}, a))))
      : null);
    const waiting = state.plan_drafts || [];
    replace(drafts, waiting.length
      ? [h("h3", { class: "govuk-heading-s", id: "plan-drafts-title" }, `Drafts from "one point up" answers (${waiting.length})`),
         h("ul", { class: "govuk-list cr-plan-list", "aria-labelledby": "plan-drafts-title" }, waiting.map((d) => h("li", { class: "cr-action" },
           h("p", { class: "govuk-body govuk-!-margin-bottom-1" }, d.what, d.child_id ? ` (${childName(state, d.child_id)})` : ""),
           final ? null : h("div", { class: "cr-action__buttons" },
             h("button", { type: "button", class: "govuk-button cr-small-button", "aria-label": `Accept into the plan: ${d.what}`,
               onclick: () => act("action.accept", { action_id: d.id }, `Added to the plan: ${d.what}. Change it to say who and when.`) }, "Accept"),
             h("button", { type: "button", class: "govuk-button govuk-button--secondary cr-small-button", "aria-label": `Discard: ${d.what}`,
               onclick: () => act("action.remove", { action_id: d.id }, `Discarded: ${d.what}`) }, "Discard")))))]
      : null);
    addForm.hidden = final;
  }

  addForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = ["what", "who", "by_when", "how_we_know"];
    const sent = Object.fromEntries(fields.map((name) => [name, addForm.elements[name].value]));
    const ack = await send("action.add", readForm(addForm));
    if (!ack.ok) { showErrors(addForm, ackErrors(ack)); return; }
    clearErrors(addForm);
    // Empty what was sent, but never words typed for the next action while this one was on its way.
    for (const name of fields) if (addForm.elements[name].value === sent[name]) addForm.elements[name].value = "";
    say(`Added to the plan: ${ack.action.what}`);
    addForm.elements.what.focus();
  });

  return {
    update(newState) {
      state = newState;
      fillChildren(addForm.elements.child_id, state);
      draw();
    },
  };
}
