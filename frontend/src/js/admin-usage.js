// Usage page: GPU-hours and core-hours per organisation as a bar chart (uPlot). The numbers come
// from data-* attributes of #usage-chart (the CSP forbids inline scripts); the table below holds
// the same figures for keyboard and screen-reader users.
(function () {
  const box = document.getElementById('usage-chart');
  if (!box || typeof uPlot === 'undefined') {
    return;
  }
  const split = (s) => (s ? s.split(',') : []);
  const labels = split(box.dataset.labels);
  const gpuHours = split(box.dataset.gpuHours).map(Number);
  const coreHours = split(box.dataset.coreHours).map(Number);
  if (labels.length === 0) {
    return;
  }
  const xs = labels.map((_, i) => i);
  const bars = (align) => uPlot.paths.bars({ size: [0.38, 80], align });
  // Short ticks: whole numbers from 100, one decimal from 1, two significant digits below (jobs of seconds).
  const fmt = (v) => (v == null ? '' : v === 0 ? '0' : v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1)
    : String(Number(v.toPrecision(2))));

  function options(width) {
    return {
      width,
      height: 280,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: () => [-0.5, labels.length - 0.5] },
        gpu: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] },
        core: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        { splits: () => xs, values: (u, splits) => splits.map((i) => labels[i] ?? ''), grid: { show: false } },
        { scale: 'gpu', label: box.dataset.gpuLabel, values: (u, vals) => vals.map(fmt), size: 70, labelSize: 24 },
        { scale: 'core', side: 1, label: box.dataset.coreLabel, values: (u, vals) => vals.map(fmt), size: 70,
          labelSize: 24, grid: { show: false } },
      ],
      series: [
        { label: box.dataset.orgLabel, value: (u, i) => labels[i] ?? '' },
        { label: box.dataset.gpuLabel, scale: 'gpu', fill: '#2f5bd3', stroke: '#2f5bd3', paths: bars(-1),
          points: { show: false }, value: (u, v) => fmt(v) },
        { label: box.dataset.coreLabel, scale: 'core', fill: '#9db4ee', stroke: '#6f8fdc', paths: bars(1),
          points: { show: false }, value: (u, v) => fmt(v) },
      ],
    };
  }

  const width = () => Math.max(280, box.clientWidth);
  const chart = new uPlot(options(width()), [xs, gpuHours, coreHours], box);
  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => chart.setSize({ width: width(), height: 280 }));
  });
})();
