// The dashboard's Chart.js configurations (src/dashboard/charts.js) from the page's JSON.
import { test } from "node:test";
import assert from "node:assert/strict";
import { achievementConfig, disciplineConfig, PALETTE } from "../src/dashboard/charts.js";

const achievement = {
  labels: ["Periode 1", "Periode 2"],
  yTitle: "Capaian (%)",
  datasets: [
    { code: "IKU-01", label: "IKU-01 Efisiensi", data: [62.5, 107.14], text: ["62,50%", "107,14%"] },
    { code: "IKU-04", label: "IKU-04 Tepat waktu", data: [null, 90], text: ["Tidak dapat dihitung", "90,00%"] },
  ],
};

test("one line per indicator, with gaps where there is no achievement", () => {
  const config = achievementConfig(achievement, "id");
  assert.equal(config.type, "line");
  assert.deepEqual(config.data.labels, ["Periode 1", "Periode 2"]);
  assert.deepEqual(config.data.datasets.map((d) => [d.label, d.data, d.borderColor]), [
    ["IKU-01", [62.5, 107.14], PALETTE[0]],
    ["IKU-04", [null, 90], PALETTE[1]],
  ]);
  assert.equal(config.options.animation, false);
  assert.equal(config.options.scales.y.ticks.callback(85), "85%");
});

test("the tooltip shows the page's own words for each point", () => {
  const { callbacks } = achievementConfig(achievement, "id").options.plugins.tooltip;
  const item = { datasetIndex: 1, dataIndex: 0, label: "Periode 1" };
  assert.equal(callbacks.title([item]), "IKU-04 Tepat waktu");
  assert.equal(callbacks.label(item), "Periode 1: Tidak dapat dihitung");
});

test("discipline bars are stacked, one colour per state", () => {
  const chart = {
    labels: ["Periode 1"], yTitle: "Jumlah OPD",
    datasets: [{ state: "tepat_waktu", label: "Tepat waktu", colour: "#1e7a45", data: [2] },
               { state: "terlambat", label: "Terlambat", colour: "#b8860b", data: [1] }],
  };
  const config = disciplineConfig(chart, "id");
  assert.equal(config.type, "bar");
  assert.ok(config.options.scales.x.stacked && config.options.scales.y.stacked);
  assert.deepEqual(config.data.datasets.map((d) => [d.label, d.data, d.backgroundColor]), [
    ["Tepat waktu", [2], "#1e7a45"], ["Terlambat", [1], "#b8860b"]]);
});
