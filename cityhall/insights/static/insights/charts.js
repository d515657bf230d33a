// Draws each <canvas data-chart="ID"> from the JSON in <script id="ID">.
// The numbers are also in a table beside every chart, so nothing depends on this.
(function () {
  if (typeof Chart === "undefined") return;
  const lang = document.documentElement.lang || "en";
  const formats = {
    pct: (v) => v.toLocaleString(lang, { maximumFractionDigits: 1 }) + "%",
    money: (v) => v.toLocaleString("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 }),
    hours: (v) => v.toLocaleString(lang) + " h",
    score: (v) => v.toLocaleString(lang, { maximumFractionDigits: 2 }),
    count: (v) => v.toLocaleString(lang),
  };
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const spec = JSON.parse(source.textContent);
    const format = formats[spec.unit] || formats.count;
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((d) => ({ ...d, fill: false, tension: 0.2, spanGaps: true })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: spec.stacked },
          y: {
            stacked: spec.stacked,
            beginAtZero: true,
            title: { display: !!spec.axis, text: spec.axis },
            ticks: { callback: (v) => format(v) },
          },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y === null ? "—" : format(c.parsed.y)}` } },
        },
      },
    });
  });
})();
