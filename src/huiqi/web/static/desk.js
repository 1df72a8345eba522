// 工作台 charts. Each reads the page's own JSON (the same object its API endpoint returns), embedded in a
// <script type="application/json"> element; ECharts is vendored under /static/vendor.
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;

  function draw(holder, option) {
    var chart = echarts.init(holder);
    chart.setOption(option);
    holder.dataset.rendered = "true";  // lets the browser tests see that the chart was drawn
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // Budget use: one bar per policy line and year, stacked spent / reserved / remaining, in 万元.
  // Exact amounts are in the table beside it; the chart only draws them (fen → 万元 for the axis).
  var budgets = document.getElementById("budgets-data");
  var budgetChart = document.getElementById("budgets-chart");
  if (budgets && budgetChart) {
    var lines = JSON.parse(budgets.textContent).lines;
    var wan = function (m) { return m.fen / 1000000; };
    var parts = [["spent", "已支付", "#c0392b"], ["reserved", "已预留", "#e6a23c"], ["remaining", "剩余", "#9ccc9c"]];
    draw(budgetChart, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
        valueFormatter: function (v) { return v.toLocaleString("zh-CN") + " 万元"; } },
      legend: { top: 0 },
      grid: { left: 8, right: 48, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: "万元" },
      yAxis: { type: "category", inverse: true,
        data: lines.map(function (l) { return l.line + " · " + l.year; }) },
      series: parts.map(function (p) {
        return { name: p[1], type: "bar", stack: "use", barMaxWidth: 36, itemStyle: { color: p[2] },
          data: lines.map(function (l) { return wan(l[p[0]]); }) };
      })
    });
  }

  // 004's targets: each computed figure as a percentage of its target; the line at 100% is the target.
  var targets = document.getElementById("targets-data");
  var targetChart = document.getElementById("targets-chart");
  if (targets && targetChart) {
    var rows = JSON.parse(targets.textContent).readings.filter(function (r) { return r.progress_pct !== null; });
    draw(targetChart, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (items) {
          var r = rows[items[0].dataIndex];
          return r.label + "<br>当前 " + r.value + " / 目标 " + r.target_value + " " + r.unit +
            "（" + r.progress_pct + "%）";
        } },
      grid: { left: 8, right: 40, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: "%", max: function (v) { return Math.max(110, Math.ceil(v.max / 10) * 10); } },
      yAxis: { type: "category", inverse: true, axisLabel: { width: 110, overflow: "truncate" },
        data: rows.map(function (r) { return r.label; }) },
      series: [{
        name: "完成度", type: "bar", barMaxWidth: 28,
        data: rows.map(function (r) {
          return { value: Number(r.progress_pct), itemStyle: { color: r.met ? "#1e7e34" : "#1f5fbf" } };
        }),
        label: { show: true, position: "right", formatter: "{c}%" },
        markLine: { symbol: "none", lineStyle: { color: "#c0392b", width: 2 },
          label: { formatter: "目标 100%" }, data: [{ xAxis: 100 }] }
      }]
    });
  }
})();
