// Copies the front-end packages CityHall serves into build/static/vendor,
// where Django's staticfiles finds them. Nothing here is committed: `npm ci`
// plus this script rebuild it from package-lock.json.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "static", "vendor");
const modules = join(root, "node_modules");

const copies = [
  ["@uswds/uswds/dist/css", "uswds/css"],
  ["@uswds/uswds/dist/js", "uswds/js"],
  ["@uswds/uswds/dist/fonts", "uswds/fonts"],
  ["@uswds/uswds/dist/img", "uswds/img"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["chart.js/dist/chart.umd.min.js", "chartjs/chart.umd.min.js"],
  ["chart.js/dist/chart.umd.min.js.map", "chartjs/chart.umd.min.js.map"],
];

rmSync(out, { recursive: true, force: true });
for (const [from, to] of copies) {
  const target = join(out, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(modules, from), target, { recursive: true });
}
console.log(`front-end assets copied to ${out}`);
