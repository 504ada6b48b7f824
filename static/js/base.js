// Start GOV.UK Frontend's components on every page (no inline script: the CSP forbids it).
import { initAll } from "/static/build/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported", "js-enabled");
initAll();
