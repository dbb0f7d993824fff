/* Agent console and engineer view. No inline script: the CSP forbids it.
   1. A refused write answers an HTMX form with 409 / 422 and an error partial retargeted
      (HX-Retarget) to #flash: show it instead of dropping it as htmx does with 4xx.
   2. Buttons with data-print print the page.
   3. A check-in / check-out form (data-locate) asks the phone for its position first, once,
      for at most 5 s; without one (refused, no GPS, no answer) it is sent without a location. */
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
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-locate") || form.dataset.located) { return; }
    var field = form.querySelector("input[name=location]");
    if (!field || !navigator.geolocation) { return; }
    e.preventDefault();
    var send = function () { form.dataset.located = "1"; form.submit(); };
    navigator.geolocation.getCurrentPosition(function (pos) {
      field.value = pos.coords.latitude.toFixed(6) + "," + pos.coords.longitude.toFixed(6);
      send();
    }, send, { timeout: 5000, maximumAge: 60000 });
  });
})();
