// The commitments screen end to end in headless Chromium (Debian's, driven by playwright-core), as a
// customer uses it: sign in, open Commitments, read the rows (cadence, amounts, next due, the strip
// with its "ended" months), open months of the strip (a paid one, the open current one, a missed
// one by keyboard), try a blank name (the API's refusal shows next to the field), rename, exclude
// and include, exclude, merge; axe-core on the screen; a phone-sized screen.
//
// Run by tests/e2e/test_web_commitments.py, which starts the stack, signs the user up and submits
// their payments: "PUREGYM LTD"/"PureGym" monthly (3), "Netflix" (2), both GBP, and "Old phone"
// (4, EUR, one month missed, ended months ago). It passes, in the environment:
//   PAGE_URL, EMAIL, PASSWORD        the served page and the user
//   CHROMIUM, ARTIFACTS_DIR          the browser, and where screenshots go
//   PAID_*, MISSED_*                 what GET /commitments/{id}/months says of PureGym's newest
//                                    month with a paid due date and Old phone's with a missed one:
//                                    _MONTH, _MONTH_WHY, _DUE, _DUE_WHY, _PAID_ON, _AMOUNTS
// Exit code 0 when every step passed; the first failure is printed with its step and exits 1.

import { accessibilityScan, check, env, monthName, PAGE_URL, runInChromium, screenshot, signInOnLoginForm, step } from "./harness.mjs";

const PAID = evidenceOf("PAID");
const MISSED = evidenceOf("MISSED");

/** What the API says of one month with one due date (see the environment above). */
function evidenceOf(prefix) {
  const list = (value) => (value === "" ? [] : value.split(","));
  return {
    month: env(`${prefix}_MONTH`),
    monthWhy: env(`${prefix}_MONTH_WHY`),
    due: env(`${prefix}_DUE`),
    dueWhy: env(`${prefix}_DUE_WHY`),
    paidOn: list(env(`${prefix}_PAID_ON`)),
    amounts: list(env(`${prefix}_AMOUNTS`)),
  };
}

