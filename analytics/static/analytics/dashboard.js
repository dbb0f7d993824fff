/* The dashboard's charts: ECharts (our own static copy) over the figures embedded in the page
   (#dashboard-data). A click on a bar or point opens the console queue filtered to the orders
   behind it. No inline script: the Content-Security-Policy allows scripts from 'self' only. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var charts = [];
  var grid = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };
  var legendGrid = { left: 8, right: 16, top: 64, bottom: 8, containLabel: true };
  var every = { interval: 0, width: 90, overflow: "break" };  // every category named, long ones wrapped

  function drill(queries) {
    return function (params) {
      var list = queries(params);
      var q = list && list[params.dataIndex];
      if (q) window.location.assign(data.queue + "?" + q);
    };
  }

  function draw(id, option, queries) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = window.echarts.init(el, null, { locale: data.locale, renderer: "canvas" });
    chart.on("finished", function () { el.setAttribute("data-rendered", "1"); });
    option.animation = false;
    // drawn on the canvas: an HTML tooltip would carry style="…" attributes, which the CSP refuses
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" };
    chart.setOption(option);
    chart.on("click", drill(queries));
    el.style.cursor = "pointer";
    charts.push(chart);
  }

  function bars(block, extra) {
    return Object.assign({
      grid: grid,
      xAxis: { type: "category", data: block.labels, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: block.name, type: "bar", data: block.counts }]
    }, extra || {});
  }

  draw("chart-status", bars(data.status), function () { return data.status.queries; });

  draw("chart-intake", {
    grid: grid,
    xAxis: { type: "category", data: data.intake.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: data.intake.name, type: "bar", data: data.intake.counts }]
  }, function () { return data.intake.queries; });

  var colours = { met: "#2e7d32", breached: "#c62828", pending: "#9e9e9e" };
  draw("chart-sla", {
    grid: legendGrid,
    legend: { top: 0 },
    xAxis: { type: "category", data: data.sla.labels, axisLabel: every },
    yAxis: { type: "value", minInterval: 1 },
    series: data.sla.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "clock", data: s.data, itemStyle: { color: colours[s.state] } };
    })
  }, function (params) { return data.sla.series[params.seriesIndex].queries; });

  draw("chart-times", {
    grid: legendGrid,
    legend: { top: 0 },
    xAxis: { type: "category", data: data.times.labels, axisLabel: every },
    yAxis: { type: "value", name: data.times.unit, nameTextStyle: { align: "left" } },
    series: data.times.series.map(function (s, i) {
      return { name: s.name, type: "bar", data: s.data, itemStyle: i > 1 ? { opacity: 0.45 } : undefined };
    })
  }, function () { return data.times.queries; });

  draw("chart-backlog", bars(data.backlog, {
    xAxis: { type: "category", data: data.backlog.labels, axisLabel: every },
    series: [{ name: data.backlog.name, type: "bar", data: data.backlog.counts, itemStyle: { color: "#ef6c00" } }]
  }), function () { return data.backlog.queries; });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
