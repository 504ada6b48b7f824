// The chair's console: people (admit, turn away, remove), the agenda, the closed session,
// statements and reports with read receipts. Every action goes to the server; the page only
// ever shows what the server sends back.
// The record has its own modules, shared with the minutes page where they fit: plan.js (the
// plan editor: action.add, action.update, action.reorder…) and decision.js (recommendations,
// decision.record per child, dissent, conference.close).
import { api, connect, h, replace } from "/static/js/live.js";
import { decisionPanel } from "/static/js/decision.js";
import { planEditor } from "/static/js/plan.js";
import { markFinal } from "/static/js/record-final.js";
import { trendPanel } from "/static/js/trend.js";

const main = document.getElementById("main-content");
const conferenceId = Number(main.dataset.conferenceId);
const message = document.getElementById("chair-message");
let state = null;
let live = null;

function tell(text) {
  message.textContent = text || "";
  message.hidden = !text;
}

async function act(promise) {
  const answer = await promise;
  const ok = answer.ok;
  tell(ok ? "" : (answer.error || answer.data.error).message);
  return answer;
}

function personLine(person) {
  const about = person.role === "professional"
    ? [person.job_title, person.agency].filter(Boolean).join(", ")
    : person.relationship || person.role;
  return [h("strong", {}, person.name), about ? ` – ${about}` : ""];
}

function participantAction(person, verb, label, style = "secondary") {
  return h("button", {
    type: "button",
    class: `govuk-button govuk-button--${style} cr-small-button`,
    "aria-label": `${label}: ${person.name}`,
    onclick: () => act(api("POST", `/api/v1/conferences/${conferenceId}/participants/${person.id}/${verb}`)),
  }, label);
}

function renderPeople() {
  const waiting = state.participants.filter((p) => p.status === "waiting");
  const admitted = state.participants.filter((p) => p.status === "admitted");
  const others = state.participants.filter((p) => !["waiting", "admitted"].includes(p.status));
  replace(document.getElementById("waiting-people"),
    h("h3", { class: "govuk-heading-s" }, `Waiting to come in (${waiting.length})`),
    waiting.length ? h("ul", { class: "govuk-list" }, waiting.map((p) => h("li", { class: "cr-person" },
      personLine(p), " ", participantAction(p, "admit", "Let in", "primary"), " ", participantAction(p, "turn_away", "Turn away", "warning")))) : h("p", { class: "govuk-body" }, "Nobody is waiting."));
  replace(document.getElementById("admitted-people"),
    h("h3", { class: "govuk-heading-s" }, `In the meeting (${admitted.length})`),
    h("ul", { class: "govuk-list" }, admitted.map((p) => h("li", { class: "cr-person" },
      h("span", { class: p.present ? "cr-dot cr-dot--on" : "cr-dot", title: p.present ? "Connected now" : "Not connected" },
        h("span", { class: "govuk-visually-hidden" }, p.present ? "Connected now: " : "Not connected: ")),
      personLine(p), " ", participantAction(p, "remove", "Remove", "warning")))),
    others.length ? h("p", { class: "govuk-body-s" }, "Also: ", others.map((p) => `${p.name} (${p.status.replace("_", " ")})`).join("; ")) : null);
}

function renderAgenda() {
  const current = state.conference.stage;
  replace(document.getElementById("agenda"), state.stages.map((stage) => h("li", {},
    h("button", {
      type: "button",
      class: "cr-agenda__item" + (stage.key === current ? " cr-agenda__item--current" : ""),
      "aria-current": stage.key === current ? "step" : false,
      onclick: () => act(live.send("stage.set", { stage: stage.key })),
    }, stage.title))));
  const closed = state.conference.closed_session;
  const toggle = document.getElementById("closed-session");
  toggle.textContent = closed ? "End closed session" : "Start closed session";
  toggle.setAttribute("aria-pressed", String(closed));
  document.body.classList.toggle("cr-closed-session", closed);
}

function renderStatements() {
  replace(document.getElementById("statements"), h("div", { class: "govuk-checkboxes govuk-checkboxes--small" },
    state.statements.map((s) => h("div", { class: "govuk-checkboxes__item" },
      h("input", { class: "govuk-checkboxes__input", type: "checkbox", id: `statement-${s.key}`, checked: s.read,
        onchange: (event) => act(live.send("statement.read", { key: s.key, read: event.target.checked })) }),
      h("label", { class: "govuk-label govuk-checkboxes__label", for: `statement-${s.key}` }, h("strong", {}, s.title), " – ", s.text)))));
}