/** The API's words as the page shows them: a capital first letter, a full stop at the end. */
function sentence(text) {
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

const text = async (locator) => ((await locator.textContent()) ?? "").trim();

/** The aria-label of the focused element. */
async function focusedLabel(page) {
  return page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? null);
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

runInChromium("commitments screen end to end", { timezoneId: "Europe/London" }, async (page) => {
  const monthReads = [];
  page.on("request", (request) => {
    if (/\/commitments\/[^/]+\/months$/.test(new URL(request.url()).pathname)) {
      monthReads.push(request.url());
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
  await signInOnLoginForm(page);

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
  const gymStrip = gym.getByRole("group", { name: /^Payment history: Paid in \d+ of the 24 months/ });
  check((await gymStrip.locator(".cell").count()) === 24, "24 cells");
  check((await gymStrip.getByRole("button").count()) === 24, "each of the 24 cells is a button");
  const gymLabels = await gymStrip.getByRole("button").evaluateAll((cells) => cells.map((cell) => cell.getAttribute("aria-label")));
  check(
    gymLabels.every((label) => /^\d{4}-\d{2}: (paid|not paid|ended|before first seen)$/.test(label)),
    `cell labels: ${gymLabels}`,
  );
  check(gymLabels.includes(`${PAID.month}: paid`), `no cell "${PAID.month}: paid" in ${gymLabels}`);
  check((await gymStrip.locator(".cell.paid").count()) >= 3, "3 paid months at least");
  check((await gymStrip.locator(".cell.ended").count()) === 0, "PureGym has not ended");
  const netflix = row(page, "Netflix");
  check((await fact(netflix, "Established")) === "Not yet", "Netflix is not established with 2 payments");
  check((await fact(netflix, "Amount")) === "10.99 GBP", "Netflix amount");

  step("an ended commitment: its months after the end are drawn as ended, with a label");
  const phone = row(page, "Old phone");
  check((await phone.locator(".badge").textContent()) === "Ended", "Old phone should have ended");
  check((await fact(phone, "Next due")) === "None (ended)", "an ended commitment has no next due");
  const phoneStrip = phone.getByRole("group", { name: /Payment history/ });
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

  step("a paid month of the strip opens: its due date, paid, the payment's date and amount, why");
  const paidCell = gymStrip.getByRole("button", { name: `${PAID.month}: paid`, exact: true });
  await paidCell.click();
  const gymMonth = page.getByRole("dialog", { name: `PureGym: ${monthName(PAID.month)}` });
  await gymMonth.waitFor();
  await gymMonth.locator(".due-date").first().waitFor();
  check((await text(gymMonth.locator(".month-status"))) === "Status: Current", "the month is not shown current");
  check((await text(gymMonth.locator(".month-why"))) === PAID.monthWhy, `month why: ${await text(gymMonth.locator(".month-why"))}`);
  check(PAID.monthWhy.startsWith("Current: "), `the API's month why: ${PAID.monthWhy}`);
  check((await gymMonth.locator(".due-date").count()) === 1, "one due date in a monthly commitment's month");
  const paidDue = gymMonth.locator(".due-date").first();
  check((await text(paidDue.locator(".due-head"))) === `Due ${PAID.due} Paid`, `due: ${await text(paidDue.locator(".due-head"))}`);
  check((await paidDue.locator(".due-head time").getAttribute("datetime")) === PAID.due, "due date not in <time>");
  const paidWhy = await text(paidDue.locator(".due-why"));
  check(paidWhy === sentence(PAID.dueWhy), `due why: ${paidWhy} (the API: ${PAID.dueWhy})`);
  check(paidWhy.startsWith(`Paid on ${PAID.paidOn[0]}, `), `the sentence does not say when it was paid: ${paidWhy}`);
  check(PAID.paidOn.length === 1 && PAID.amounts[0] === "24.99 GBP", `the API's payments: ${PAID.paidOn} ${PAID.amounts}`);
  const paidPayments = paidDue.locator(".evidence-payment");
  check((await paidPayments.count()) === 1, "one payment counts for the due date");
  check(
    (await text(paidPayments.first())) === `Paid ${PAID.paidOn[0]}: 24.99 GBP`,
    `payment: ${await text(paidPayments.first())}`,
  );
  check((await paidPayments.first().locator("time").getAttribute("datetime")) === PAID.paidOn[0], "payment date not in <time>");
  check(monthReads.length === 1, `GET /months read ${monthReads.length} times`);
  await accessibilityScan(page, "a month of a commitment");
  await screenshot(page, "month-paid");
  await gymMonth.getByRole("button", { name: "Close" }).click();
  await gymMonth.waitFor({ state: "hidden" });
  check((await focusedLabel(page)) === `${PAID.month}: paid`, `focus after closing: ${await focusedLabel(page)}`);

  step("the current month is still open; an early month was not seen yet (read once per commitment)");
  const cells = gymStrip.getByRole("button");
  const currentLabel = await cells.last().getAttribute("aria-label");
  const currentMonth = currentLabel.slice(0, 7);
  await cells.last().click();
  const openMonth = page.getByRole("dialog", { name: `PureGym: ${monthName(currentMonth)}` });
  await openMonth.waitFor();
  const openText = await text(openMonth.locator(".month-open"));
  check(
    openText === `${monthName(currentMonth)} is still open: its evidence is built after it ends. ` +
      `So far the strip shows it as ${currentLabel.slice(9)}.`,
    `current month: ${openText}`,
  );
  check((await openMonth.locator(".due-date").count()) === 0, "the open month shows due dates");
  await openMonth.getByRole("button", { name: "Close" }).click();
  await openMonth.waitFor({ state: "hidden" });
  const oldestMonth = (await cells.first().getAttribute("aria-label")).slice(0, 7);
  check((await cells.first().getAttribute("aria-label")) === `${oldestMonth}: before first seen`, "the oldest month was seen");
  await cells.first().click();
  const unseenMonth = page.getByRole("dialog", { name: `PureGym: ${monthName(oldestMonth)}` });
  await unseenMonth.locator(".month-why").waitFor();
  check((await text(unseenMonth.locator(".month-status"))) === "Status: Not seen yet", "an early month is not 'not seen yet'");
  check(
    (await text(unseenMonth.locator(".month-why"))) === "Not seen yet: before the first due date paid.",
    `early month why: ${await text(unseenMonth.locator(".month-why"))}`,
  );
  check((await unseenMonth.locator(".due-date, .evidence-payment").count()) === 0, "an unseen month shows due dates");
  check(monthReads.length === 1, `GET /months read ${monthReads.length} times for one commitment`);
  await unseenMonth.getByRole("button", { name: "Close" }).click();
  await unseenMonth.waitFor({ state: "hidden" });

  step("a missed month by keyboard: Enter opens it, its sentence says what was missed, Escape closes it");
  const missedCell = phoneStrip.getByRole("button", { name: `${MISSED.month}: not paid`, exact: true });
  check(await missedCell.evaluate((cell) => cell.querySelector(".cell.missed") !== null), "the missed cell is not drawn missed");
  await missedCell.focus();
  await page.keyboard.press("Enter");
  const phoneMonth = page.getByRole("dialog", { name: `Old phone: ${monthName(MISSED.month)}` });
  await phoneMonth.waitFor();
  await phoneMonth.locator(".due-date").first().waitFor();
  check(
    await page.evaluate(() => document.activeElement?.closest("dialog") !== null),
    "the focus is not in the open month",
  );
  check((await text(phoneMonth.locator(".month-status"))) === "Status: Not current", "the missed month is not 'not current'");
  const missedMonthWhy = await text(phoneMonth.locator(".month-why"));
  check(missedMonthWhy === MISSED.monthWhy, `month why: ${missedMonthWhy} (the API: ${MISSED.monthWhy})`);
  check(
    missedMonthWhy.startsWith("Not current: ") && missedMonthWhy.includes(`${MISSED.due} missed`),
    `month why: ${missedMonthWhy}`,
  );
  const missedDue = phoneMonth.locator(".due-date").first();
  check((await text(missedDue.locator(".due-head"))) === `Due ${MISSED.due} Missed`, `due: ${await text(missedDue.locator(".due-head"))}`);
  const missedWhy = await text(missedDue.locator(".due-why"));
  check(missedWhy === sentence(MISSED.dueWhy), `due why: ${missedWhy} (the API: ${MISSED.dueWhy})`);
  check(
    /^Nothing paid by \d{4}-\d{2}-\d{2}\b.*\bdays? allowed after it\.$/.test(missedWhy),
    `missed sentence: ${missedWhy}`,
  );
  check((await missedDue.locator(".evidence-payment").count()) === 0, "a missed due date shows payments");
  check((await text(missedDue.locator(".hint"))) === "No payment counts for it.", "a missed due date does not say it has no payment");
  check(monthReads.length === 2, `GET /months read ${monthReads.length} times for two commitments`);
  await screenshot(page, "month-missed");
  await page.keyboard.press("Escape");
  await phoneMonth.waitFor({ state: "hidden" });
  check((await focusedLabel(page)) === `${MISSED.month}: not paid`, `focus after Escape: ${await focusedLabel(page)}`);

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

  step("a month on a phone, read again after the merge (Netflix's payments now count too)");
  const readsBefore = monthReads.length;
  await myGym.getByRole("group", { name: /Payment history/ }).getByRole("button", { name: `${PAID.month}: paid`, exact: true }).click();
  const mergedMonth = page.getByRole("dialog", { name: `My gym: ${monthName(PAID.month)}` });
  await mergedMonth.locator(".due-date").first().waitFor();
  check(monthReads.length === readsBefore + 1, "the months were not read again after the merge");
  const mergedAmounts = await mergedMonth.locator(".evidence-amount").allTextContents();
  check(
    mergedAmounts.includes("24.99 GBP") && mergedAmounts.includes("10.99 GBP"),
    `after the merge the month's payments are ${mergedAmounts}`,
  );
  const box = await mergedMonth.boundingBox();
  check(box !== null && box.x >= 0 && box.x + box.width <= 375, `the month is wider than a phone: ${JSON.stringify(box)}`);
  await screenshot(page, "phone-month");
  await page.keyboard.press("Escape");
  await mergedMonth.waitFor({ state: "hidden" });
});
