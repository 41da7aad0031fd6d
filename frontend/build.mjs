// Copies the portal's own browser code and the vendored libraries it uses into the jar's static
// resources. No bundler: the pages load plain ES modules and the libraries' own builds.
import { cpSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'target', 'classes', 'static');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'vendor'), { recursive: true });

cpSync(join(here, 'src'), out, { recursive: true });

const vendored = [
  ['htmx.org/dist/htmx.min.js', 'htmx.min.js'],
  ['@xterm/xterm/lib/xterm.js', 'xterm.js'],
  ['@xterm/xterm/css/xterm.css', 'xterm.css'],
  ['@xterm/addon-fit/lib/addon-fit.js', 'addon-fit.js'],
  ['uplot/dist/uPlot.iife.min.js', 'uPlot.iife.min.js'],
  ['uplot/dist/uPlot.min.css', 'uPlot.min.css'],
];
for (const [from, to] of vendored) {
  const src = join(here, 'node_modules', from);
  if (!existsSync(src)) {
    console.error(`frontend: ${src} is missing; run 'npm ci' in frontend/`);
    process.exit(1);
  }
  cpSync(src, join(out, 'vendor', to));
}
console.log(`frontend: built into ${out}`);
