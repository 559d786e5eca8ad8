// One HTTP call to the API, shared by the widgets and GamifyClient: the Authorization header,
// JSON in and out, conditional GETs, and errors as GamifyError.

export class GamifyError extends Error {
  /** @param {number} status @param {string} message @param {string | null} [code] the API's error code */
  constructor(status, message, code = null) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** @typedef {string | null | (() => string | null | Promise<string | null>)} TokenSource */

/**
 * One call. `etag` makes it conditional: a 304 comes back as {status: 304, etag, data: null}.
 * @param {{ apiBase: string, token: TokenSource, authScheme: string }} auth
 * @param {string} method @param {string} path
 * @param {{ body?: unknown, etag?: string | null }} [options]
 * @returns {Promise<{ status: number, etag: string | null, data: any }>}
 */
export async function call({ apiBase, token, authScheme }, method, path, { body, etag } = {}) {
  const value = typeof token === "function" ? await token() : token;
  if (!value) throw new GamifyError(401, "not signed in");
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json", Authorization: authScheme ? `${authScheme} ${value}` : value };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (etag) headers["If-None-Match"] = etag;
  const response = await fetch(apiBase + path, {
    method, headers, cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 304) return { status: 304, etag: etag ?? null, data: null };
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    throw new GamifyError(response.status, data?.error?.message ?? `HTTP ${response.status}`, data?.error?.code ?? null);
  }
  return { status: response.status, etag: response.headers.get("ETag"), data };
}
