// The minutes page: notes against a stage (and perhaps a child), the safety plan (the same editor
// as the chair's), exports, and once the record is final the chair's corrections beside the notes.
import { api, connect, h, replace } from "/static/js/live.js";
import { ackErrors, clearErrors, showErrors } from "/static/js/form-errors.js";
import { ukTime } from "/static/js/outcome.js";
import { planEditor } from "/static/js/plan.js";
import { markFinal } from "/static/js/record-final.js";

const main = document.getElementById("main-content");
const conferenceId = Number(main.dataset.conferenceId);
const mayCorrect = main.dataset.mayCorrect === "yes";
const noteForm = document.getElementById("note-form");
const correctionForm = document.getElementById("correction-form");
const message = document.getElementById("minutes-message");
let state = null;
let stageChosen = false; // once the minute-taker picks a stage, it no longer follows the meeting

function tell(text) {
  message.textContent = text || "";
  message.hidden = !text;
}

function inClosedSession(stamp) {
  const at = Date.parse(stamp);
  return (state.closed_sessions || []).some((s) =>
    Date.parse(s.started_at) <= at && (!s.ended_at || at <= Date.parse(s.ended_at)));
}

function noteItem(note, names, stages, corrections) {
  const about = [stages[note.stage] || (note.stage === "closed" ? "After closing" : note.stage),
    note.child_id ? names[note.child_id] : null, note.author].filter(Boolean).join(" · ");
  const tag = note.restricted
    ? h("strong", { class: "govuk-tag govuk-tag--grey" }, inClosedSession(note.at) ? "Restricted (closed session)" : "Restricted")
    : null;
  return h("li", { class: note.corrects_note_id ? "cr-note cr-note--correction" : "cr-note", id: `note-${note.id}` },
    h("p", { class: "govuk-body-s govuk-!-margin-bottom-1" },
      note.corrects_note_id ? [h("strong", { class: "govuk-tag govuk-tag--yellow" }, "Correction"), " "] : null,
      h("span", { class: "cr-note__when" }, ukTime(note.at)), ` · ${about} `, tag),
    h("p", { class: "govuk-body cr-note__text" }, note.text),
    (corrections[note.id] || []).length
      ? h("ul", { class: "govuk-list cr-note__corrections", "aria-label": "Corrections to this note" },
          corrections[note.id].map((c) => noteItem(c, names, stages, corrections)))
      : null);
}

function renderNotes() {
  const names = Object.fromEntries(state.children.map((c) => [c.id, c.name]));
  const stages = Object.fromEntries(state.stages.map((s) => [s.key, s.title]));
  const notes = state.notes || [];
  const corrections = {};
  for (const note of notes) {
    if (note.corrects_note_id) (corrections[note.corrects_note_id] ||= []).push(note);
  }
  const top = notes.filter((n) => !n.corrects_note_id);
  replace(document.getElementById("notes-list"), top.length
    ? h("ol", { class: "govuk-list cr-notes" }, top.map((n) => noteItem(n, names, stages, corrections)))
    : h("p", { class: "govuk-body" }, "No notes yet."));
  // The notes a correction may point at.
  const select = correctionForm.elements.corrects_note_id;
  const chosen = select.value;
  replace(select, h("option", { value: "" }, "None: a correction to the record as a whole"),
    notes.filter((n) => !n.corrects_note_id).map((n) => h("option", { value: String(n.id) },
      `${ukTime(n.at)} ${stages[n.stage] || n.stage}: ${n.text.length > 60 ? `${n.text.slice(0, 57)}…` : n.text}`)));
  select.value = chosen;
  if (select.selectedIndex < 0) select.value = "";
}

function render(newState) {
  state = newState;
  const c = state.conference;
  document.getElementById("conference-when").textContent = `${c.kind_name}, ${c.when}`;
  document.getElementById("current-stage").textContent = c.status === "closed" ? "Closed" : c.stage_title;
  document.getElementById("closed-session-now").hidden = !c.closed_session;
  if (!stageChosen && c.status !== "closed") noteForm.elements.stage.value = c.stage;
  const child = noteForm.elements.child_id;
  const keep = child.value;
  replace(child, h("option", { value: "" }, "The whole family"), state.children.map((ch) => h("option", { value: String(ch.id) }, ch.name)));
  child.value = keep;
  if (child.selectedIndex < 0) child.value = "";
  renderNotes();
  plan.update(state);
  document.getElementById("correction-section").hidden = !(mayCorrect && c.status === "closed");
  markFinal(state);
}

let live = null;
const plan = planEditor({ send: (event, payload) => live.send(event, payload) });

noteForm.elements.stage.addEventListener("change", () => { stageChosen = true; });

noteForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(noteForm);
  const childId = String(data.get("child_id") || "");
  const sent = noteForm.elements.text.value;
  const ack = await live.send("note.add", {
    stage: String(data.get("stage")), text: String(data.get("text") || ""),
    child_id: childId ? Number(childId) : null, restricted: data.get("restricted") === "yes",
  });
  if (!ack.ok) { showErrors(noteForm, ackErrors(ack)); return; }
  clearErrors(noteForm);
  if (noteForm.elements.text.value === sent) noteForm.elements.text.value = ""; // keep newer typing
  noteForm.elements.restricted.checked = false;
  document.getElementById("note-status").textContent =
    `Note added at ${ukTime(ack.note.at)}${ack.note.restricted ? " (restricted)" : ""}.`;
  noteForm.elements.text.focus();
});

correctionForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(correctionForm);
  const corrects = String(data.get("corrects_note_id") || "");
  const body = { text: String(data.get("text") || ""), restricted: data.get("restricted") === "yes" };
  if (corrects) body.corrects_note_id = Number(corrects);
  const answer = await api("POST", `/api/v1/conferences/${conferenceId}/corrections`, body);
  if (!answer.ok) { showErrors(correctionForm, ackErrors({ error: answer.data.error })); return; }
  clearErrors(correctionForm);
  correctionForm.reset();
  document.getElementById("correction-status").textContent = `Correction added at ${ukTime(answer.data.note.at)}.`;
});

live = connect({ conferenceId, onState: render, onError: (error) => tell(error.message) });
