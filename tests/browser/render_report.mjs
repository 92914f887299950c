// Renders a plansim HTML report in headless Chromium and checks it:
//   - the page loads from its file with no console errors, no page errors
//     and no request for anything outside the file (the report must be
//     self-contained);
//   - every target's label (from the run's JSON, all scenarios) is visible
//     text on the page;
//   - every chart is an inline SVG that takes up room.
// Then it writes a full-page screenshot.
//
//   node render_report.mjs --report R.html --json R.json --png R.png [--chromium /usr/bin/chromium]
//
// Exits 0 when every check passes, 1 with a message per failure otherwise,
// 2 on a usage error.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

function parseArgs(argv) {
  const args = { chromium: '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!key.startsWith('--') || value === undefined) {
      console.error(`usage: node render_report.mjs --report R.html --json R.json --png R.png [--chromium PATH]`);
      process.exit(2);
    }
    args[key.slice(2)] = value;
  }
  for (const required of ['report', 'json', 'png']) {
    if (!args[required]) {
      console.error(`error: --${required} is required`);
      process.exit(2);
    }
  }
  return args;
}

// Whitespace runs as one space, as innerText shows them.
const squash = (s) => s.replace(/\s+/g, ' ').trim();

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const run = JSON.parse(readFileSync(args.json, 'utf8'));
  const labels = new Map();  // label -> target id
  for (const scenario of run.scenarios) {
    for (const t of scenario.targets) labels.set(squash(t.label || t.id), t.id);
  }
  if (labels.size === 0) throw new Error(`${args.json} has no targets`);

  const failures = [];
  // launch() gives the browser a fresh, temporary profile of its own.
  const browser = await chromium.launch({
    executablePath: args.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') failures.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => failures.push(`page error: ${err.message}`));
    const reportUrl = pathToFileURL(resolve(args.report)).href;
    // Anything but the report itself (and inline data) is a dependency it
    // must not have.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url === reportUrl || url.startsWith('data:')) return route.continue();
      failures.push(`the report requested ${url}`);
      return route.abort();
    });
    const response = await page.goto(reportUrl, { waitUntil: 'load' });
    if (!response || !response.ok()) failures.push(`cannot open ${reportUrl}`);

    const text = squash(await page.evaluate(() => document.body.innerText));
    for (const [label, id] of labels) {
      if (!text.includes(label)) failures.push(`target ${id}: its label is not visible: "${label}"`);
    }
    const title = await page.title();
    if (!title.includes(run.plan)) failures.push(`the page title "${title}" does not name the plan "${run.plan}"`);

    const charts = await page.evaluate(() =>
      Array.from(document.querySelectorAll('svg')).map((svg) => {
        const box = svg.getBoundingClientRect();
        return { id: svg.id, width: box.width, height: box.height, title: svg.querySelector('title')?.textContent ?? '' };
      }));
    if (charts.length === 0) failures.push('the page has no charts');
    for (const c of charts) {
      if (c.width < 100 || c.height < 40) failures.push(`chart ${c.id} ("${c.title}") is ${c.width}x${c.height} px`);
      if (!c.title) failures.push(`chart ${c.id} has no <title>`);
    }
    const external = await page.evaluate(() =>
      Array.from(document.querySelectorAll('script[src], link[href], img[src], iframe, object, embed'))
        .map((e) => e.outerHTML.slice(0, 120)));
    for (const e of external) failures.push(`external resource element: ${e}`);

    await page.screenshot({ path: args.png, fullPage: true });
    console.log(`${args.report}: ${charts.length} charts, ${labels.size} target labels visible; screenshot ${args.png}`);
    await context.close();
  } finally {
    await browser.close();
  }
  if (failures.length) {
    for (const f of failures) console.error(`FAIL: ${f}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(`FAIL: ${err.stack || err}`);
  process.exit(1);
});
