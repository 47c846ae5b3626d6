// The commitments screen end to end in headless Chromium (Debian's, driven by playwright-core), as a
// customer uses it: sign in, open Commitments, read the rows (cadence, amounts, next due, the strip
// with its "ended" months), try a blank name (the API's refusal shows next to the field), rename,
// exclude and include, exclude, merge; axe-core on the screen; a phone-sized screen.
//
// Run by tests/e2e/test_web_commitments.py, which starts the stack, signs the user up and submits
// their payments: "PUREGYM LTD"/"PureGym" monthly (3), "Netflix" (2), both GBP, and "Old phone"
// (3, EUR, ended months ago). It passes, in the environment:
//   PAGE_URL, EMAIL, PASSWORD        the served page and the user
//   CHROMIUM, ARTIFACTS_DIR          the browser, and where screenshots go
// Exit code 0 when every step passed; the first failure is printed with its step and exits 1.

import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const PAGE_URL = env("PAGE_URL").replace(/\/$/, "");
const EMAIL = env("EMAIL");
const PASSWORD = env("PASSWORD");
const ARTIFACTS = env("ARTIFACTS_DIR");
const STEP_TIMEOUT_MS = 15_000;
// Without the background-networking flags, Chromium floods a closed network with refused connections.
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

mkdirSync(ARTIFACTS, { recursive: true });
let screenshotCount = 0;
let currentStep = "start";
const problems = [];

function step(name) {
  currentStep = name;
  console.log(`· ${name}`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function screenshot(page, name) {
  screenshotCount += 1;
  const file = join(ARTIFACTS, `${String(screenshotCount).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  screenshot ${file}`);
}

/** axe-core on the page as it is; serious or critical violations fail the run. */
async function accessibilityScan(page, screen) {
  // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') still holds.
  if (!(await page.evaluate(() => "axe" in window))) {
    await page.evaluate(`${AXE_SOURCE}\n;undefined`);
  }
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const outcome = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return outcome.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(" ")).slice(0, 5),
    }));
  });
  const blocking = result.filter((item) => item.impact === "serious" || item.impact === "critical");
  for (const item of result) {
    console.log(`  axe ${screen}: ${item.impact} ${item.id} (${item.help}) at ${item.targets.join(", ")}`);
  }
  check(blocking.length === 0, `axe found ${blocking.length} serious/critical violations on ${screen}`);
}

/** The row of the commitment whose name (the row's heading) is exactly `name`. */
function row(page, name) {
  return page.locator("#commitment-list > li").filter({
    has: page.getByRole("heading", { level: 2, name: new RegExp(`^${name} `) }),
  });
}

