// Start GOV.UK Frontend's components (a file, not an inline script, so the CSP needs no 'unsafe-inline').
import { initAll } from "/static/govuk/govuk-frontend.min.js";
initAll();
