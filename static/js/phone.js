// The phone view: follows the stage, lists the reports this person may read, who's who. The
// decisions, the agreed plan, recommendations and dissent, and "the meeting has finished" are
// in phone-record.js.
import { api, connect, h, replace } from "/static/js/live.js";
import { scalePanel } from "/static/js/scale.js";
import { phoneRecord } from "/static/js/phone-record.js";
import { trendShown } from "/static/js/trend.js";

const main = document.getElementById("main-content");
const conferenceId = Number(main.dataset.conferenceId);
const family = main.dataset.family === "yes";
const parts = Object.fromEntries(
  ["waiting", "ended", "holding", "meeting"].map((id) => [id, document.getElementById(id)]),
);

function show(which) {
  for (const [id, el] of Object.entries(parts)) el.hidden = id !== which;
}

function describe(person) {
  if (person.role === "professional") {
    return [person.job_title, person.agency].filter(Boolean).join(", ");
  }
  return person.relationship || { child: "Young person", advocate: "Advocate", interpreter: "Interpreter", observer: "Observer" }[person.role] || "Family";
}

async function openReport(report) {
  const view = document.getElementById("report-view");
  replace(view, h("p", { class: "govuk-body" }, "Opening the report…"));
  view.hidden = false;
  const answer = await api("GET", `/api/v1/conferences/${conferenceId}/reports/${report.id}`);
  if (!answer.ok) {
    replace(view, h("p", { class: "govuk-body" }, answer.data.error.message));
    return;
  }
  const body = answer.data;
  const sections = body.sections.map((section) => {
    const content = h("div", { class: "cr-report__section" });
    content.innerHTML = section.html; // sanitised on the server (markdown + nh3 allow-list)
    return h("section", {}, h("h4", { class: "govuk-heading-s" }, section.title), content);
  });
  replace(
    view,
    h("h3", { class: "govuk-heading-m" }, `${body.agency}: ${body.author_name}`),
    body.role ? h("p", { class: "govuk-caption-m" }, body.role) : null,
    sections,
    h("button", { class: "govuk-button govuk-button--secondary", type: "button", onclick: () => { view.hidden = true; } }, "Close this report"),
  );
  view.focus();
}

function render(state, source) {
  if (state.holding) { show("holding"); return; }
  if (record && record.update(state)) return; // the meeting has finished
  show("meeting");
  const c = state.conference;
  document.getElementById("kind-name").textContent = c.kind_name;
  document.getElementById("stage-title").textContent = c.stage_title;
  document.getElementById("stage-asks").textContent = c.stage === "closed"
    ? "The meeting has finished. You will get the decision in writing."
    : c.asks;

  const reports = state.reports.length
    ? h("ul", { class: "govuk-list cr-report-list" }, state.reports.map((report) =>
        h("li", {}, h("button", { type: "button", class: "govuk-button govuk-button--secondary cr-wide", onclick: () => openReport(report) },
          `${report.agency}: ${report.author_name}`))))
    : h("p", { class: "govuk-body" }, family ? "There are no reports for you to read yet." : "No reports have been sent in yet.");
  replace(document.getElementById("report-list"), reports);

  const trend = trendShown(state, { headingLevel: "h3" });
  document.getElementById("trend").hidden = !trend;
  replace(document.getElementById("trend-body"), trend);

  if (scale) {
    scale.update(state);
    if (source === "join") scale.flush(); // an answer tapped while offline goes now, once
  }
  replace(document.getElementById("people-list"), state.participants.map((person) =>
    h("li", {}, h("strong", {}, person.name), " – ", describe(person))));
}

let scale = null;
let record = null;
let checking = null;

function checkStillIn() {
  // Refused on reconnecting: a phone that was away when the meeting closed (or was removed) has
  // a cookie that no longer works, and the server will not let it in again. Reloading shows the
  // "meeting has finished" page (or the join page). While there is no network at all we look
  // again every few seconds; a server that is down is retried by the socket itself.
  if (checking) return;
  checking = setTimeout(async () => {
    const answer = await api("GET", `/api/v1/conferences/${conferenceId}`);
    checking = null;
    if (answer.status === 401 || answer.status === 404) location.reload();
    else if (answer.status === 0 && !live.socket.connected) checkStillIn();
  }, 3000);
}

const live = connect({
  conferenceId,
  onState: render,
  onRefused: checkStillIn,
  onError: (error) => {
    if (error.code === "waiting") show("waiting");
    else {
      show("ended");
      document.getElementById("ended-text").textContent = error.message;
    }
  },
  onStatus: (status) => {
    if (status === "removed" || status === "turned_away") {
      live.stop();
      show("ended");
      document.getElementById("ended-text").textContent =
        status === "removed" ? "The chair has removed you from the meeting." : "The chair has not let you in. If you think this is a mistake, speak to the chair.";
    }
  },
});

scale = scalePanel({ live, panel: document.getElementById("scale"), body: document.getElementById("scale-body") });
record = phoneRecord({ live, family });