/** The text of the fact `term` (a `<dt>`) in `item`. */
async function fact(item, term) {
  const terms = item.locator(".facts dt");
  const count = await terms.count();
  for (let index = 0; index < count; index += 1) {
    if ((await terms.nth(index).textContent()) === term) {
      return (await item.locator(".facts dd").nth(index).textContent()).trim();
    }
  }
  throw new Error(`no fact "${term}"`);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: env("CHROMIUM", "/usr/bin/chromium"),
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  try {
    const context = await browser.newContext({
      viewport: { width: 1024, height: 800 },
      locale: "en-GB",
      timezoneId: "Europe/London",
    });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && !/status of 4\d\d/.test(message.text())) {
        problems.push(`console error: ${message.text()}`);
      }
    });
    const dialogs = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });

    step("sign in through the identity provider's login form");
    await page.goto(`${PAGE_URL}/`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/oauth2\/authorize/);
    await page.getByLabel("Username").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.href.startsWith(PAGE_URL) && !url.search.includes("code="));
    await page.getByRole("heading", { name: "Payments", level: 1 }).waitFor();

    step("open the Commitments screen from the navigation");
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Commitments" }).click();
    await page.getByRole("heading", { name: "Commitments", level: 1 }).waitFor();
    check((await page.title()).startsWith("Commitments"), `title: ${await page.title()}`);
    check(
      (await page.getByRole("link", { name: "Commitments" }).getAttribute("aria-current")) === "page",
      "the Commitments link is not marked current",
    );
    const rows = page.locator("#commitment-list > li");
    await rows.first().waitFor();
    check((await rows.count()) === 3, `3 commitments expected, ${await rows.count()} shown`);

    step("the rows: name, status, cadence, amounts, next due, established, confidence, exclusion");
    const gym = row(page, "PureGym");
    check((await gym.locator(".badge").textContent()) === "Kept", "PureGym should be kept");
    check((await fact(gym, "Cadence")) === "Monthly", "PureGym cadence");
    check((await fact(gym, "Amount")) === "24.99 GBP", "PureGym amount");
    check((await fact(gym, "Previous amount")) === "No change", "PureGym previous amount");
    check(/^\d{1,2} \w+ \d{4}$/.test(await fact(gym, "Next due")), `next due: ${await fact(gym, "Next due")}`);
    check((await gym.locator(".facts time").first().getAttribute("datetime")) !== null, "dates in <time>");
    check((await fact(gym, "Established")) === "Yes", "PureGym established");
    check(/^\d{1,3}%$/.test(await fact(gym, "Confidence")), "PureGym confidence");
    check((await fact(gym, "Credit-file export")) === "Included", "PureGym included");
    const gymStrip = gym.getByRole("img", { name: /Payment history/ });
    check((await gymStrip.locator(".cell").count()) === 24, "24 cells");
    check((await gymStrip.locator(".cell.paid").count()) >= 3, "3 paid months at least");
    check((await gymStrip.locator(".cell.ended").count()) === 0, "PureGym has not ended");
    const netflix = row(page, "Netflix");
    check((await fact(netflix, "Established")) === "Not yet", "Netflix is not established with 2 payments");
    check((await fact(netflix, "Amount")) === "10.99 GBP", "Netflix amount");

    step("an ended commitment: its months after the end are drawn as ended, with a label");
    const phone = row(page, "Old phone");
    check((await phone.locator(".badge").textContent()) === "Ended", "Old phone should have ended");
    check((await fact(phone, "Next due")) === "None (ended)", "an ended commitment has no next due");
    const phoneStrip = phone.getByRole("img", { name: /Payment history/ });
    const endedCells = await phoneStrip.locator(".cell.ended").count();
    check(endedCells > 0, "no ended cells in the strip of an ended commitment");
    check((await phoneStrip.getAttribute("aria-label")).includes("ended from"), "the strip label says when it ended");
    check(
      (await phoneStrip.locator(".cell.ended title").first().textContent()).endsWith(": ended"),
      "an ended cell's title says ended",
    );
    const [endedFill, unseenFill] = await Promise.all(
      [".cell.ended rect", ".cell.unseen rect"].map((selector) =>
        phoneStrip.locator(selector).first().evaluate((rect) => getComputedStyle(rect).fill),
      ),
    );
    check(endedFill !== unseenFill, "ended and unseen cells look the same");
    check(
      (await page.locator(".legend").first().textContent()).includes("ended"),
      "the legend has no ended mark",
    );

    step("merge offers only the other commitments of the same currency");
    const netflixChoices = await netflix.getByLabel("Merge into", { exact: true }).locator("option").allTextContents();
    check(netflixChoices.length === 2 && netflixChoices[1].startsWith("PureGym"), `choices: ${netflixChoices}`);
    check((await phone.getByLabel("Merge into", { exact: true }).count()) === 0, "Old phone (EUR) has nothing to merge with");
    await accessibilityScan(page, "commitments");
    await screenshot(page, "commitments");

    step("a blank name is refused by the API, next to the field");
    await gym.getByLabel("Name", { exact: true }).fill("   ");
    await gym.getByRole("button", { name: "Save name of PureGym" }).click();
    const nameError = gym.locator(".field-error").first();
    await nameError.waitFor({ state: "visible" });
    check((await nameError.textContent()).trim().length > 0, "empty name error");
    check((await gym.getByLabel("Name", { exact: true }).getAttribute("aria-invalid")) === "true", "name not marked invalid");
    check(await gym.locator('[role="alert"]').isVisible(), "the row's alert is hidden");
    await accessibilityScan(page, "commitments with a refused rename");
    await screenshot(page, "rename-refused");

    step("rename PureGym to My gym");
    await gym.getByLabel("Name", { exact: true }).fill("My gym");
    await gym.getByLabel("Name", { exact: true }).press("Enter");
    const myGym = row(page, "My gym");
    await myGym.waitFor();
    check((await row(page, "PureGym").count()) === 0, "the old name is still shown");
    await page.waitForFunction(() => document.activeElement?.textContent?.startsWith("My gym") ?? false);
    await page.getByRole("status").getByText(/Renamed PureGym to My gym/).waitFor();
    check((await myGym.locator(".field-error").first().isHidden()), "the refused rename's error stayed");

    step("exclude Netflix from the export, then include it again");
    await netflix.getByRole("button", { name: "Exclude from export: Netflix" }).click();
    await netflix.getByText("Excluded from export", { exact: true }).waitFor();
    check((await fact(netflix, "Credit-file export")) === "Excluded", "Netflix not shown excluded");
    check(await netflix.evaluate((item) => item.classList.contains("excluded")), "excluded row not styled");
    await netflix.getByRole("button", { name: "Include in export: Netflix" }).click();
    await netflix.getByRole("button", { name: "Exclude from export: Netflix" }).waitFor();
    check((await fact(netflix, "Credit-file export")) === "Included", "Netflix not shown included again");

    step("exclude My gym");
    await myGym.getByRole("button", { name: "Exclude from export: My gym" }).click();
    await myGym.getByText("Excluded from export", { exact: true }).waitFor();

    step("merge Netflix into My gym (after confirming)");
    const mergeInto = netflix.getByLabel("Merge into", { exact: true });
    await mergeInto.selectOption(await mergeInto.locator("option", { hasText: "My gym" }).getAttribute("value"));
    await netflix.getByRole("button", { name: "Merge Netflix" }).click();
    await page.waitForFunction(() => document.querySelectorAll("#commitment-list > li").length === 2);
    check(dialogs.some((message) => message.includes("Merge “Netflix” into “My gym”")), `dialogs: ${dialogs}`);
    check((await row(page, "Netflix").count()) === 0, "Netflix is still listed after the merge");
    check((await fact(myGym, "Merged")) === "1 other commitment merged in", "merge not shown");
    check((await fact(myGym, "Credit-file export")) === "Excluded", "the target's exclusion was lost");
    await page.getByRole("status").getByText(/Merged Netflix into My gym/).waitFor();
    await accessibilityScan(page, "commitments after the merge");
    await screenshot(page, "merged");

    step("readable on a phone-sized screen");
    await page.setViewportSize({ width: 375, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `the commitments screen is ${overflow}px wider than a phone screen`);
    await screenshot(page, "phone-commitments");

    check(problems.length === 0, problems.join("\n"));
    console.log("commitments screen end to end: all steps passed");
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(`FAILED at step "${currentStep}": ${error.stack ?? error}`);
  if (problems.length > 0) console.error(problems.join("\n"));
  process.exit(1);
});
