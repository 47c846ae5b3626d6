// What the browser scripts share: the environment they are run with, headless Chromium with a page
// that records its errors, the named steps and checks, screenshots, axe-core, and the identity
// provider's login form.
//
// Every script is run by a test under tests/e2e/ (support/web_stack.py), which passes, in the
// environment:
//   PAGE_URL, EMAIL, PASSWORD        the served page and a user signed up with the CLI
//   CHROMIUM, ARTIFACTS_DIR          the browser, and where screenshots go

import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

/** The environment variable `name`, or `fallback`; a run without either stops. */
export const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

export const PAGE_URL = env("PAGE_URL").replace(/\/$/, "");
export const EMAIL = env("EMAIL");
export const PASSWORD = env("PASSWORD");
export const ARTIFACTS = env("ARTIFACTS_DIR");
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

/** Name the step that runs next (a failure is reported with it). */
export function step(name) {
  currentStep = name;
  console.log(`· ${name}`);
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** "November 2026" for "2026-11", as the page (en-GB) names months. */
export function monthName(month) {
  const [year, number] = month.split("-").map(Number);
  return new Date(year, number - 1, 1).toLocaleDateString("en-GB", { month: "long", year: "numeric" });
}

/** The whole page, numbered in the order taken, into ARTIFACTS_DIR. */
export async function screenshot(page, name) {
  screenshotCount += 1;
  const file = join(ARTIFACTS, `${String(screenshotCount).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  screenshot ${file}`);
}

/** axe-core on the page as it is; serious or critical violations fail the run. */
export async function accessibilityScan(page, screen) {
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

/**
 * On the identity provider's login form: sign in as EMAIL, then wait until the page has the code
 * exchanged (no `code=` left in its address) and shows its Payments screen.
 */
export async function signInOnLoginForm(page) {
  await page.getByLabel("Username").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.href.startsWith(PAGE_URL) && !url.search.includes("code="));
  await page.getByRole("heading", { name: "Payments", level: 1 }).waitFor();
}

/**
 * Run `steps(page)` in headless Chromium on a 1024×800 en-GB page in `timezoneId`, then fail if
 * the page threw or logged an error (a 4xx answer aside: the API's refusals are expected). Prints
 * "`title`: all steps passed", or the step that failed and exits 1.
 */
export function runInChromium(title, { timezoneId }, steps) {
  const run = async () => {
    const browser = await chromium.launch({
      executablePath: env("CHROMIUM", "/usr/bin/chromium"),
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    try {
      const context = await browser.newContext({
        viewport: { width: 1024, height: 800 },
        locale: "en-GB",
        timezoneId,
      });
      context.setDefaultTimeout(STEP_TIMEOUT_MS);
      const page = await context.newPage();
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error" && !/status of 4\d\d/.test(message.text())) {
          problems.push(`console error: ${message.text()}`);
        }
      });
      await steps(page);
      check(problems.length === 0, problems.join("\n"));
      console.log(`${title}: all steps passed`);
    } finally {
      await browser.close();
    }
  };
  run().catch((error) => {
    console.error(`FAILED at step "${currentStep}": ${error.stack ?? error}`);
    if (problems.length > 0) console.error(problems.join("\n"));
    process.exit(1);
  });
}
