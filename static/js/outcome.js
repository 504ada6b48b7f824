// Each child's decision in plain words, for the phones, the shared screen and the chair once
// the record is final. Family phones and the shared screen get the family wording
// (outcome_family_title); the server sends nothing they may not see.
import { h } from "/static/js/live.js";

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];

export function isoDate(year, month, day) {
  // A real calendar date as YYYY-MM-DD, or null.
  const [y, m, d] = [year, month, day].map((part) => Number(String(part).trim()));
  if (![y, m, d].every(Number.isInteger) || y < 1000 || y > 9999) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

export function ukDate(iso) {
  // "2030-03-19" → "Tuesday 19 March 2030" (the form the server uses).
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  if (!match) return "";
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return `${DAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

export function ukTime(stamp) {
  // An ISO timestamp → "14:05", London time.
  const date = new Date(stamp);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" });
}

function row(key, ...value) {
  return h("div", { class: "govuk-summary-list__row" },
    h("dt", { class: "govuk-summary-list__key" }, key),
    h("dd", { class: "govuk-summary-list__value" }, ...value));
}

export function decisionRows(decision, { family }) {
  // The rows of one decision, worded for the family (and the screen) or for professionals.
  const rows = [row(family ? "What was decided" : "Outcome", family ? decision.outcome_family_title : decision.outcome_title)];
  if (decision.category_titles && decision.category_titles.length) {
    rows.push(row(family ? "The main worry (category)" : "Category", decision.category_titles.join(", ")));
  }
  if (decision.reasons) rows.push(row(family ? "Why" : "Reasons", decision.reasons));
  if (decision.lead_social_worker) rows.push(row("Lead social worker", decision.lead_social_worker));
  if (decision.core_group_members && decision.core_group_members.length) {
    rows.push(row(family ? "In the core group" : "Core group members", decision.core_group_members.join(", ")));
  }
  if (decision.core_group_on) {
    rows.push(row(family ? "First core group meeting" : "First core group",
      decision.core_group_on_text || ukDate(decision.core_group_on)));
  }
  if (decision.review_on) {
    rows.push(row(family ? "Next big meeting to check how things are going (review)" : "Review conference",
      decision.review_on_text || ukDate(decision.review_on)));
  }
  return rows;
}

export function decisionsList(state, { family, headingLevel = "h3", empty = null }) {
  // Every child with a decision, in the order of the children; null when none yet.
  const decided = Object.fromEntries((state.decisions || []).map((d) => [d.child_id, d]));
  const children = (state.children || []).filter((c) => decided[c.id]);
  if (!children.length) return empty;
  return children.map((child) => h("div", { class: "cr-decision" },
    h(headingLevel, { class: "govuk-heading-s" }, child.name),
    h("dl", { class: "govuk-summary-list cr-decision__list" }, decisionRows(decided[child.id], { family }))));
}
