// Once the conference is closed its record is final: say so, and leave nothing to press that
// would only be refused. Parts marked data-live-only are hidden; other controls are disabled,
// except inside data-stays-live (the chair's corrections on the minutes page).
export function markFinal(state) {
  const closed = state.conference.status === "closed";
  const banner = document.getElementById("record-final");
  if (banner) banner.hidden = !closed;
  document.body.classList.toggle("cr-record-final", closed);
  if (!closed) return;
  for (const el of document.querySelectorAll("[data-live-only]")) el.hidden = true;
  const main = document.getElementById("main-content");
  for (const el of main.querySelectorAll("button, input, select, textarea")) {
    if (!el.closest("[data-stays-live]")) el.disabled = true;
  }
}
