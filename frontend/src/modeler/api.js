/**
 * JSON requests to the modeler's endpoints (webapp/modeler/drafts.py): the session cookie,
 * the CSRF header Flask-WTF reads, and errors as the server words them
 * (`{"error": {"code", "message", "details"}}`) turned into an ApiError.
 */

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || "";
    this.details = details || {};
  }
}

/** The request could not reach the server at all (offline, server down). */
export class NetworkError extends Error {}

export function makeApi(csrfToken) {
  async function request(method, url, body, options = {}) {
    const headers = { Accept: "application/json", "X-CSRFToken": csrfToken };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
        keepalive: Boolean(options.keepalive),
      });
    } catch (error) {
      throw new NetworkError(error.message);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      const error = (data && data.error) || {};
      throw new ApiError(response.status, error.code, error.message, error.details);
    }
    return data;
  }

  return {
    get: (url) => request("GET", url),
    put: (url, body, options) => request("PUT", url, body, options),
    post: (url, body, options) => request("POST", url, body, options),
  };
}
