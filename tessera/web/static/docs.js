// Starts the bundled Swagger UI on Tessera's own schema (kept out of the page: CSP).
"use strict";
window.addEventListener("load", function () {
  window.SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger" });
});
