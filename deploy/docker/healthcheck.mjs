// Container health probe for the Careflow image (Dockerfile HEALTHCHECK, docker-compose.yml).
// Usage: node deploy/docker/healthcheck.mjs [path]   (default /health/live)
// Exits 0 when http://127.0.0.1:<port><path> answers 2xx within the timeout, 1 otherwise.
// The port is the one the selected SERVICE listens on: GATEWAY_PORT for the gateway,
// PORT for the other services, each falling back to the documented local default.
const DEFAULT_PORTS = {
  gateway: 3000,
  tickets: 3001,
  'email-ingest': 3002,
  notifications: 3003,
  segmentation: 3004,
};

const service = process.env.SERVICE ?? 'gateway';
const path = process.argv[2] ?? '/health/live';
const port =
  (service === 'gateway' ? process.env.GATEWAY_PORT : process.env.PORT) || DEFAULT_PORTS[service] || 3000;
const timeoutMs = 4000; // below the probe timeouts set in the Dockerfile and compose file

try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) {
    console.error(`${service} ${path}: HTTP ${response.status} ${await response.text().catch(() => '')}`);
    process.exit(1);
  }
  process.exit(0);
} catch (error) {
  console.error(`${service} ${path}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
