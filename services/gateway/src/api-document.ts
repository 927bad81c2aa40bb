/** What the gateway publishes about its own routes: gateway-app.ts serves it, tools/generate-client.mjs builds the client from it. */
export const API_DOCUMENT = {
  title: 'Careflow gateway',
  description: 'API keys and system operations.',
} as const;
