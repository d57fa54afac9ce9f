// Checks a person would make in the workbench, with Playwright on the code-server page (a fresh window with the
// extension loaded from source): Problems panel rows, the quick-fix menu, a hover, the status bar item, and the
// rendered report webview. Each check saves a screenshot in test-results/; `shots` collects the ones worth
// showing in the README (copied to images/screenshot-<name>.png by run.mjs).
import { join } from 'node:path';

const isMac = process.platform === 'darwin';
const mod = isMac ? 'Meta' : 'Control';

export async function uiChecks(page, { results, log, shots }) {
  let passed = 0;
  let failed = 0;
  const failures = [];
  const check = async (name, fn) => {
    const t0 = Date.now();
    try {
      await fn();
      passed++;
      log(`ui ✓ ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      failures.push(`${name}: ${msg}`);
      log(`ui ✗ ${name}: ${msg}`);
      await page.screenshot({ path: join(results, `ui-failed-${name.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
      await page.keyboard.press('Escape').catch(() => undefined);
    }
  };
  const shot = async (name, opts = {}) => {
    await page.screenshot({ path: join(results, `${name}.png`), ...opts });
    shots.push(`${name}.png`);
  };

  const palette = async (command) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    try {
      await input.waitFor({ state: 'visible', timeout: 3_000 });
    } catch {
      // the keyboard focus can be inside a webview or a notification: open it from the title bar's command center
      await page.locator('.command-center-center, .command-center .search-label').first().click();
      await input.waitFor({ state: 'visible', timeout: 10_000 });
    }
    await input.fill(`>${command}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first();
    await row.waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
  };

  const openFile = async (name) => {
    await page.keyboard.press(`${mod}+KeyP`);
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(name);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator(`.tab.active[aria-label^="${name}"], .tab.active:has-text("${name}")`).first().waitFor({ timeout: 10_000 });
  };

  await check('workbench loads', async () => {
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 30_000 });
  });

  await check('Problems panel lists MindPort findings', async () => {
    await openFile('model.py');
    await page.locator('.monaco-editor .squiggly-info, .monaco-editor .squiggly-warning, .monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
    await palette('View: Focus Problems');
    const rows = page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ timeout: 20_000 });
    await page.waitForFunction(
      () => [...document.querySelectorAll('.markers-panel .monaco-list-row')].some((r) => /MSP10\d/.test(r.textContent ?? '')),
      null,
      { timeout: 20_000 },
    );
    const texts = await rows.allTextContents();
    if (!texts.some((t) => /MSP101/.test(t))) throw new Error(`no MSP101 row: ${texts.slice(0, 6).join(' | ')}`);
    await shot('diagnostics');
  });

  await check('quick-fix menu offers the MindSpore rewrite', async () => {
    // clicking the MSP101 row puts the cursor on the finding
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'MSP101' }).filter({ hasText: /abs/ }).first();
    // click the start of the row (the message), not the rule-code link, which opens the rule's page
    const target = (await row.count()) ? row : page.locator('.markers-panel .monaco-list-row', { hasText: 'MSP101' }).first();
    await target.click({ position: { x: 60, y: 10 } });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor.focused').first().waitFor({ timeout: 10_000 });
    await page.keyboard.press(`${mod}+Period`);
    const menu = page.locator('.action-widget');
    await menu.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await menu.innerText();
    if (!/mindspore|mint|ms\./i.test(text)) throw new Error(`quick-fix menu: ${text.replace(/\n/g, ' | ')}`);
    await shot('quickfix');
    await page.keyboard.press('Escape');
  });

  await check('hover explains the torch API', async () => {
    await palette('Show or Focus Hover');
    const hover = page.locator('.monaco-hover:not(.hidden)').first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await hover.innerText();
    if (!/mindspore/i.test(text)) throw new Error(`hover: ${text.slice(0, 200)}`);
    await shot('hover');
    await page.keyboard.press('Escape');
  });

  await check('status bar shows the target and opens the device picker', async () => {
    const item = page.locator('.statusbar-item', { hasText: 'MindSpore 2.6 · Ascend 910B' }).first();
    await item.waitFor({ timeout: 20_000 });
    const box = await item.boundingBox();
    await item.click();
    const picker = page.locator('.quick-input-widget');
    await picker.waitFor({ state: 'visible', timeout: 10_000 });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Ascend 310P' }).first().waitFor({ timeout: 10_000 });
    if (!box) throw new Error('status bar item has no box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2); // its tooltip
    await page.waitForTimeout(300);
    await shot('statusbar');
    await page.keyboard.press('Escape');
  });

  await check('the porting report renders in a webview', async () => {
    // hide the panel so the report gets the whole editor area
    if (await page.locator('.part.panel:visible').count()) await page.keyboard.press(`${mod}+KeyJ`);
    await palette('MindPort: Show Porting Report');
    const outer = page.frameLocator('iframe.webview.ready').first();
    const inner = outer.frameLocator('iframe#active-frame, iframe[title]').first();
    await inner.locator('#ready').waitFor({ timeout: 60_000 });
    const ready = await inner.locator('#ready').innerText();
    if (!/\d+(\.\d+)?%/.test(ready)) throw new Error(`ready-to-port figure: ${ready}`);
    await inner.locator('svg.chart, p:has-text("No blockers")').first().waitFor({ timeout: 5_000 });
    await page.waitForTimeout(300);
    await shot('report');
    const rows = inner.locator('#files tbody tr');
    if ((await rows.count()) < 4) throw new Error(`only ${await rows.count()} file rows`);
    // sort by number of findings, descending: the first row then has the most
    const th = inner.locator('#files th', { hasText: 'Findings' });
    await th.click();
    await th.click();
    const firstFindings = Number(await rows.first().locator('td').nth(2).innerText());
    const allFindings = (await inner.locator('#files tbody tr td:nth-child(3)').allInnerTexts()).map(Number);
    if (firstFindings !== Math.max(...allFindings)) throw new Error(`sorting failed: first ${firstFindings}, max ${Math.max(...allFindings)}`);
    // a row opens the file at the line
    await rows.first().click();
    await page.locator('.tab.active', { hasText: '.py' }).first().waitFor({ timeout: 10_000 });
  });

  await check('Port This File shows a diff preview, then creates model_ms.py', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row .label-name').getByText('model.py', { exact: true }).first().dblclick();
    await page.locator('.tab.active', { hasText: 'model.py' }).first().waitFor({ timeout: 10_000 });
    await page.locator('.monaco-editor .view-lines').first().click();
    await palette('MindPort: Port This File to MindSpore');
    const diff = page.locator('.monaco-diff-editor').first();
    await diff.waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.tab.active', { hasText: 'MindPort preview' }).first().waitFor({ timeout: 10_000 });
    const create = page.locator('.notifications-toasts .monaco-button', { hasText: 'Create File' }).first();
    await create.waitFor({ timeout: 15_000 });
    await diff.locator('.line-insert, .char-insert').first().waitFor({ timeout: 10_000 });
    await page.waitForTimeout(500);
    await shot('port-preview');
    await create.click();
    // (the diff tab's title also contains model_ms.py: wait for the file's own tab)
    await page.locator('.tab.active .label-name').getByText('model_ms.py', { exact: true }).first().waitFor({ timeout: 15_000 });
    await page.locator('.explorer-folders-view .monaco-list-row .label-name').getByText('model_ms.py', { exact: true }).first().waitFor({ timeout: 10_000 });
  });

  await check('the walkthrough lists its five steps', async () => {
    await palette('View: Close All Editors');
    await page.waitForTimeout(500);
    await palette('Welcome: Open Walkthrough...');
    const input = page.locator('.quick-input-widget input');
    await input.fill('Port PyTorch code');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Port PyTorch code to MindSpore' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    const container = page.locator('.gettingStartedContainer');
    await container.locator('text=Choose your target').first().waitFor({ timeout: 20_000 });
    for (const step of ['Scan the workspace', 'Fix what can be fixed', 'Add a remote Ascend host', 'Run on Ascend'])
      await container.locator(`text=${step}`).first().waitFor({ timeout: 5_000 });
    // the step's markdown page renders in a webview on the right
    const media = page.frameLocator('.gettingStartedContainer iframe.webview.ready').first().frameLocator('iframe#active-frame, iframe[title]').first();
    await media.locator('h1', { hasText: 'Choose your target' }).waitFor({ timeout: 20_000 });
    await page.waitForTimeout(300);
    await shot('walkthrough');
  });

  return { passed, failed, failures };
}
