// The shared screen: large type, only what the family may see (the server sends nothing else).
import { connect, h, replace } from "/static/js/live.js";
import { recordViews } from "/static/js/screen-record.js";
import { trendShown } from "/static/js/trend.js";

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

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  for (const child of children) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

function numberLine(round, wording) {
  // One mark per answer on a 0–10 line: family as orange circles, professionals as blue
  // squares (shape and colour, never colour alone); the median as a black triangle.
  const width = 1100, left = 50, step = 100, base = 260;
  const x = (score) => left + score * step;
  const shapes = [];
  const stacks = new Array(11).fill(0);
  const marks = [...round.answers].sort((a, b) => a.group.localeCompare(b.group));
  for (const a of marks) {
    const y = base - 40 - stacks[a.score] * 44;
    stacks[a.score] += 1;
    shapes.push(a.group === "family"
      ? svg("circle", { cx: x(a.score), cy: y, r: 18, fill: "#f47738", stroke: "#0b0c0c", "stroke-width": 3 })
      : svg("rect", { x: x(a.score) - 17, y: y - 17, width: 34, height: 34, fill: "#1d70b8", stroke: "#0b0c0c", "stroke-width": 3 }));
  }
  const ticks = Array.from({ length: 11 }, (_, n) => [
    svg("line", { x1: x(n), x2: x(n), y1: base, y2: base + 14, stroke: "#0b0c0c", "stroke-width": 3 }),
    svg("text", { x: x(n), y: base + 50, "text-anchor": "middle", "font-size": 34, "font-family": "arial, sans-serif" }, n),
  ]).flat();
  const t = round.tally;
  const median = t.count ? [svg("polygon", { points: `${x(t.median) - 16},${base + 84} ${x(t.median) + 16},${base + 84} ${x(t.median)},${base + 60}`, fill: "#0b0c0c" })] : [];
  const range = t.count ? [svg("line", { x1: x(t.min), x2: x(t.max), y1: base - 8, y2: base - 8, stroke: "#505a5f", "stroke-width": 8 })] : [];
  const family = t.distribution.family.reduce((a, b) => a + b, 0);
  const pros = t.distribution.professional.reduce((a, b) => a + b, 0);
  const summary = t.count
    ? `${t.count} answers from 0 to 10. Middle answer ${t.median}; lowest ${t.min}; highest ${t.max}. ${family} from the family, ${pros} from professionals.`
    : "Nobody answered.";
  return svg("svg", { viewBox: `0 0 ${width} ${base + 100}`, role: "img", "aria-labelledby": "scale-svg-title scale-svg-desc", class: "cr-number-line" },
    svg("title", { id: "scale-svg-title" }, `Safety scale: ${round.child_name || "all the children"}`),
    svg("desc", { id: "scale-svg-desc" }, `${summary} 0 means: ${wording.zero} 10 means: ${wording.ten}`),
    svg("line", { x1: x(0), x2: x(10), y1: base, y2: base, stroke: "#0b0c0c", "stroke-width": 4 }),
    ...range, ...ticks, ...shapes, ...median);
}

function scaling(state) {
  const rounds = (state.scale && state.scale.rounds) || [];
  const round = rounds[rounds.length - 1];
  if (!round) return h("p", {}, "The chair will ask everyone for a number from 0 to 10.");
  const wording = state.scale_wording;
  const heading = h("h2", { class: "cr-screen__subhead" }, `${round.child_name || "All the children"} – ${round.title}`, round.label ? `: ${round.label}` : "");
  if (round.status !== "revealed") {
    return h("div", {}, heading,
      h("p", { class: "cr-screen__code" }, `${round.answered} of ${round.eligible}`),
      h("p", {}, round.status === "open" ? "have answered. Nobody can see anyone else's number yet." : "answered. The chair will show the answers soon."),
      h("p", { class: "cr-screen__ends" }, `0: ${wording.zero}`, h("br"), `10: ${wording.ten}`));
  }
  const t = round.tally;
  return h("div", { class: "cr-screen__reveal" },
    h("div", {}, heading,
      numberLine(round, wording),
      h("p", { class: "cr-legend" },
        h("span", { class: "cr-legend__family" }, "● Family"), "  ", h("span", { class: "cr-legend__pro" }, "■ Professionals"), "  ▲ Middle answer"),
      t.count ? h("p", {}, `Middle answer ${t.median}. From ${t.min} to ${t.max}.`) : null),
    h("ul", { class: "cr-screen__list cr-screen__reasons" }, round.answers.map((a) => h("li", {},
      h("strong", {}, `${a.score}`), a.name ? ` ${a.name}` : "", `: ${a.reason}`))));
}

function render(state) {
  document.getElementById("stage-title").textContent = state.conference.stage_title;
  const stage = state.conference.stage;
  const views = { lobby, welcome, reading, scaling, ...recordViews };
  // While the chair shows a child's scale last time and today, that is what the room sees.
  const trend = state.conference.status === "closed" ? null : trendShown(state, { headingClass: "cr-screen__subhead", screen: true });
  replace(body, trend || (views[stage] || people)(state));
}

connect({ conferenceId, view: "screen", onState: render });
