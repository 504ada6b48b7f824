// GOV.UK error pattern for forms sent over the live socket: a summary at the top of the form
// linking to each problem, and the message at the field itself. A form marks each question with
// data-field (the payload's field name) and data-label (how to name it in a message), and holds
// an empty <div data-error-summary> where the summary goes.
import { h } from "/static/js/live.js";

const ERROR_CLASSES = ["govuk-input--error", "govuk-textarea--error", "govuk-select--error"];

function fieldKey(field) {
  // "core_group_members[0]" or "categories.0" → the question it belongs to.
  return String(field || "").split(/[.[]/)[0];
}

function group(form, field) {
  const key = fieldKey(field);
  return key ? form.querySelector(`[data-field="${CSS.escape(key)}"]`) : null;
}

export function plainMessage(error, where) {
  // The server names the field first ("reasons: must not be empty."); say it as the form does.
  const message = String(error.message || "Something went wrong. Try again.");
  const label = where && where.dataset.label;
  const prefix = `${error.field}: `;
  if (error.field && message.startsWith(prefix)) {
    const rest = message.slice(prefix.length);
    return label ? `${label}: ${rest}` : rest.charAt(0).toUpperCase() + rest.slice(1);
  }
  return message;
}

export function clearErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-summary]")) slot.replaceChildren();
  for (const el of form.querySelectorAll("[data-error-message]")) el.remove();
  for (const el of form.querySelectorAll(".govuk-form-group--error")) el.classList.remove("govuk-form-group--error");
  for (const el of form.querySelectorAll(ERROR_CLASSES.map((c) => `.${c}`).join(","))) el.classList.remove(...ERROR_CLASSES);
  for (const el of form.querySelectorAll("[aria-describedby]")) {
    const ids = el.getAttribute("aria-describedby").split(" ").filter((id) => !id.endsWith("-error"));
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
    else el.removeAttribute("aria-describedby");
  }
}

export function showErrors(form, errors) {
  // Show each {field?, message} at its question and in the summary; focus the summary.
  clearErrors(form);
  const items = [];
  for (const error of errors) {
    const where = group(form, error.field);
    const text = plainMessage(error, where);
    const target = where && where.querySelector("input, textarea, select");
    if (where && target) {
      const id = `${target.id}-error`;
      where.classList.add("govuk-form-group--error");
      const message = h("p", { class: "govuk-error-message", id, "data-error-message": true },
        h("span", { class: "govuk-visually-hidden" }, "Error: "), text);
      const anchor = where.querySelector(".govuk-hint") || where.querySelector("legend, label");
      if (anchor && anchor.parentElement) anchor.after(message);
      else where.prepend(message);
      for (const input of where.querySelectorAll("input:not([type=radio]):not([type=checkbox]), textarea, select")) {
        input.classList.add(input.tagName === "TEXTAREA" ? "govuk-textarea--error"
          : input.tagName === "SELECT" ? "govuk-select--error" : "govuk-input--error");
      }
      const described = where.querySelector("fieldset") || target;
      const ids = (described.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.setAttribute("aria-describedby", [...ids, id].join(" "));
      items.push(h("li", {}, h("a", { href: `#${target.id}`, onclick: (event) => {
        event.preventDefault();
        target.focus();
      } }, text)));
    } else {
      items.push(h("li", {}, text));
    }
  }
  const slot = form.querySelector("[data-error-summary]");
  if (!slot) return;
  const summary = h("div", { class: "govuk-error-summary", tabindex: "-1" },
    h("div", { role: "alert" },
      h("h2", { class: "govuk-error-summary__title" }, "There is a problem"),
      h("div", { class: "govuk-error-summary__body" },
        h("ul", { class: "govuk-list govuk-error-summary__list" }, items))));
  slot.replaceChildren(summary);
  summary.focus();
}

export function ackErrors(ack) {
  // The ack of a refused event as a list of problems.
  return [ack.error || { message: "Something went wrong. Try again." }];
}
