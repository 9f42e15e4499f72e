// GOV.UK Frontend's "JavaScript is on" classes (its template does this inline; a file keeps the CSP strict).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
