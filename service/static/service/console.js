/* Agent console and engineer view. No inline script: the CSP forbids it.
   1. A refused write answers an HTMX form with 409 / 422 and an error partial retargeted
      (HX-Retarget) to #flash: show it instead of dropping it as htmx does with 4xx.
   2. Buttons with data-print print the page. */
(function () {
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    if ((xhr.status === 409 || xhr.status === 422) && xhr.getResponseHeader("HX-Retarget")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-print]");
    if (button) { e.preventDefault(); window.print(); }
  });
})();
