// The phone's part of the outcome (templates/live/_phone_record.html): each child's decision in
// plain words, the agreed plan, and for professionals a recommendation per child and, once a
// child has a decision, "Record that I disagree". When the chair closes the meeting the phone
// shows that it has finished (the server disconnects it for good) instead of "Reconnecting…".
import { h, replace } from "/static/js/live.js";
import { ackErrors, clearErrors, showErrors } from "/static/js/form-errors.js";
import { decisionRows, decisionsList, ukTime } from "/static/js/outcome.js";
import { planView } from "/static/js/plan.js";

const PLANS = [
  { key: "cp_plan", title: "Child protection plan" },
  { key: "cin_plan", title: "Child in need plan" },
  { key: "no_plan", title: "No plan" },
];

export function phoneRecord({ live, family }) {
  const decided = document.getElementById("decided");
  const recommendRoot = document.getElementById("recommend-forms");
  const professional = Boolean(recommendRoot);
  const forms = new Map(); // child id → { root, recommend }: built once, never redrawn
  const dissents = new Map(); // child id → the "Record that I disagree" form, likewise
  let mine = {}; // my recommendations by child id (join ack and my own acks only)
  let state = null;

  function recommendForm(child) {
    const id = `recommend-${child.id}`;
    const status = h("p", { class: "govuk-body", role: "status", "aria-live": "polite" });
    const reason = h("textarea", { class: "govuk-textarea", id: `${id}-reason`, name: "reason", rows: 3, maxlength: 4000 });
    const submit = h("button", { class: "govuk-button", type: "submit" }, "Send my recommendation");
    const form = h("form", { novalidate: true, class: "cr-recommend-form" },
      h("div", { "data-error-summary": true }),
      h("div", { class: "govuk-form-group", "data-field": "plan", "data-label": "What you recommend" },
        h("fieldset", { class: "govuk-fieldset" },
          h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, `What do you recommend for ${child.name}?`),
          h("div", { class: "govuk-radios govuk-radios--small" }, PLANS.map((plan, i) => {
            const inputId = i === 0 ? `${id}-plan` : `${id}-plan-${plan.key}`;
            return h("div", { class: "govuk-radios__item" },
              h("input", { class: "govuk-radios__input", type: "radio", name: "plan", id: inputId, value: plan.key }),
              h("label", { class: "govuk-label govuk-radios__label", for: inputId }, plan.title));
          })))),
      h("div", { class: "govuk-form-group", "data-field": "reason", "data-label": "Your reason" },
        h("label", { class: "govuk-label", for: `${id}-reason` }, "Why?"), reason),
      submit, status);
    function fill(rec) {
      if (!rec) return;
      for (const radio of form.querySelectorAll("input[name=plan]")) radio.checked = radio.value === rec.plan;
      reason.value = rec.reason;
      submit.textContent = "Change my recommendation";
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const picked = form.querySelector("input[name=plan]:checked");
      if (!picked) { showErrors(form, [{ field: "plan", message: "plan: choose one of the three." }]); return; }
      status.textContent = "Sending…";
      const ack = await live.send("recommendation.submit", { child_id: child.id, plan: picked.value, reason: reason.value });
      if (!ack.ok) { status.textContent = ""; showErrors(form, ackErrors(ack)); return; }
      clearErrors(form);
      mine[String(child.id)] = ack.recommendation;
      fill(ack.recommendation);
      status.textContent = `Sent at ${ukTime(new Date().toISOString())}. You can change it until the meeting ends.`;
    });
    return { form, fill };
  }

  function dissentForm(child) {
    const id = `dissent-${child.id}`;
    const status = h("p", { class: "govuk-body", role: "status", "aria-live": "polite" });
    const reason = h("textarea", { class: "govuk-textarea", id: `${id}-reason`, name: "reason", rows: 3, maxlength: 4000, "aria-describedby": `${id}-hint` });
    const form = h("form", { novalidate: true },
      h("div", { "data-error-summary": true }),
      h("div", { class: "govuk-form-group", "data-field": "reason", "data-label": "Your reason" },
        h("label", { class: "govuk-label", for: `${id}-reason` }, "Why do you disagree?"),
        h("div", { class: "govuk-hint", id: `${id}-hint` }, "Your name, organisation and the time go in the record with your reason."),
        reason),
      h("button", { class: "govuk-button govuk-button--secondary", type: "submit" }, "Record that I disagree"), status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const ack = await live.send("dissent.record", { child_id: child.id, reason: reason.value });
      if (!ack.ok) { showErrors(form, ackErrors(ack)); return; }
      clearErrors(form);
      reason.value = "";
      status.textContent = `Your disagreement was recorded at ${ukTime(new Date().toISOString())}. The chair can see it.`;
    });
    const recorded = ((state.viewer && state.viewer.my_dissents) || {})[child.id] || [];
    if (recorded.length) {
      status.textContent = `You recorded that you disagree at ${ukTime(recorded[recorded.length - 1].at)}. The chair can see it.`;
    }
    return h("details", { class: "govuk-details cr-dissent-form", id },
      h("summary", { class: "govuk-details__summary" }, h("span", { class: "govuk-details__summary-text" }, `Record that I disagree with the decision for ${child.name}`)),
      h("div", { class: "govuk-details__text" }, form));
  }

  function drawDecided() {
    // Each decided child: the decision, and for a professional the form to disagree with it
    // (the same element every time, so a redraw never loses what they are typing).
    const byChild = Object.fromEntries((state.decisions || []).map((d) => [d.child_id, d]));
    const items = (state.children || []).filter((c) => byChild[c.id]).map((child) => {
      if (professional && !dissents.has(child.id)) dissents.set(child.id, dissentForm(child));
      return h("div", { class: "cr-decision" },
        h("h3", { class: "govuk-heading-s" }, child.name),
        h("dl", { class: "govuk-summary-list cr-decision__list" }, decisionRows(byChild[child.id], { family })),
        professional ? dissents.get(child.id) : null);
    });
    decided.hidden = !items.length;
    replace(document.getElementById("decided-list"), items);
  }

  function drawProfessional() {
    if (!professional) return;
    for (const child of state.children || []) {
      if (forms.has(child.id)) continue;
      const recommend = recommendForm(child);
      recommend.fill(mine[String(child.id)]);
      forms.set(child.id, { root: h("div", { class: "cr-child-recommend" }, h("h3", { class: "govuk-heading-s" }, child.name), recommend.form), recommend });
    }
    const wanted = (state.children || []).map((c) => forms.get(c.id).root);
    if (wanted.length !== recommendRoot.children.length || wanted.some((el, i) => recommendRoot.children[i] !== el)) {
      replace(recommendRoot, wanted);
    }
  }

  function finished() {
    // Everyone was sent the closed snapshot before being disconnected: show the end, stop trying.
    for (const id of ["waiting", "ended", "holding", "meeting"]) document.getElementById(id).hidden = true;
    const panel = document.getElementById("finished");
    const list = decisionsList(state, { family, headingLevel: "h3" });
    replace(document.getElementById("finished-decisions"), list ? h("h2", { class: "govuk-heading-m" }, "What was decided") : null, list);
    const wasHidden = panel.hidden;
    panel.hidden = false;
    if (wasHidden) document.getElementById("finished-title").focus();
    live.stop();
  }

  return {
    update(newState) {
      state = newState;
      if (state.viewer && state.viewer.my_recommendations) {
        mine = { ...mine, ...state.viewer.my_recommendations };
        for (const [childId, rec] of Object.entries(state.viewer.my_recommendations)) {
          const entry = forms.get(Number(childId));
          if (entry) entry.recommend.fill(rec);
        }
      }
      if (state.conference.status === "closed") { finished(); return true; }
      drawDecided();
      replace(document.getElementById("agreed-plan-list"), planView(state, { family })
        || h("p", { class: "govuk-body" }, "Nothing has been agreed yet. It will appear here as it is agreed."));
      drawProfessional();
      return false;
    },
  };
}