function renderReports() {
  const names = Object.fromEntries(state.participants.map((p) => [p.id, p.name]));
  const rows = state.reports.map((r) => h("tr", { class: "govuk-table__row" },
    h("td", { class: "govuk-table__cell" }, `${r.agency}: ${r.author_name}`),
    h("td", { class: "govuk-table__cell" }, r.shared_with_family ? "Shared with family" : "Not shared with family"),
    h("td", { class: "govuk-table__cell" }, r.has_restricted ? "Has restricted information" : ""),
    h("td", { class: "govuk-table__cell" }, r.read_by.length ? `Opened by ${r.read_by.map((id) => names[id] || "someone").join(", ")}` : "Not opened yet")));
  replace(document.getElementById("reports"), state.reports.length
    ? h("table", { class: "govuk-table" },
        h("caption", { class: "govuk-table__caption govuk-visually-hidden" }, "Reports and who has opened them"),
        h("thead", { class: "govuk-table__head" }, h("tr", { class: "govuk-table__row" },
          ["Report", "Family", "Restricted", "Read receipts"].map((t) => h("th", { class: "govuk-table__header", scope: "col" }, t)))),
        h("tbody", { class: "govuk-table__body" }, rows))
    : h("p", { class: "govuk-body" }, "No reports yet."));
  replace(document.getElementById("missing-reports"), state.missing_reports.length
    ? [h("h3", { class: "govuk-heading-s" }, "Invited but not sent a report"),
       h("ul", { class: "govuk-list govuk-list--bullet" }, state.missing_reports.map((m) => h("li", {}, `${m.agency} (${m.name})`)))]
    : []);
}

function render(newState) {
  state = newState;
  document.getElementById("conference-when").textContent = `${state.conference.kind_name}, ${state.conference.when}`;
  document.getElementById("join-code").textContent = state.conference.join_code_display;
  renderAgenda();
  renderPeople();
  renderStatements();
  renderReports();
  renderScale();
  trends.update(state);
  decisions.update(state);
  plan.update(state);
  markFinal(state);
}

const plan = planEditor({ send: (event, payload) => live.send(event, payload) });
const decisions = decisionPanel({ send: (event, payload) => live.send(event, payload) });
const trends = trendPanel({ send: (event, payload) => live.send(event, payload) });

live = connect({
  conferenceId,
  onState: render,
  onError: (error) => tell(error.message),
  onPresence: (ids) => {
    if (!state) return;
    for (const person of state.participants) person.present = ids.includes(person.id);
    renderPeople();
  },
});

document.getElementById("closed-session").addEventListener("click", () => {
  const event = state && state.conference.closed_session ? "closed_session.end" : "closed_session.start";
  act(live.send(event, {}));
});

document.getElementById("apologies-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const agency = form.agency.value.trim();
  const where = event.submitter && event.submitter.value === "present" ? "participants" : "apologies";
  const answer = await act(api("POST", `/api/v1/conferences/${conferenceId}/${where}`, {
    name: form.name.value, role: agency ? "professional" : "family", agency: agency || null,
  }));
  if (answer.ok) form.reset();
});

// --- safety scale -------------------------------------------------------------------------

function scaleControls(round) {
  const buttons = [];
  if (round.status === "open") {
    buttons.push(h("button", { type: "button", class: "govuk-button govuk-button--secondary cr-small-button",
      onclick: () => act(live.send("scale.close", { round_id: round.id })) }, "Close this round"));
  } else if (round.status === "closed") {
    buttons.push(h("button", { type: "button", class: "govuk-button cr-small-button",
      onclick: () => act(live.send("scale.reveal", { round_id: round.id, show_names: false })) }, "Reveal without names"));
    buttons.push(h("button", { type: "button", class: "govuk-button govuk-button--secondary cr-small-button",
      onclick: () => act(live.send("scale.reveal", { round_id: round.id, show_names: true })) }, "Reveal with names"));
  }
  return buttons;
}

