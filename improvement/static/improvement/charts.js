/* The improvement pages' charts (ECharts from our own static files; data from json_script). */
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw() {
    if (typeof echarts === "undefined") { return; }
    var effect = data("effect-data"), el = document.getElementById("effect-chart");
    if (effect && el) {
      echarts.init(el).setOption({
        animation: false,
        tooltip: {},
        grid: { left: 48, right: 16, top: 40, bottom: 32 },
        xAxis: { type: "category", data: effect.labels },
        yAxis: { type: "value", name: effect.metric, nameTextStyle: { align: "left" } },
        series: [{ type: "bar", data: effect.values, label: { show: true, position: "top" }, barWidth: "40%" }]
      });
    }
    var voc = data("voc-data"), vel = document.getElementById("voc-chart");
    if (voc && vel) {
      echarts.init(vel).setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { data: voc.labels },
        grid: { left: 96, right: 16, top: 32, bottom: 24 },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: voc.terms },
        series: [
          { name: voc.labels[0], type: "bar", data: voc.now },
          { name: voc.labels[1], type: "bar", data: voc.before }
        ]
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
