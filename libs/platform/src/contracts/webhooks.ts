/** Webhook subscriptions and their deliveries over REST (GET /api/webhooks/...): never the signing secret. */

export interface WebhookInfo {
  id: string;
  name: string;
  url: string;
  events: string[];
  pathPrefixes: string[];
  enabled: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookAttempt {
  attempt: number;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  responseBody: string | null;
  startedAt: string;
}

export type WebhookDeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'dead';

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventId: string | null;
  eventType: string;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  maxAttempts: number;
  redeliveries: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  completedAt: string | null;
  createdAt: string;
  attempts: WebhookAttempt[];
}
