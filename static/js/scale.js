// The phone's 0–10 safety scale: eleven tappable choices, a reason, "one point up", and an
// outbox so an answer tapped while offline is sent (once, thanks to client_id) on reconnect.
import { h, replace } from "/static/js/live.js";

const OUTBOX = "cr-scale-outbox";

function newClientId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function scalePanel({ live, panel, body }) {
  let mine = {};
  let shownRound = null;
  let status = "";

  function pending() {
    try { return JSON.parse(localStorage.getItem(OUTBOX) || "null"); } catch { return null; }
  }

  async function send(payload) {
    localStorage.setItem(OUTBOX, JSON.stringify(payload));
    status = "Sending…";
    draw(shownRound);
    const ack = await live.send("scale.submit", payload);
    if (ack.ok) {
      localStorage.removeItem(OUTBOX);
      mine[payload.round_id] = ack.answer;
      status = `Sent. You chose ${ack.answer.score}. You can change it until the chair closes this round.`;
    } else if (ack.error.code === "timeout") {
      status = "Not sent yet – you seem to be offline. We will send it when you are back.";
    } else {
      localStorage.removeItem(OUTBOX);
      status = ack.error.message;
    }
    draw(shownRound);
  }

  function flush() {
    const waiting = pending();
    if (waiting) send(waiting);
  }

  function results(round) {
    const t = round.tally;
    const items = round.answers.map((a) => h("li", {},
      h("strong", {}, `${a.score}`), a.name ? ` – ${a.name}` : "", `: ${a.reason}`,
      a.next_step ? h("span", { class: "govuk-body-s" }, h("br"), `One point up: ${a.next_step}`) : null));
    return [
      h("p", { class: "govuk-body-l" }, t.count
        ? `Middle answer ${t.median}. Answers went from ${t.min} to ${t.max}.`
        : "Nobody answered in this round."),
      h("ul", { class: "govuk-list cr-reasons" }, items),
    ];
  }

  function form(round, wording) {
    const answer = mine[round.id];
    const choices = h("div", { class: "cr-scale" }, Array.from({ length: 11 }, (_, n) => h("div", { class: "cr-scale__choice" },
      h("input", { type: "radio", name: "score", id: `score-${n}`, value: String(n), checked: answer && answer.score === n }),
      h("label", { for: `score-${n}` }, String(n)))));
    const reason = h("textarea", { class: "govuk-textarea", id: "scale-reason", name: "reason", rows: 3, maxlength: 2000 });
    reason.value = answer ? answer.reason : "";
    const up = h("textarea", { class: "govuk-textarea", id: "scale-up", name: "next_step", rows: 2, maxlength: 2000 });
    up.value = answer && answer.next_step ? answer.next_step : "";
    const problem = h("p", { class: "govuk-error-message", id: "scale-problem", hidden: true });
    const el = h("form", { novalidate: true, onsubmit: (event) => {
      event.preventDefault();
      const picked = el.querySelector("input[name=score]:checked");
      if (!picked || !reason.value.trim()) {
        problem.textContent = !picked ? "Choose a number from 0 to 10." : "Say why you chose that number.";
        problem.hidden = false;
        (picked ? reason : el.querySelector("#score-0")).focus();
        return;
      }
      problem.hidden = true;
      const payload = { round_id: round.id, score: Number(picked.value), reason: reason.value, client_id: newClientId() };
      if (up.value.trim()) payload.next_step = up.value;
      send(payload);
    } },
      h("fieldset", { class: "govuk-fieldset" },
        h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, wording.question),
        h("p", { class: "govuk-body-s cr-scale__ends" }, h("span", {}, `0: ${wording.zero}`), h("span", {}, `10: ${wording.ten}`)),
        problem, choices),
      h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label", for: "scale-reason" }, "Why did you choose that number?"), reason),
      h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label", for: "scale-up" }, `${wording.one_point_up} (optional)`), up),
      h("button", { class: "govuk-button", type: "submit" }, answer ? "Change my answer" : "Send my answer"),
      h("p", { class: "govuk-body", role: "status", "aria-live": "polite" }, status));
    return el;
  }

  function draw(round, wording = draw.wording) {
    draw.wording = wording;
    if (!round) { panel.hidden = true; return; }
    panel.hidden = false;
    const heading = h("p", { class: "govuk-body" }, h("strong", {}, round.child_name || "All the children"),
      ` – ${round.title}`, round.label ? `: ${round.label}` : "");
    const count = h("p", { class: "govuk-body cr-scale-count" }, `${round.answered} of ${round.eligible} have answered.`);
    if (round.status === "open") replace(body, heading, count, form(round, wording));
    else if (round.status === "closed") replace(body, heading, count, h("p", { class: "govuk-body" }, "The chair has closed this round. The answers will be shown soon."));
    else replace(body, heading, results(round));
  }

  return {
    update(state) {
      if (state.viewer && state.viewer.my_answers) mine = { ...mine, ...state.viewer.my_answers };
      const rounds = (state.scale && state.scale.rounds) || [];
      const latest = rounds[rounds.length - 1] || null;
      if (!shownRound || !latest || latest.id !== shownRound.id) status = "";
      shownRound = latest;
      // Redrawing an open form while someone types would lose their words: only the count changes.
      const typing = latest && latest.status === "open" && body.contains(document.activeElement);
      if (typing) {
        const count = body.querySelector(".cr-scale-count");
        if (count) count.textContent = `${latest.answered} of ${latest.eligible} have answered.`;
        return;
      }
      draw(latest, state.scale_wording || draw.wording);
    },
    flush,
  };
}
