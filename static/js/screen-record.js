// The shared screen's decision, plan, next steps and closed stages: plain words, large type,
// only what the family may see (the server sends the screen nothing else).
import { h } from "/static/js/live.js";
import { planView } from "/static/js/plan.js";

function decided(state) {
  const byChild = Object.fromEntries((state.decisions || []).map((d) => [d.child_id, d]));
  return (state.children || []).filter((c) => byChild[c.id]).map((c) => [c, byChild[c.id]]);
}

function dates(decision) {
  return [
    decision.core_group_on_text ? h("li", {}, "First core group meeting: ", h("strong", {}, decision.core_group_on_text)) : null,
    decision.review_on_text ? h("li", {}, "Next meeting to check how things are going: ", h("strong", {}, decision.review_on_text)) : null,
  ];
}

function decisions(state) {
  const done = decided(state);
  if (!done.length) return h("p", {}, "The chair will say what has been decided for each child, and why.");
  return h("div", { class: "cr-screen__decisions" }, done.map(([child, d]) => h("section", { class: "cr-screen__decision" },
    h("h2", { class: "cr-screen__subhead" }, child.name),
    h("p", {}, d.outcome_family_title),
    h("ul", { class: "cr-screen__list" },
      d.category_titles.length ? h("li", {}, "The main worry: ", h("strong", {}, d.category_titles.join(", "))) : null,
      dates(d)))));
}

function plan(state) {
  const shown = planView(state, { family: true, headingLevel: "h2" });
  return h("div", { class: "cr-screen__plan" },
    shown || h("p", {}, "The plan will appear here as everyone agrees it: what will happen, who will do it, and when."));
}

function nextSteps(state) {
  const done = decided(state).filter(([, d]) => d.core_group_on_text || d.review_on_text);
  return h("div", {},
    done.length ? h("ul", { class: "cr-screen__list" }, done.map(([child, d]) => h("li", {},
      h("strong", {}, child.name), h("ul", { class: "cr-screen__list cr-screen__sublist" }, dates(d))))) : null,
    h("p", {}, "The chair will send the family a letter with the decision. The notes of the meeting follow later."));
}

function closed(state) {
  return h("div", {},
    h("p", { class: "cr-screen__subhead" }, "The meeting has finished. Thank you for coming."),
    decisions(state));
}

export const recordViews = { decision: decisions, plan, next_steps: nextSteps, closed };
