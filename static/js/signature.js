/* Signature pad: draw on a <canvas class="signature-pad" data-target="ID">, the PNG data URL
   goes into the hidden input #ID on every stroke. Works with mouse, pen and touch. */
(function () {
  function setup(canvas) {
    var target = document.getElementById(canvas.dataset.target);
    var ctx = canvas.getContext("2d");
    var drawing = false, drawn = false;
    function resize() {
      var ratio = window.devicePixelRatio || 1;
      var rect = canvas.getBoundingClientRect();
      canvas.width = rect.width * ratio; canvas.height = rect.height * ratio;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.2; ctx.lineCap = "round"; ctx.strokeStyle = "#102a43";
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, rect.width, rect.height);
      drawn = false; if (target) target.value = "";
    }
    function pos(e) { var r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; canvas.setPointerCapture(e.pointerId);
      var p = pos(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return; var p = pos(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true;
    });
    function end() { if (drawing && drawn && target) target.value = canvas.toDataURL("image/png"); drawing = false; }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointerleave", end);
    var clear = document.querySelector('[data-clear="' + canvas.id + '"]');
    if (clear) clear.addEventListener("click", function (e) { e.preventDefault(); resize(); });
    resize();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas.signature-pad").forEach(setup);
  });
})();
