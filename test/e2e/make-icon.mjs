// Renders images/icon.png (128×128) from an inline SVG with headless Chromium (playwright-core, no download).
// Run: node test/e2e/make-icon.mjs
import { chromium } from 'playwright-core';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
<defs>
  <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#26324a"/><stop offset="1" stop-color="#0f1522"/></linearGradient>
  <linearGradient id="flame" x1="0" y1="1" x2="0" y2="0"><stop offset="0" stop-color="#ee4c2c"/><stop offset="1" stop-color="#ff9a3c"/></linearGradient>
  <linearGradient id="chip" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#35c0f0"/><stop offset="1" stop-color="#1c7fd6"/></linearGradient>
</defs>
<rect x="4" y="4" width="120" height="120" rx="24" fill="url(#bg)"/>
<!-- torch flame -->
<path d="M34 30 C24 42 20 50 20 60 a16 16 0 0 0 32 0 c0-7-3-12-7-17 c0 6-2 9-5 10 c1-9-1-16-6-23z" fill="url(#flame)"/>
<circle cx="43" cy="37" r="3" fill="#ff9a3c"/>
<!-- arrow -->
<path d="M56 64 h16 v-8 l14 14 l-14 14 v-8 h-16z" fill="#e8edf5"/>
<!-- NPU chip -->
<g transform="translate(86 50)">
  <g stroke="#8fd3f4" stroke-width="3" stroke-linecap="round">
    <line x1="6" y1="-6" x2="6" y2="0"/><line x1="15" y1="-6" x2="15" y2="0"/><line x1="24" y1="-6" x2="24" y2="0"/>
    <line x1="6" y1="40" x2="6" y2="46"/><line x1="15" y1="40" x2="15" y2="46"/><line x1="24" y1="40" x2="24" y2="46"/>
    <line x1="30" y1="8" x2="36" y2="8"/><line x1="30" y1="20" x2="36" y2="20"/><line x1="30" y1="32" x2="36" y2="32"/>
  </g>
  <rect x="0" y="0" width="30" height="40" rx="5" fill="url(#chip)"/>
  <text x="15" y="26" font-family="DejaVu Sans, Arial, sans-serif" font-weight="700" font-size="13" fill="#fff" text-anchor="middle">MS</text>
</g>
<text x="64" y="112" font-family="DejaVu Sans, Arial, sans-serif" font-weight="700" font-size="15" fill="#e8edf5" text-anchor="middle" letter-spacing="1">MindPort</text>
</svg>`;

mkdirSync(join(root, 'images'), { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: join(root, 'images/icon.png'), omitBackground: true });
  console.log('wrote images/icon.png');
} finally {
  await browser.close();
}
