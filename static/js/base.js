// Start GOV.UK Frontend's components on every page (no inline script: the CSP forbids it).
import { initAll } from "/static/build/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported", "js-enabled");
initAll();

// GOV.UK Frontend marks a radio or checkbox that reveals more questions with aria-expanded,
// which ARIA does not allow on those roles (WCAG 4.1.2; axe-core's aria-allowed-attr;
// alphagov/govuk-frontend#979). The revealed questions come straight after the choice, so a
// screen reader reaches them next; we drop the attribute whenever the library sets it.
const invalidExpanded = 'input[type="radio"][aria-expanded], input[type="checkbox"][aria-expanded]';
function dropInvalidExpanded() {
  for (const input of document.querySelectorAll(invalidExpanded)) input.removeAttribute("aria-expanded");
}
new MutationObserver(dropInvalidExpanded).observe(document.body, {
  subtree: true, attributes: true, attributeFilter: ["aria-expanded"],
});
dropInvalidExpanded();
