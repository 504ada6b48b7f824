// The shared screen: large type, only what the family may see (the server sends nothing else).
import { connect, h, replace } from "/static/js/live.js";

const main = document.getElementById("main-content");
const conferenceId = Number(main.dataset.conferenceId);
const body = document.getElementById("screen-body");

function describe(person) {
  if (person.role === "professional") return [person.job_title, person.agency].filter(Boolean).join(", ");
  return person.relationship || person.role;
}

function lobby(state) {
  return h("div", { class: "cr-screen__lobby" },
    h("div", { class: "cr-screen__join" },
      h("p", { class: "cr-screen__label" }, "To join on your phone, scan the code or go to"),
      h("p", { class: "cr-screen__url" }, `${location.host}/j`),
      h("p", { class: "cr-screen__label" }, "and type the code"),
      h("p", { class: "cr-screen__code" }, state.conference.join_code_display),
      h("img", { src: main.dataset.qr, alt: `QR code that opens the join page for code ${state.conference.join_code_display}`, class: "cr-screen__qr", width: 280, height: 280 })),
    people(state));
}

function people(state) {
  const admitted = state.participants;
  return h("div", { class: "cr-screen__people" },
    h("h2", { class: "cr-screen__subhead" }, "Who's here"),
    admitted.length ? h("ul", { class: "cr-screen__list" }, admitted.map((p) => h("li", {}, h("strong", {}, p.name), " – ", describe(p))))
      : h("p", {}, "Nobody has been let in yet."));
}

function welcome(state) {
  return h("ul", { class: "cr-screen__list" }, state.statements.map((s) => h("li", {}, h("strong", {}, s.title), h("br"), s.text)));
}

function reading(state) {
  return h("div", {},
    h("h2", { class: "cr-screen__subhead" }, "Reports you can read on your phone"),
    h("ul", { class: "cr-screen__list" }, state.reports.map((r) => h("li", {}, `${r.agency}: ${r.author_name}`))));
}

function render(state) {
  document.getElementById("stage-title").textContent = state.conference.stage_title;
  const stage = state.conference.stage;
  const views = { lobby, welcome, reading };
  replace(body, (views[stage] || people)(state));
}

connect({ conferenceId, view: "screen", onState: render });
