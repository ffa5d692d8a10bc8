// @ts-check
/**
 * Bar charts for the live quiz results, drawn by Chart.js (npm `chart.js`,
 * served from /static/vendor/chart.js/ as its UMD build: a classic script
 * the page loads before its modules). This module is the only place that
 * reads its global, so the rest of the code has none. Why Chart.js: well
 * kept, canvas-based (no inline styles, so the strict CSP holds), accessible
 * enough with a text alternative next to it, which every chart here has.
 */

/** @typedef {{ labels: string[], values: number[], highlight?: boolean[], title: string }} BarData */

/**
 * @returns {any} the Chart constructor, or null when the library did not load
 */
function chartLibrary() {
  return /** @type {any} */ (globalThis).Chart || null;
}

/**
 * A bar chart with a text alternative (a list of the same figures, read by
 * screen readers and shown when the canvas cannot be drawn).
 */
export class BarChart {
  /** @type {HTMLElement} */
  element;
  /** @type {any} */
  #chart = null;
  #canvas;
  #text;

  /** @param {string} label what the chart shows, for screen readers */
  constructor(label) {
    this.element = document.createElement("figure");
    this.element.className = "bar-chart";
    this.#canvas = document.createElement("canvas");
    this.#canvas.setAttribute("role", "img");
    this.#canvas.setAttribute("aria-label", label);
    this.#text = document.createElement("ul");
    this.#text.className = "chart-text";
    this.element.append(this.#canvas, this.#text);
  }

  /** @param {BarData} data */
  update(data) {
    const total = data.values.reduce((a, b) => a + b, 0);
    this.#text.replaceChildren(
      ...data.labels.map((label, i) => {
        const li = document.createElement("li");
        const share = total ? Math.round((100 * data.values[i]) / total) : 0;
        li.textContent = `${label}: ${data.values[i]} (${share} %)${data.highlight && data.highlight[i] ? " ✓ correct" : ""}`;
        return li;
      }),
    );
    const Chart = chartLibrary();
    if (!Chart) {
      this.element.classList.add("no-canvas");
      return;
    }
    const colours = data.labels.map((_, i) => (data.highlight && data.highlight[i] ? "#2e7d32" : "#8c2155"));
    if (this.#chart) {
      this.#chart.data.labels = data.labels;
      this.#chart.data.datasets[0].data = data.values;
      this.#chart.data.datasets[0].backgroundColor = colours;
      this.#chart.update();
      return;
    }
    this.#chart = new Chart(this.#canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.title, data: data.values, backgroundColor: colours }],
      },
      options: {
        indexAxis: "y",
        animation: { duration: 250 },
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  destroy() {
    if (this.#chart) this.#chart.destroy();
    this.#chart = null;
  }
}
