// The chair's side of the decision (templates/live/_chair_record.html): recommendations by
// agency (never counted), a decision form per child with its category, reasons and follow-up
// dates, dissent per child, and closing the conference with a confirmation step. At a review,
// each child's previous decision and history flags (decision_context) are shown above the form.
import { h, replace } from "/static/js/live.js";
import { ackErrors, clearErrors, showErrors } from "/static/js/form-errors.js";
import { decisionRows, isoDate, ukDate, ukTime } from "/static/js/outcome.js";

const PLANS = { cp_plan: "Child protection plan", cin_plan: "Child in need plan", no_plan: "No plan" };

function group(field, label, ...children) {
  return h("div", { class: "govuk-form-group", "data-field": field, "data-label": label }, ...children);
}

function radios(name, idBase, options, { type = "radio", checked = [] } = {}) {
  const kind = type === "radio" ? "radios" : "checkboxes";
  return h("div", { class: `govuk-${kind} govuk-${kind}--small` }, options.map((option, i) => {
    const id = i === 0 ? idBase : `${idBase}-${option.key}`;
    return h("div", { class: `govuk-${kind}__item` },
      h("input", { class: `govuk-${kind}__input`, id, name, type, value: option.key, checked: checked.includes(option.key) }),
      h("label", { class: `govuk-label govuk-${kind}__label`, for: id }, option.title));
  }));
}

function dateGroup(field, label, idBase, iso, limitText, limitWhy) {
  // GOV.UK date input (day, month, year), with the date read back in words as it is typed.
  const [year, month, day] = (iso || "").split("-");
  const words = h("p", { class: "govuk-body-s cr-date-words", id: `${idBase}-words`, "aria-live": "polite" }, ukDate(iso));
  const box = (part, text, value, width) => h("div", { class: "govuk-date-input__item" },
    h("div", { class: "govuk-form-group" },
      h("label", { class: "govuk-label govuk-date-input__label", for: `${idBase}-${part}` }, text),
      h("input", { class: `govuk-input govuk-date-input__input govuk-input--width-${width}`, id: `${idBase}-${part}`,
        name: `${field}-${part}`, type: "text", inputmode: "numeric", value: value ? String(Number(value)) : "",
        oninput: (event) => {
          const form = event.target.form;
          const got = isoDate(form.elements[`${field}-year`].value, form.elements[`${field}-month`].value, form.elements[`${field}-day`].value);
          words.textContent = got ? ukDate(got) : "";
        } })));
  return group(field, label,
    h("fieldset", { class: "govuk-fieldset", role: "group", "aria-describedby": `${idBase}-hint ${idBase}-words` },
      h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, label),
      h("div", { class: "govuk-hint", id: `${idBase}-hint` }, `No later than ${limitText} (${limitWhy}). Not a weekend, bank holiday or council closure day.`),
      h("div", { class: "govuk-date-input", id: idBase },
        box("day", "Day", day, 2), box("month", "Month", month, 2), box("year", "Year", year, 4)),
      words));
}

function readDate(form, field) {
  const parts = ["day", "month", "year"].map((p) => form.elements[`${field}-${p}`].value.trim());
  if (parts.every((p) => p === "")) return { value: null };
  const value = isoDate(parts[2], parts[1], parts[0]);
  return value ? { value } : { error: { field, message: `${field}: enter a real date as day, month and year, for example 19 3 2030.` } };
}

