// The safety scale last time and today, at a review conference (README "Review conferences").
// trendPanel: on the chair's console, each carried child's revealed rounds then and now (staff
// get `trends`) with "Show last time beside today" / "Stop showing" (scale.trend).
// trendShown: the one trend the chair is showing (`trend`), large and in plain words, for the
// shared screen and the phones: a sentence, then a table (never colour alone).
import { h, replace } from "/static/js/live.js";

const GROUPS = [["family", "Family"], ["professional", "Professionals"], ["all", "Everyone"]];

function last(side) {
  return side.rounds.length ? side.rounds[side.rounds.length - 1] : null;
}

function middle(group) {
  return group && group.count ? String(group.median) : "no answers";
}

function said(label, side) {
  // "Last time (Tuesday 6 February 2029): family 2, professionals 3"
  const round = last(side);
  if (!round) return `${label}: nobody has been asked yet`;
  return `${label}: family ${middle(round.groups.family)}, professionals ${middle(round.groups.professional)}`;
}

export function trendSentence(trend) {
  // The trend in one line: the last revealed round last time beside the last one today.
  return `${said(`Last time (${trend.then.date_text})`, trend.then)} — ${said("Today", trend.now)}`;
}

function cell(group, { big }) {
  // The middle answer, large, then the lowest to the highest and how many answered.
  if (!group || !group.count) return h("td", { class: "govuk-table__cell" }, "No answers");
  const range = group.count === 1 ? "1 answer"
    : group.min === group.max ? `${group.count} answers, all ${group.min}`
      : `from ${group.min} to ${group.max}, ${group.count} answers`;
  return h("td", { class: "govuk-table__cell cr-trend__cell" },
    h("span", { class: big ? "cr-trend__middle" : "govuk-!-font-weight-bold" }, String(group.median)),
    h("br"), h("span", { class: "cr-trend__range" }, range));
}

function roundsTable(caption, rows) {
  // The console's table: a row per revealed round, a column per group. A box of its own
  // scrolls sideways on a narrow screen, never the whole page (WCAG 1.4.10).
  return h("div", { class: "cr-trend-scroll", role: "region", "aria-label": caption, tabindex: "0" },
    h("table", { class: "govuk-table cr-trend" },
      h("caption", { class: "govuk-table__caption govuk-table__caption--s" }, caption),
      h("thead", { class: "govuk-table__head" }, h("tr", { class: "govuk-table__row" },
        h("th", { class: "govuk-table__header", scope: "col" }, "When"),
        GROUPS.map(([, title]) => h("th", { class: "govuk-table__header", scope: "col" }, title)))),
      h("tbody", { class: "govuk-table__body" }, rows.map(([heading, groups]) => h("tr", { class: "govuk-table__row" },
        h("th", { class: "govuk-table__header", scope: "row" }, heading),
        groups ? GROUPS.map(([key]) => cell(groups[key], { big: false }))
          : h("td", { class: "govuk-table__cell", colspan: String(GROUPS.length) }, "No answers shown yet"))))));
}

function besideTable(trend) {
  // The room's table: last time beside today, a row per group; narrow enough for a phone.
  const sides = [["Last time", trend.then], ["Today", trend.now]].map(([title, side]) => [title, side, last(side)]);
  return h("table", { class: "govuk-table cr-trend cr-trend--big" },
    h("caption", { class: "govuk-table__caption govuk-table__caption--s" }, "The middle answer, then the lowest to the highest"),
    h("thead", { class: "govuk-table__head" }, h("tr", { class: "govuk-table__row" },
      h("th", { class: "govuk-table__header", scope: "col" }, "Who"),
      sides.map(([title, side]) => h("th", { class: "govuk-table__header", scope: "col" },
        title, h("br"), h("span", { class: "cr-trend__range" }, side.date_text))))),
    h("tbody", { class: "govuk-table__body" }, GROUPS.map(([key, title]) => h("tr", { class: "govuk-table__row" },
      h("th", { class: "govuk-table__header", scope: "row" }, title),
      sides.map(([, , round]) => round ? cell(round.groups[key], { big: true })
        : h("td", { class: "govuk-table__cell" }, "Not asked yet"))))));
}

export function trendShown(state, { headingLevel = "h2", headingClass = "govuk-heading-m", screen = false } = {}) {
  // What the room sees while the chair shows a trend; null when none is shown.
  const trend = state.trend;
  if (!trend) return null;
  const wording = state.scale_wording;
  return h("div", { class: "cr-trend-shown" },
    h(headingLevel, { class: headingClass }, `${trend.child_name}: the safety scale last time and today`),
    h("p", { class: screen ? "cr-trend__sentence" : "govuk-body-l cr-trend__sentence" }, trendSentence(trend)),
    besideTable(trend),
    wording ? h("p", { class: screen ? "cr-trend__ends" : "govuk-body-s cr-trend__ends" }, `0: ${wording.zero}`, h("br"), `10: ${wording.ten}`) : null);
}

function roundRows(label, side) {
  if (!side.rounds.length) return [[`${label} (${side.date_text})`, null]];
  return side.rounds.map((round) => [
    `${label} (${side.date_text}), ${round.title}${round.all_children ? ", all the children" : ""}`, round.groups]);
}

export function trendPanel({ send }) {
  // The console's "last time and today" for each carried child, with the show / stop buttons.
  const root = document.getElementById("scale-trends");
  const status = h("p", { class: "govuk-body", role: "status", "aria-live": "polite" });

  async function show(childId, done) {
    const ack = await send("scale.trend", { child_id: childId });
    status.textContent = ack.ok ? done : ack.error.message;
  }

  return {
    update(state) {
      const trends = state.trends || [];
      if (!trends.length) { replace(root); return; }
      const final = state.conference.status === "closed";
      const shown = state.trend ? state.trend.child_id : null;
      replace(root,
        h("h3", { class: "govuk-heading-s" }, "Last time and today"),
        h("p", { class: "govuk-body" }, "The rounds shown to the room at the last conference and today, per group: the middle answer, the lowest to the highest, and how many answered."),
        status,
        trends.map((trend) => h("div", { class: "cr-trend-child", id: `trend-${trend.child_id}` },
          roundsTable(trend.child_name, [...roundRows("Last time", trend.then), ...roundRows("Today", trend.now)]),
          final ? null : shown === trend.child_id
            ? [h("p", { class: "govuk-body govuk-!-font-weight-bold" }, "Shown on the shared screen and the phones now."),
               h("button", { type: "button", class: "govuk-button govuk-button--secondary cr-small-button",
                 "aria-label": `Stop showing last time beside today for ${trend.child_name}`,
                 onclick: () => show(null, `Stopped showing ${trend.child_name}'s scale last time and today.`) }, "Stop showing")]
            : h("button", { type: "button", class: "govuk-button govuk-button--secondary cr-small-button",
                "aria-label": `Show last time beside today for ${trend.child_name}`,
                onclick: () => show(trend.child_id, `Showing ${trend.child_name}'s scale last time and today to the room.`) },
              "Show last time beside today"))));
    },
  };
}
