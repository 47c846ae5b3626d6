import {
  InMemoryWebStorage,
  type User,
  UserManager,
  WebStorageStateStore,
} from "oidc-client-ts";
import type { RuntimeConfig } from "./config";

/** The signed-in customer, as the page needs them. */
export interface Session {
  readonly userId: string;
  readonly email: string | null;
}

/**
 * Sign-in with OAuth 2.0 authorization code + PKCE (S256) through oidc-client-ts.
 *
 * Tokens live in memory only (an InMemoryWebStorage user store): a reload or a new tab signs in
 * again, and nothing in localStorage or sessionStorage holds a token. Only the short-lived state of
 * a sign-in in progress (the PKCE verifier and `state`, until the provider redirects back) goes to
 * sessionStorage, as the page itself is unloaded during the redirect.
 */
export class Auth {
  private readonly manager: UserManager;

  constructor(private readonly config: RuntimeConfig) {
    const redirectUri = new URL("./", document.baseURI).href;
    this.manager = new UserManager({
      authority: config.issuer,
      metadata: {
        issuer: config.issuer,
        authorization_endpoint: config.authorizationEndpoint,
        token_endpoint: config.tokenEndpoint,
      },
      client_id: config.clientId,
      redirect_uri: redirectUri,
      post_logout_redirect_uri: redirectUri,
      response_type: "code",
      scope: config.scope,
      loadUserInfo: false,
      monitorSession: false,
      automaticSilentRenew: true,
      userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
      stateStore: new WebStorageStateStore({
        store: window.sessionStorage,
        prefix: "payments-tracker.signin.",
      }),
    });
  }

  /** Leave for the identity provider's login form; it comes back to this page with a code. */
  async signIn(): Promise<void> {
    await this.manager.signinRedirect();
  }

  /** Exchange the code if this load is the provider's redirect back; then clean the address bar. */
  async completeSignIn(): Promise<Session | null> {
    const query = new URLSearchParams(window.location.search);
    if (!query.has("state") || !(query.has("code") || query.has("error"))) {
      return null;
    }
    try {
      const user = await this.manager.signinRedirectCallback();
      return toSession(user);
    } finally {
      // Drop ?code=…&state=… so a reload or a bookmark never replays them.
      window.history.replaceState(null, "", window.location.pathname + window.location.hash);
    }
  }

  /** The current access token, or null when signed out or expired. */
  async accessToken(): Promise<string | null> {
    const user = await this.manager.getUser();
    return user !== null && !user.expired ? user.access_token : null;
  }

  /** Forget the tokens; with Cognito managed login, also end its session there. */
  async signOut(): Promise<void> {
    await this.manager.removeUser();
    const logout = this.config.logoutEndpoint;
    if (logout !== null) {
      const url = new URL(logout);
      url.searchParams.set("client_id", this.config.clientId);
      url.searchParams.set("logout_uri", new URL("./", document.baseURI).href);
      window.location.assign(url.href);
    }
  }
}

function toSession(user: User): Session {
  const email = user.profile.email;
  return { userId: user.profile.sub, email: typeof email === "string" ? email : null };
}
