// Loaded as the first thing in <body>, as the NHS.UK frontend template does inline: the design
// system styles its JavaScript components only when these classes are present. A file rather
// than an inline snippet, so the Content-Security-Policy can forbid every inline script.
document.documentElement.classList.add("cd-js");
document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("nhsuk-frontend-supported");
}
