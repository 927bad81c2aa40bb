// Careflow signs webhooks per Standard Webhooks: verify them with the official library.
export { Webhook, WebhookVerificationError } from 'standardwebhooks';
