import "./style.css";
import { createApiClient } from "./api/client";
import { Auth, type Session } from "./auth";
import { loadConfig } from "./config";
import { CommitmentsScreen } from "./ui/commitments";
import { announce, byId, showText } from "./ui/dom";
import { PaymentsScreen } from "./ui/payments";
import { ReportScreen } from "./ui/report";

type View = "payments" | "commitments" | "report";

const VIEW_IDS: Readonly<Record<View, string>> = {
  payments: "payments-view",
  commitments: "commitments-view",
  report: "report-view",
};
const TITLES: Readonly<Record<View, string>> = {
  payments: "Payments — Payments tracker",
  commitments: "Commitments — Payments tracker",
  report: "Monthly report — Payments tracker",
};

/** Wire the page: configuration, sign-in, the three screens and the hash navigation between them. */
async function start(): Promise<void> {
  const config = await loadConfig();
  const auth = new Auth(config);
  let session: Session | null = null;

  const signedOut = (message: string | null): void => {
    session = null;
    payments.clear();
    commitments.clear();
    report.clear();
    byId("sections").hidden = true;
    byId("account").hidden = true;
    byId("signed-in-as").textContent = "";
    for (const id of Object.values(VIEW_IDS)) {
      byId(id).hidden = true;
    }
    byId("signed-out-view").hidden = false;
    showText(byId("sign-in-error"), message);
    document.title = "Payments tracker";
  };

  const api = createApiClient(config.apiUrl, () => auth.accessToken(), () => {
    if (session !== null) {
      void auth.signOut();
      signedOut("Your session has ended. Please sign in again.");
    }
  });
  const payments = new PaymentsScreen(api, () => session);
  const report = new ReportScreen(api, config.termsVersion);
  const commitments = new CommitmentsScreen(api);
  // The commitments screen builds its own section and link: between Payments and the report.
  byId("report-view").before(commitments.section);
  byId("nav-report").closest("li")?.before(commitments.navItem);
  const opened = new Set<View>();

  const show = async (view: View): Promise<void> => {
    for (const [name, id] of Object.entries(VIEW_IDS)) {
      byId(id).hidden = name !== view;
    }
    for (const name of Object.keys(VIEW_IDS)) {
      const link = byId(`nav-${name}`);
      if (name === view) {
        link.setAttribute("aria-current", "page");
      } else {
        link.removeAttribute("aria-current");
      }
    }
    document.title = TITLES[view];
    if (view === "commitments") {
      await commitments.open(); // each time: payments submitted since change them
    } else if (!opened.has(view)) {
      opened.add(view);
      await (view === "payments" ? payments.open() : report.open());
    }
  };
  const currentView = (): View => {
    switch (window.location.hash) {
      case "#report":
        return "report";
      case "#commitments":
        return "commitments";
      default:
        return "payments";
    }
  };

  window.addEventListener("hashchange", () => {
    if (session !== null) {
      void show(currentView()).then(() => byId(`${currentView()}-heading`).focus());
    }
  });
  byId("sign-in").addEventListener("click", () => {
    void auth.signIn().catch(() => {
      showText(byId("sign-in-error"), "Could not reach the sign-in service. Please try again.");
    });
  });
  byId("sign-out").addEventListener("click", () => {
    void auth.signOut().then(() => {
      opened.clear();
      signedOut(null);
      announce("You are signed out.");
      byId("sign-in").focus();
    });
  });

  try {
    session = await auth.completeSignIn();
  } catch {
    signedOut("Sign-in did not complete. Please try again.");
    return;
  }
  if (session === null) {
    signedOut(null);
    return;
  }
  byId("signed-out-view").hidden = true;
  byId("sections").hidden = false;
  byId("account").hidden = false;
  byId("signed-in-as").textContent = `Signed in as ${session.email ?? "you"}`;
  announce("You are signed in.");
  await show(currentView());
}

start().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  showText(byId("sign-in-error"), `The page could not start: ${message}`);
});