export function decisionPanel({ send }) {
  const formsRoot = document.getElementById("decision-forms");
  const recsRoot = document.getElementById("recommendations");
  const recForm = document.getElementById("recommend-for-form");
  const closeStart = document.getElementById("close-start");
  const closeConfirm = document.getElementById("close-confirm");
  const closeError = document.getElementById("close-error");
  const children = new Map(); // child id → { root, form, recorded, dissents }
  let state = null;

  function outcomeOf(key) {
    return state.decision_form.outcomes.find((o) => o.key === key);
  }

  function showPlanParts(form) {
    const picked = form.querySelector("input[name=outcome]:checked");
    const plan = Boolean(picked && outcomeOf(picked.value) && outcomeOf(picked.value).plan);
    for (const el of form.querySelectorAll("[data-plan-only]")) el.hidden = !plan;
  }

  function buildForm(child, decision) {
    const form_ = state.decision_form;
    const id = `decision-${child.id}`;
    const multiple = form_.multiple_categories;
    const categories = group("categories", "Category",
      h("fieldset", { class: "govuk-fieldset", "aria-describedby": `${id}-categories-hint` },
        h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, "Category"),
        h("div", { class: "govuk-hint", id: `${id}-categories-hint` }, multiple
          ? "Choose every category that applies."
          : "Choose the main category. Needed with a child protection plan."),
        radios("categories", `${id}-categories`, form_.categories, { type: multiple ? "checkbox" : "radio", checked: decision ? decision.categories : [] })));
    categories.dataset.planOnly = "";
    const reasons = h("textarea", { class: "govuk-textarea", id: `${id}-reasons`, name: "reasons", rows: 4, maxlength: 8000 });
    reasons.value = decision ? decision.reasons : "";
    const members = h("textarea", { class: "govuk-textarea", id: `${id}-members`, name: "core_group_members", rows: 3, "aria-describedby": `${id}-members-hint` });
    members.value = decision ? decision.core_group_members.join("\n") : "";
    const coreGroup = dateGroup("core_group_on", "First core group", `${id}-core-group`,
      decision && decision.core_group_on ? decision.core_group_on : form_.core_group_by, form_.core_group_by_text, "10 working days");
    const review = dateGroup("review_on", "Review conference", `${id}-review`,
      decision && decision.review_on ? decision.review_on : form_.review_by, form_.review_by_text,
      state.conference.kind === "review" ? "6 months" : "3 months");
    coreGroup.dataset.planOnly = "";
    review.dataset.planOnly = "";
    const submit = h("button", { class: "govuk-button", type: "submit" },
      decision ? `Change the decision for ${child.name}` : `Record the decision for ${child.name}`);
    const form = h("form", { class: "cr-decision-form", id: `${id}-form`, novalidate: true },
      h("div", { "data-error-summary": true }),
      group("outcome", "Outcome",
        h("fieldset", { class: "govuk-fieldset" },
          h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, `Outcome for ${child.name}`),
          radios("outcome", `${id}-outcome`, form_.outcomes, { checked: decision ? [decision.outcome] : [] }))),
      categories,
      group("reasons", "Reasons",
        h("label", { class: "govuk-label govuk-label--s", for: `${id}-reasons` }, "Your reasons"), reasons),
      group("lead_social_worker", "Lead social worker",
        h("label", { class: "govuk-label", for: `${id}-lead` }, "Lead social worker (optional)"),
        h("input", { class: "govuk-input", id: `${id}-lead`, name: "lead_social_worker", maxlength: 200, autocomplete: "off",
          value: decision && decision.lead_social_worker ? decision.lead_social_worker : "" })),
      group("core_group_members", "Core group members",
        h("label", { class: "govuk-label", for: `${id}-members` }, "Core group members (optional)"),
        h("div", { class: "govuk-hint", id: `${id}-members-hint` }, "One name, with their role or relationship, per line."),
        members),
      coreGroup, review, submit);
    form.addEventListener("change", (event) => { if (event.target.name === "outcome") showPlanParts(form); });
    form.addEventListener("submit", (event) => { event.preventDefault(); record(child, form); });
    showPlanParts(form);
    return form;
  }

  async function record(child, form) {
    const picked = form.querySelector("input[name=outcome]:checked");
    if (!picked) { showErrors(form, [{ field: "outcome", message: "outcome: choose the outcome for this child." }]); return; }
    const plan = outcomeOf(picked.value).plan;
    const payload = {
      child_id: child.id,
      outcome: picked.value,
      categories: plan ? [...form.querySelectorAll("input[name=categories]:checked")].map((c) => c.value) : [],
      reasons: form.elements.reasons.value,
      lead_social_worker: form.elements.lead_social_worker.value || null,
      core_group_members: form.elements.core_group_members.value.split("\n").map((m) => m.trim()).filter(Boolean),
    };
    if (plan) {
      const problems = [];
      for (const field of ["core_group_on", "review_on"]) {
        const got = readDate(form, field);
        if (got.error) problems.push(got.error);
        else if (got.value) payload[field] = got.value;
      }
      if (problems.length) { showErrors(form, problems); return; }
    }
    const ack = await send("decision.record", payload);
    if (!ack.ok) { showErrors(form, ackErrors(ack)); return; }
    clearErrors(form);
    form.querySelector("button[type=submit]").textContent = `Change the decision for ${child.name}`;
    const entry = children.get(child.id);
    drawRecorded(entry, child, ack.decision, true);
    entry.recorded.focus();
  }

  function drawRecorded(entry, child, decision, justNow = false) {
    if (!decision) { replace(entry.recorded, h("p", { class: "govuk-body" }, "No decision recorded yet.")); return; }
    const flags = decision.flags || [];
    replace(entry.recorded,
      h("div", { class: "cr-recorded" },
        h("p", { class: "govuk-body govuk-!-font-weight-bold" },
          justNow ? "Decision recorded" : "Decision", decision.decided_at ? ` at ${ukTime(decision.decided_at)}` : "",
          decision.category_code ? ` (code ${decision.category_code})` : ""),
        h("dl", { class: "govuk-summary-list" }, decisionRows(decision, { family: false })),
        decision.category_changed_from ? h("p", { class: "govuk-body govuk-!-font-weight-bold" },
          `Category changed from ${categoryTitles(decision.category_changed_from)}`) : null,
        flags.map(warning)));
  }

  function categoryTitles(keys) {
    const titles = Object.fromEntries(state.decision_form.categories.map((c) => [c.key, c.title]));
    return keys.map((key) => titles[key] || key).join(", ");
  }

  function warning(text) {
    return h("div", { class: "govuk-warning-text" },
      h("span", { class: "govuk-warning-text__icon", "aria-hidden": "true" }, "!"),
      h("strong", { class: "govuk-warning-text__text" }, h("span", { class: "govuk-visually-hidden" }, "Warning: "), text));
  }

  function drawContext(entry, child) {
    // A review: what was decided for this child last time, and what their history says.
    const context = (state.decision_context || []).find((c) => c.child_id === child.id);
    if (!context || (!context.previous && !context.flags.length)) { replace(entry.context); return; }
    const previous = context.previous;
    replace(entry.context, h("div", { class: "cr-decision-context" },
      previous
        ? h("p", { class: "govuk-body" }, `Last time (${previous.date_text}): ${previous.outcome_title}`,
            previous.category_titles.length ? ` — ${previous.category_titles.join(", ")}` : "")
        : h("p", { class: "govuk-body" }, "No earlier decision was recorded for this child."),
      context.flags.map(warning)));
  }

  function drawDissents(entry, child) {
    const mine = (state.dissents || []).filter((d) => d.child_id === child.id);
    replace(entry.dissents, mine.length
      ? [h("h4", { class: "govuk-heading-s" }, `Disagreement recorded (${mine.length})`),
         h("ul", { class: "govuk-list" }, mine.map((d) => h("li", { class: "cr-dissent" },
           h("strong", {}, d.name), d.agency ? `, ${d.agency}` : "", ` at ${ukTime(d.at)}: `, d.reason)))]
      : null);
  }

  function drawChildren() {
    const decided = Object.fromEntries((state.decisions || []).map((d) => [d.child_id, d]));
    const final = state.conference.status === "closed";
    for (const child of state.children) {
      let entry = children.get(child.id);
      if (!entry) {
        entry = {
          context: h("div", { id: `decision-${child.id}-context` }),
          recorded: h("div", { id: `decision-${child.id}-recorded`, tabindex: "-1" }),
          dissents: h("div", { id: `decision-${child.id}-dissents` }),
          form: null,
        };
        entry.root = h("div", { class: "cr-child-decision", id: `decision-${child.id}` },
          h("h3", { class: "govuk-heading-m" }, child.name, " ", h("span", { class: "govuk-caption-m cr-inline-caption" }, child.about)),
          entry.context, entry.recorded, entry.dissents);
        children.set(child.id, entry);
      }
      if (!entry.form && !final) {
        // Built once: a redraw must never wipe what the chair is typing.
        entry.form = buildForm(child, decided[child.id]);
        entry.root.append(entry.form);
      }
      if (entry.form && final) { entry.form.remove(); entry.form = null; }
      drawContext(entry, child);
      drawRecorded(entry, child, decided[child.id]);
      drawDissents(entry, child);
    }
    const wanted = state.children.map((c) => children.get(c.id).root);
    if (wanted.some((el, i) => formsRoot.children[i] !== el) || formsRoot.children.length !== wanted.length) {
      replace(formsRoot, wanted);
    }
  }

  function drawRecommendations() {
    const recs = state.recommendations || [];
    replace(recsRoot, state.children.map((child) => {
      const mine = recs.filter((r) => r.child_id === child.id).sort((a, b) => a.agency.localeCompare(b.agency));
      return h("div", { class: "cr-recommendations" },
        h("h3", { class: "govuk-heading-s" }, child.name),
        mine.length ? h("table", { class: "govuk-table" },
          h("caption", { class: "govuk-table__caption govuk-visually-hidden" }, `Recommendations for ${child.name}, by agency`),
          h("thead", { class: "govuk-table__head" }, h("tr", { class: "govuk-table__row" },
            ["Agency", "Who", "Recommends", "Reason"].map((t) => h("th", { class: "govuk-table__header", scope: "col" }, t)))),
          h("tbody", { class: "govuk-table__body" }, mine.map((r) => h("tr", { class: "govuk-table__row" },
            h("td", { class: "govuk-table__cell" }, r.agency || "–"),
            h("td", { class: "govuk-table__cell" }, r.author_name, r.entered_by_chair ? h("span", { class: "govuk-body-s" }, " (entered by the chair)") : null),
            h("td", { class: "govuk-table__cell" }, PLANS[r.plan] || r.plan),
            h("td", { class: "govuk-table__cell cr-reason" }, r.reason)))))
          : h("p", { class: "govuk-body" }, "No recommendations yet."));
    }));
    const who = recForm.elements.on_behalf_of;
    const child = recForm.elements.child_id;
    const keep = [who.value, child.value];
    replace(who, state.participants.filter((p) => p.role === "professional" && ["admitted", "apologies"].includes(p.status))
      .map((p) => h("option", { value: String(p.id) }, `${p.name}${p.agency ? `, ${p.agency}` : ""}${p.status === "apologies" ? " (sent apologies)" : ""}`)));
    replace(child, state.children.map((c) => h("option", { value: String(c.id) }, c.name)));
    [who.value, child.value] = keep;
    if (who.selectedIndex < 0 && who.options.length) who.selectedIndex = 0;
    if (child.selectedIndex < 0 && child.options.length) child.selectedIndex = 0;
  }

  recForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(recForm);
    if (!data.get("on_behalf_of")) {
      showErrors(recForm, [{ field: "on_behalf_of", message: "on_behalf_of: nobody here is a professional yet; add them under People first." }]);
      return;
    }
    const ack = await send("recommendation.submit", {
      on_behalf_of: Number(data.get("on_behalf_of")), child_id: Number(data.get("child_id")),
      plan: String(data.get("plan") || ""), reason: String(data.get("reason") || ""),
    });
    if (!ack.ok) { showErrors(recForm, ackErrors(ack)); return; }
    clearErrors(recForm);
    recForm.elements.reason.value = "";
    for (const radio of recForm.querySelectorAll("input[name=plan]")) radio.checked = false;
  });

  closeStart.addEventListener("click", () => {
    replace(closeError);
    closeStart.hidden = true;
    closeConfirm.hidden = false;
    document.getElementById("close-yes").focus();
  });
  document.getElementById("close-no").addEventListener("click", () => {
    closeConfirm.hidden = true;
    closeStart.hidden = false;
    closeStart.focus();
  });
  document.getElementById("close-yes").addEventListener("click", async () => {
    const ack = await send("conference.close", {});
    closeConfirm.hidden = true;
    closeStart.hidden = false;
    if (ack.ok) return; // the closed snapshot follows and turns the page read-only
    const decided = new Set((state.decisions || []).map((d) => d.child_id));
    const missing = ack.error.code === "decisions_missing" ? state.children.filter((c) => !decided.has(c.id)) : [];
    const summary = h("div", { class: "govuk-error-summary", tabindex: "-1" },
      h("div", { role: "alert" },
        h("h3", { class: "govuk-error-summary__title" }, "The conference is still open"),
        h("div", { class: "govuk-error-summary__body" },
          h("p", { class: "govuk-body" }, ack.error.message),
          missing.length ? h("ul", { class: "govuk-list govuk-error-summary__list" }, missing.map((c) =>
            h("li", {}, h("a", { href: `#decision-${c.id}-outcome` }, `Record a decision for ${c.name}`)))) : null)));
    replace(closeError, summary);
    summary.focus();
  });

  return {
    update(newState) {
      state = newState;
      drawRecommendations();
      drawChildren();
    },
  };
}
