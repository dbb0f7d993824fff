/* The survey report's charts: ECharts (the analytics app's static copy) over the figures in
   #survey-data. No inline script (the CSP allows scripts from 'self' only). */
(function () {
  "use strict";
  var source = document.getElementById("survey-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var grid = { left: 8, right: 24, top: 36, bottom: 8, containLabel: true };

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.on("finished", function () { el.setAttribute("data-rendered", "1"); });
    option.animation = false;
    option.tooltip = { trigger: "axis", renderMode: "richText" };
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  draw("chart-questions", {
    grid: grid,
    xAxis: { type: "value", min: 0, max: 100 },
    yAxis: { type: "category", data: data.questions },
    series: [{ name: data.labels.average, type: "bar", data: data.averages, label: { show: true, position: "right" } }]
  });

  draw("chart-months", {
    grid: { left: 8, right: 24, top: 48, bottom: 8, containLabel: true },
    legend: { top: 0 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", min: 0, max: 100 },
    series: [
      { name: data.labels.score, type: "line", data: data.scores },
      { name: data.labels.rate, type: "bar", data: data.rates }
    ]
  });
})();
