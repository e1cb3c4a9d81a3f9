/*
 * Chart.js configurations of the dashboard's two charts, from the page's JSON block
 * (webapp/reports/dashboard.py builds it): pure functions, so node --test checks them
 * without a browser. Every word and formatted number comes from the page, none from here.
 */

// Distinct hues with enough contrast on white for lines and points (one per indicator).
export const PALETTE = [
  "#0f5c8c", "#b8860b", "#1e7a45", "#b42318", "#6b3fa0",
  "#00796b", "#c2185b", "#5d4037", "#455a64", "#7a5a07", "#0277bd", "#558b2f",
];
// After the colours, the point's shape tells two lines apart.
export const SHAPES = ["circle", "rect", "triangle", "rectRot"];

function percentTick(locale) {
  const format = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  return (value) => `${format.format(value)}%`;
}

/** A line per indicator: the achievement in each period, gaps where there is none. */
export function achievementConfig(chart, locale) {
  const datasets = chart.datasets.map((set, index) => ({
    label: set.code || set.label,
    data: set.data,
    borderColor: PALETTE[index % PALETTE.length],
    backgroundColor: PALETTE[index % PALETTE.length],
    pointStyle: SHAPES[Math.floor(index / PALETTE.length) % SHAPES.length],
    pointRadius: 4,
    spanGaps: false,
    tension: 0,
  }));
  return {
    type: "line",
    data: { labels: chart.labels, datasets },
    options: {
      ...common(locale),
      scales: {
        y: { beginAtZero: true, suggestedMax: 120, title: { display: true, text: chart.yTitle },
             ticks: { callback: percentTick(locale) } },
      },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 12 } },
        tooltip: {
          callbacks: {
            title: (items) => (items.length ? chart.datasets[items[0].datasetIndex].label : ""),
            label: (item) => `${item.label}: ${chart.datasets[item.datasetIndex].text[item.dataIndex]}`,
          },
        },
      },
    },
  };
}

/** One stacked bar per period: how many OPDs are in each reporting state. */
export function disciplineConfig(chart, locale) {
  const datasets = chart.datasets.map((set) => ({
    label: set.label,
    data: set.data,
    backgroundColor: set.colour,
    borderColor: "#ffffff",
    borderWidth: 1,
  }));
  return {
    type: "bar",
    data: { labels: chart.labels, datasets },
    options: {
      ...common(locale),
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: chart.yTitle },
             ticks: { precision: 0 } },
      },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    },
  };
}

function common(locale) {
  return { responsive: true, maintainAspectRatio: false, animation: false, locale };
}
