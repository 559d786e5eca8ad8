// The hosted demo's sign-in: Cognito's hosted UI with the authorization code flow and PKCE
// (RFC 7636). The page is a public client (no secret can hide in a browser), so the code is
// bound to a one-time verifier that never leaves this tab until the token request: a code
// caught on the way back (history, logs, a referrer) cannot be exchanged by anyone else.
// Everything lives in sessionStorage: one tab, gone when it closes.

const TOKEN_KEY = "gamify.idToken";
const PENDING_KEY = "gamify.signIn";
const SCOPES = "openid email profile";
const ANSWER_PARAMS = ["code", "state", "error", "error_description"];

/** A sign-in that went wrong, with a message for the person at the screen. */
export class SignInError extends Error {}

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `bytes` random bytes, base64url: 32 give the 43-character verifier RFC 7636 recommends. */
export function randomString(bytes = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The S256 code challenge: base64url(SHA-256(verifier)). */
export async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The claims of a JWT, unverified (the API verifies it; the page only shows who and when). */
export function claimsOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, "=")));
  } catch {
    return {};
  }
}

/** The ID token this tab holds, unless it has expired (then it is forgotten). */
export function storedToken() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  const { exp } = claimsOf(token);
  if (typeof exp === "number" && exp * 1000 <= Date.now()) {
    sessionStorage.removeItem(TOKEN_KEY);
    return null;
  }
  return token;
}

export function keepToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Cognito's hosted UI at `domain` (https://<prefix>.auth.<region>.amazoncognito.com). */
export class HostedSignIn {
  constructor({ domain, clientId, redirectUri }) {
    this.domain = domain.replace(/\/+$/, "");
    this.clientId = clientId;
    this.redirectUri = redirectUri;
  }

  /** Leave for the hosted UI, with a fresh verifier and state kept for the way back. */
  async start() {
    const verifier = randomString(32);
    const state = randomString(16);
    const challenge = await challengeOf(verifier);
    // The redirect URI is fixed (the client allows no other): the page's own parameters
    // (?lang, ?theme) wait here and come back with the answer.
    const back = location.search;
    sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, back }));
    const url = new URL(`${this.domain}/oauth2/authorize`);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: this.clientId,
      redirect_uri: this.redirectUri,
      scope: SCOPES,
      state,
      code_challenge: challenge,
      code_challenge_method: "S256",
    }).toString();
    location.assign(url.toString());
  }

  /**
   * Finish a sign-in if this page is the hosted UI's answer (`?code&state` or `?error`):
   * returns the ID token, null when the URL is no answer, or throws a SignInError. The answer
   * is removed from the URL first, so neither a reload nor a bookmark can replay the code.
   */
  async complete() {
    const answer = new URLSearchParams(location.search);
    const code = answer.get("code");
    const error = answer.get("error");
    if (!code && !error) return null;
    const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null");
    sessionStorage.removeItem(PENDING_KEY); // a verifier and a state serve one sign-in only
    stripFromUrl(ANSWER_PARAMS, pending?.back);
    if (error) {
      throw new SignInError(`Sign-in failed: ${answer.get("error_description") || error}.`);
    }
    if (!pending || answer.get("state") !== pending.state) {
      throw new SignInError(
        "Sign-in refused: this answer does not belong to a sign-in started in this tab " +
          "(state mismatch). Sign in again.",
      );
    }
    const response = await fetch(`${this.domain}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: this.clientId,
        code,
        redirect_uri: this.redirectUri,
        code_verifier: pending.verifier,
      }),
    }).catch(() => null);
    const body = response ? await response.json().catch(() => ({})) : {};
    if (!response?.ok || typeof body.id_token !== "string") {
      const why = response ? `${response.status} ${body.error ?? ""}`.trim() : "no answer";
      throw new SignInError(`Sign-in refused by the token endpoint (${why}). Sign in again.`);
    }
    keepToken(body.id_token);
    return body.id_token;
  }

  /** Forget the token here and end the hosted UI's session, which sends the browser back. */
  signOut() {
    forgetToken();
    const url = new URL(`${this.domain}/logout`);
    url.search = new URLSearchParams({
      client_id: this.clientId,
      logout_uri: this.redirectUri,
    }).toString();
    location.assign(url.toString());
  }
}

function stripFromUrl(names, search) {
  const url = new URL(location.href);
  if (typeof search === "string") url.search = search;
  for (const name of names) url.searchParams.delete(name);
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}
