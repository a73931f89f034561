// Parley's own script: small, external (no inline scripts, so a strict Content-Security-Policy holds).

// Every state-changing request needs the session's CSRF token. Forms carry it as a hidden field;
// htmx requests (buttons, live validation) get it as a header, for this site only.
document.addEventListener("htmx:config:request", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const request = event.detail.ctx.request;
  if (meta && new URL(request.action, document.baseURI).origin === window.location.origin) {
    request.headers["X-CSRF-Token"] = meta.content;
  }
});
