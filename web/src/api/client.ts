import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Problem = components["schemas"]["Problem"];
export type FieldProblem = components["schemas"]["FieldProblem"];
export type PaymentView = components["schemas"]["PaymentView"];
export type PaymentSubmission = components["schemas"]["PaymentSubmission"];
export type CurrencyCode = components["schemas"]["CurrencyCode"];
export type MonthReportView = components["schemas"]["MonthReport"];
export type CommitmentView = components["schemas"]["CommitmentReport"];
export type LiveCommitmentView = components["schemas"]["LiveCommitmentView"];
export type CommitmentPatch = components["schemas"]["CommitmentPatchBody"];
export type Cadence = LiveCommitmentView["cadence"];
export type ConsentView = components["schemas"]["ConsentView"];

/** The API client: every call typed from docs/api/openapi.json, with the caller's access token. */
export type ApiClient = ReturnType<typeof createClient<paths>>;

/**
 * A client of the API at `baseUrl` that sends `Authorization: Bearer <token>` when signed in and
 * calls `unauthorized` when the API answers 401 (the token expired or was revoked).
 */
export function createApiClient(
  baseUrl: string,
  accessToken: () => Promise<string | null>,
  unauthorized: () => void,
): ApiClient {
  const client = createClient<paths>({ baseUrl });
  const bearer: Middleware = {
    async onRequest({ request }) {
      const token = await accessToken();
      if (token !== null) {
        request.headers.set("Authorization", `Bearer ${token}`);
      }
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) {
        unauthorized();
      }
      return response;
    },
  };
  client.use(bearer);
  return client;
}

/** A problem+json body, or one made up for an answer that carried none (a proxy's HTML page). */
export function asProblem(error: unknown, response: Response): Problem {
  if (typeof error === "object" && error !== null && "title" in error && "status" in error) {
    return error as Problem;
  }
  return {
    type: "about:blank",
    title: response.statusText || "Request failed",
    status: response.status,
    detail: `The API answered HTTP ${response.status}.`,
    instance: response.headers.get("x-amzn-RequestId"),
  };
}
