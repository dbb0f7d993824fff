/* Small behaviours for every page, so that templates need no inline script (the
   Content-Security-Policy allows scripts from our own static files only):
   - <select data-autosubmit> submits its form when changed (e.g. the language picker);
   - <button data-print> prints the page;
   - <form data-confirm="question"> / <button data-confirm="question"> ask before submitting;
   - the menu's drop-downs (<details class="navgroup">): one open at a time, closed by a click
     elsewhere or Escape;
   - inside an element with data-swap-errors, htmx swaps 409 / 422 answers (error partials) in
     like successes (instead of an hx-on handler, which would need 'unsafe-eval'). */
(function () {
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
  });
  document.addEventListener("click", function (e) {
    var el = e.target && e.target.closest ? e.target.closest("[data-print], button[data-confirm]") : null;
    if (!el) return;
    if (el.hasAttribute("data-print")) { e.preventDefault(); window.print(); return; }
    if (!window.confirm(el.getAttribute("data-confirm"))) e.preventDefault();
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form && form.matches && form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      e.preventDefault();
    }
  });
  function closeMenus(except) {
    document.querySelectorAll("details.navgroup[open]").forEach(function (d) { if (d !== except) d.open = false; });
  }
  document.addEventListener("toggle", function (e) {
    if (e.target.matches && e.target.matches("details.navgroup") && e.target.open) closeMenus(e.target);
  }, true);
  document.addEventListener("click", function (e) {
    if (!(e.target.closest && e.target.closest("details.navgroup"))) closeMenus(null);
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") closeMenus(null); });
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail && e.detail.xhr ? e.detail.xhr.status : 0;
    if ((status === 409 || status === 422) && e.target.closest && e.target.closest("[data-swap-errors]")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
