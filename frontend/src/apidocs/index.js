/* The API documentation page (api/docs.html): swagger-ui over /api/v1/openapi.json.
 *
 * The page's container names the document (data-spec-url); swagger-ui fetches it from this
 * site (connect-src 'self') and renders every operation. No topbar or standalone preset
 * (their logo is an inline <style>), no validator badge (it would call an outside server),
 * no eval: swagger-ui styles through React's style props, which set the CSSOM and which
 * CSP allows, so the page runs under the site's strict policy (webapp/security.py).
 * "Try it out" sends requests to this API; a token goes in through "Authorize".
 */
import SwaggerUI from "swagger-ui";

import { onReady } from "../common/ready.js";

import "swagger-ui/dist/swagger-ui.css";
import "./apidocs.css";

onReady(() => {
  const root = document.getElementById("api-docs");
  if (!root) return;
  SwaggerUI({
    domNode: root,
    url: root.dataset.specUrl,
    deepLinking: false,
    validatorUrl: null,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    persistAuthorization: false,
    withCredentials: false,
    queryConfigEnabled: false,
  });
});
