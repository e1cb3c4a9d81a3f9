/**
 * JSON requests to the draft endpoints (webapp/modeler/drafts.py) with the session cookie
 * and the CSRF header; a refusal becomes a RequestError carrying the server's
 * {"error": {"code", "message", "details"}} so callers can tell a conflict (409) from a
 * refused form (400 invalid_form) from a lost connection (status 0).
 */

export class RequestError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || null;
    this.details = error.details || {};
    this.text = error.text || null;  // a translated message, when the server gives one
  }
}

export function makeRequester(csrfToken) {
  return async function request(url, { method = "GET", body } = {}) {
    const headers = { Accept: "application/json", "X-CSRFToken": csrfToken };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    let response;
    try {
      response = await fetch(url, {
        method, headers, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new RequestError(0, null);  // offline, or the server is down
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) { throw new RequestError(response.status, data); }
    return data;
  };
}
