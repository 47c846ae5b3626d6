/** Runtime settings, read from /config.json next to the page, so one build serves every stack. */
export interface RuntimeConfig {
  /** Base URL of the API, e.g. http://127.0.0.1:3000 or https://…/v1. */
  readonly apiUrl: string;
  /** The user pool's issuer (the `iss` of its tokens). */
  readonly issuer: string;
  /** OAuth 2.0 endpoints, given explicitly: cognito-local's discovery document names localhost. */
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /** Cognito managed login's /logout, or null where the provider has none (cognito-local). */
  readonly logoutEndpoint: string | null;
  /** The `web` app client: public, authorization code + PKCE. */
  readonly clientId: string;
  readonly scope: string;
  /** The version of the credit-file sharing terms this page shows and asks consent to. */
  readonly termsVersion: string;
}

function text(source: Record<string, unknown>, key: string): string {
  const value = source[key];
  if (typeof value !== "string" || value === "") {
    throw new Error(`config.json: "${key}" must be a non-empty string`);
  }
  return value;
}

/** Parse the JSON of config.json, failing loudly on a missing setting. */
export function parseConfig(raw: unknown): RuntimeConfig {
  if (typeof raw !== "object" || raw === null) {
    throw new Error("config.json must hold a JSON object");
  }
  const source = raw as Record<string, unknown>;
  const logout = source["logoutEndpoint"];
  return {
    apiUrl: text(source, "apiUrl").replace(/\/+$/, ""),
    issuer: text(source, "issuer"),
    authorizationEndpoint: text(source, "authorizationEndpoint"),
    tokenEndpoint: text(source, "tokenEndpoint"),
    logoutEndpoint: typeof logout === "string" && logout !== "" ? logout : null,
    clientId: text(source, "clientId"),
    scope: typeof source["scope"] === "string" ? source["scope"] : "openid email",
    termsVersion: text(source, "termsVersion"),
  };
}

/** Fetch and parse /config.json (never cached: it changes with the stack, not the build). */
export async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch(new URL("config.json", document.baseURI), { cache: "no-store" });
  if (!response.ok) {
    throw new Error(`config.json: HTTP ${response.status}`);
  }
  return parseConfig(await response.json());
}
