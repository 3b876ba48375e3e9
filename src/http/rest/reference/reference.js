// The REST API reference: Swagger UI (served by this server from its swagger-ui-dist dependency)
// rendering /v1/openapi.json. Nothing is loaded from elsewhere: no online validator badge.
/* global window, SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: '/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  validatorUrl: null,
  tryItOutEnabled: false,
});
