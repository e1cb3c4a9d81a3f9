/*
 * The overseers' dashboard (reports/dashboard.html): draws the achievement lines and the
 * reporting-discipline bars with Chart.js from the page's JSON block. The tables beside
 * the charts hold the same figures, so the page says everything without JavaScript.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { onReady } from "../common/ready.js";
import { achievementConfig, disciplineConfig } from "./charts.js";

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController,
  LineElement, PointElement, Tooltip);

function draw(canvasId, chart, configOf, locale) {
  const canvas = document.getElementById(canvasId);
  if (!canvas || !chart || !chart.labels.length) return;
  new Chart(canvas, configOf(chart, locale));
}

onReady(() => {
  const block = document.getElementById("dashboard-data");
  if (!block) return;
  const data = JSON.parse(block.textContent);
  const locale = document.documentElement.lang || "id";
  draw("chart-achievement", data.achievement, achievementConfig, locale);
  draw("chart-discipline", data.discipline, disciplineConfig, locale);
});
