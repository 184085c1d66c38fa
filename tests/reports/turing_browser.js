// Drives a `ganbench turing` page in headless chromium (playwright-core on NODE_PATH, Debian's chromium):
//   node turing_browser.js PAGE.html PATTERN.json RATER OUT.json
// PATTERN maps item ids to "real" or "generated". Types the rater name, clicks each answer and a confidence,
// reloads the page to check that the answers were kept in the browser's storage, then exports them with the
// page's own button and saves the download to OUT.
const fs = require("fs");
const { chromium } = require("playwright-core");

(async () => {
  const [page_file, pattern_file, rater, out] = process.argv.slice(2);
  const pattern = JSON.parse(fs.readFileSync(pattern_file, "utf8"));
  const exe = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(p => fs.existsSync(p));
  const browser = await chromium.launch({ executablePath: exe, args: ["--no-sandbox", "--disable-gpu"] });
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto("file://" + page_file);
  await page.fill("#rater", rater);
  let k = 0;
  for (const [id, answer] of Object.entries(pattern)) {
    await page.click(`#${id} button.${answer}`);
    await page.check(`#${id} input[value="${1 + (k++ % 5)}"]`);
  }
  await page.reload();  // answers survive in localStorage
  const progress = await page.textContent("#progress");
  if (!progress.startsWith(`${Object.keys(pattern).length} of`)) throw new Error("answers lost on reload: " + progress);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
  await download.saveAs(out);
  await browser.close();
})().catch(e => { console.error(e); process.exit(1); });