function proxyForm(round, names) {
  const waiting = state.participants.filter((p) => p.status === "admitted" && !(round.answered_by || []).includes(p.id));
  if (!waiting.length) return null;
  const form = h("form", { class: "cr-proxy", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const answer = await act(live.send("scale.submit", {
      round_id: round.id, on_behalf_of: Number(data.get("who")), score: Number(data.get("score")),
      reason: String(data.get("reason") || ""),
    }));
    if (answer.ok) form.reset();
  } },
    h("h4", { class: "govuk-heading-s" }, "Answer for someone without a phone"),
    h("label", { class: "govuk-label", for: `proxy-who-${round.id}` }, "Who"),
    h("select", { class: "govuk-select", id: `proxy-who-${round.id}`, name: "who" }, waiting.map((p) => h("option", { value: p.id }, p.name))),
    h("label", { class: "govuk-label", for: `proxy-score-${round.id}` }, "Their number"),
    h("select", { class: "govuk-select", id: `proxy-score-${round.id}`, name: "score" }, Array.from({ length: 11 }, (_, n) => h("option", { value: n }, String(n)))),
    h("label", { class: "govuk-label", for: `proxy-reason-${round.id}` }, "Their reason"),
    h("input", { class: "govuk-input", id: `proxy-reason-${round.id}`, name: "reason", maxlength: 2000 }),
    h("button", { class: "govuk-button govuk-button--secondary cr-small-button", type: "submit" }, "Record their answer"));
  return form;
}

function renderScale() {
  const select = document.getElementById("scale-child");
  const chosen = select.value;
  replace(select, h("option", { value: "" }, "All the children together"),
    state.children.map((c) => h("option", { value: c.id }, c.name)));
  select.value = chosen;
  const names = Object.fromEntries(state.participants.map((p) => [p.id, p.name]));
  const flags = (state.scale && state.scale.flags) || [];
  const drafted = new Set((state.plan_drafts || []).map((d) => d.source_answer_id));
  const draftCount = (state.plan_drafts || []).length;
  replace(document.getElementById("plan-drafts"), draftCount
    ? h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: "#plan-drafts-editor" },
        `${draftCount} draft plan action${draftCount === 1 ? "" : "s"} from the scale`), " waiting in the safety plan to be accepted or discarded.")
    : []);
  const rounds = ((state.scale && state.scale.rounds) || []).slice().reverse();
  replace(document.getElementById("scale-rounds"), rounds.map((round) => {
    const flagged = flags.filter((f) => f.round_id === round.id);
    return h("div", { class: "cr-round" },
      h("h3", { class: "govuk-heading-s" }, `${round.child_name || "All the children"} – ${round.title}`, round.label ? `: ${round.label}` : "", ` (${round.status})`),
      h("p", { class: "govuk-body" }, `${round.answered} of ${round.eligible} have answered`,
        round.answered_by && round.answered_by.length ? `: ${round.answered_by.map((id) => names[id] || "someone").join(", ")}` : ""),
      flagged.length ? h("div", { class: "govuk-warning-text" },
        h("span", { class: "govuk-warning-text__icon", "aria-hidden": "true" }, "!"),
        h("strong", { class: "govuk-warning-text__text" }, h("span", { class: "govuk-visually-hidden" }, "Warning: "),
          `Immediate safety: ${flagged.map((f) => names[f.participant_id] || "someone").join(", ")} scored at or below ${state.scale.threshold}.`)) : null,
      round.answers ? h("ul", { class: "govuk-list" }, round.answers.map((a) => h("li", {},
        h("strong", {}, `${a.score}`), ` – ${a.name}${a.on_behalf ? " (entered for them)" : ""}: ${a.reason}`,
        a.next_step ? ` | One point up: ${a.next_step} ` : "",
        a.next_step && !drafted.has(a.id) ? h("button", { type: "button", class: "govuk-button govuk-button--secondary cr-small-button",
          onclick: () => act(live.send("action.draft", { answer_id: a.id })) }, "Make it a draft plan action") : null))) : null,
      round.tally && round.tally.count ? h("p", { class: "govuk-body" }, `Middle ${round.tally.median}, from ${round.tally.min} to ${round.tally.max}.`) : null,
      round.status === "open" ? proxyForm(round, names) : null,
      scaleControls(round));
  }));
}

document.getElementById("scale-open-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const childId = form.child_id.value;
  const answer = await act(live.send("scale.open", {
    child_id: childId ? Number(childId) : null, label: form.label.value.trim() || null,
  }));
  if (answer.ok) form.label.value = "";
});
