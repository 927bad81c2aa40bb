#!/usr/bin/env node
// Checks the deployment files where no Docker engine or cluster is at hand:
//   (a) docker-compose.yml parses and validates against the Compose Specification schema
//       (tools/schemas/compose-spec.json, vendored);
//   (b) its app services build from ./Dockerfile (target runtime, build arg SERVICE), have
//       healthchecks, wait for healthy Postgres and Redis, publish no port but the gateway's,
//       and use only the configuration names of API.md ("Configuration") and the config classes;
//       a service split into API and worker replicas (WORKERS) has both, the API with
//       WORKERS_ENABLED=false and the worker, otherwise its mirror, with WORKERS_ENABLED=true;
//       every app listens on all interfaces (HOST=0.0.0.0: services default to loopback);
//   (c) deploy/k8s: every manifest parses, kustomization.yaml lists them all, every
//       Deployment has probes, resource requests/limits and a hardened securityContext, a
//       matching HorizontalPodAutoscaler and PodDisruptionBudget, and a matching Service, except
//       a worker Deployment (WORKERS), which no Service may select; no two Deployments'
//       selectors overlap; the API/worker pairs are as in (b), with the same image, config and
//       probes; every service has a Deployment that consumes its queues; every container's
//       HOST (env, else its envFrom ConfigMaps and Secrets) is 0.0.0.0;
//   (d) the Dockerfile has the stages deps, build and runtime, installs with every workspace
//       manifest copied first, builds with `npm run build`, and sets ENV HOST=0.0.0.0.
//
// Usage: node tools/check-deploy.mjs [--root DIR]
// Prints one summary line and exits 0, or lists every problem found and exits 1.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const argRoot = process.argv.indexOf('--root');
const ROOT = path.resolve(
  argRoot > 0 ? process.argv[argRoot + 1] : path.join(path.dirname(fileURLToPath(import.meta.url)), '..'),
);
const require = createRequire(import.meta.url);

/** The five applications, their package directory under services/ and their port. */
const APPS = {
  gateway: { port: 3000, portVar: 'GATEWAY_PORT' },
  tickets: { port: 3001, portVar: 'PORT', urlVar: 'TICKETS_URL' },
  'email-ingest': { port: 3002, portVar: 'PORT', urlVar: 'EMAIL_INGEST_URL' },
  notifications: { port: 3003, portVar: 'PORT', urlVar: 'NOTIFICATIONS_URL' },
  segmentation: { port: 3004, portVar: 'PORT', urlVar: 'SEGMENTATION_URL' },
};
const BACKENDS = Object.keys(APPS).filter((name) => name !== 'gateway');

/**
 * Services deployed as two kinds of replicas, scaled apart: the API (named after the service,
 * WORKERS_ENABLED=false: serves HTTP, consumes no queue) and the worker (this name,
 * WORKERS_ENABLED=true), in docker-compose.yml and deploy/k8s alike. The worker gets no
 * Service: the gateway reaches the API replicas only.
 */
const WORKERS = { notifications: 'notifications-worker' };
/** What tells the two kinds apart; everything else of theirs is the same. The worker relays the outbox. */
const ROLE_VARS = ['WORKERS_ENABLED', 'OUTBOX_RELAY_ENABLED'];
const WORKER_NAMES = new Set(Object.values(WORKERS));

/** API.md's configuration table, used when no copy of API.md is found beside the repository. */
const API_MD_FALLBACK = [
  'DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'MAIL_FROM', 'ADMIN_API_KEY', 'GATEWAY_PORT',
  'WEBHOOK_ALLOW_PRIVATE_URLS', 'LOG_LEVEL', 'TICKETS_URL', 'EMAIL_INGEST_URL',
  'NOTIFICATIONS_URL', 'SEGMENTATION_URL', 'PORT', 'INTERNAL_TOKEN', 'RATE_LIMIT_PER_MINUTE',
];
/** Names the deployment may set beyond API.md and the config classes. */
const EXTRA_ENV = ['PORT', 'MAIL_FROM', 'SHOP_NAME', 'SERVICE', 'NODE_ENV'];

/**
 * Services listen on loopback unless HOST says otherwise (only the gateway calls them, and
 * under `npm start` it runs beside them). In a container nothing would reach them there.
 */
const ANY_INTERFACE = ['0.0.0.0', '::'];

const problems = [];
const fail = (where, message) => problems.push(`${where}: ${message}`);
const rel = (file) => path.relative(ROOT, file) || '.';
const read = (file) => readFileSync(file, 'utf8');

function loadDependency(name) {
  try {
    return require(name);
  } catch (error) {
    console.error(`check-deploy: cannot load the '${name}' package (run npm ci): ${error.message}`);
    process.exit(2);
  }
}
const YAML = loadDependency('yaml');
const ajvModule = loadDependency('ajv');
const Ajv = ajvModule.default ?? ajvModule;
const ajvMajor = Number(String(loadDependency('ajv/package.json').version).split('.')[0]);

/** Parses every YAML document of a file (merge keys on, as Compose reads them); null on error. */
function parseYamlDocuments(file) {
  let docs;
  try {
    docs = YAML.parseAllDocuments(read(file), { merge: true, prettyErrors: true });
  } catch (error) {
    fail(rel(file), `YAML does not parse: ${error.message}`);
    return null;
  }
  let ok = true;
  for (const doc of docs) {
    for (const error of doc.errors ?? []) {
      fail(rel(file), `YAML error: ${error.message}`);
      ok = false;
    }
  }
  if (!ok) return null;
  return docs.map((doc) => (typeof doc.toJS === 'function' ? doc.toJS() : doc.toJSON())).filter((v) => v != null);
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A switch that is on unless set otherwise (WORKERS_ENABLED, OUTBOX_RELAY_ENABLED), as the config classes read it (parseBoolean, default true). */
const switchedOn = (value) => value == null || value === true || value === 'true' || value === '1';

/** JSON with sorted keys: compares parsed YAML regardless of key order. */
const canonical = (value) => JSON.stringify(value, (key, v) => (isObject(v)
  ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
  : v));

// ------------------------------------------------------------------------------------------
// Allowed configuration names.

function apiMdNames() {
  const candidates = ['API.md', 'docs/API.md', '../shared/API.md'].map((p) => path.join(ROOT, p));
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const text = read(file);
    const start = text.search(/^##\s+Configuration\b/m);
    if (start < 0) continue;
    const section = text.slice(start).split(/\n##\s/)[0];
    const names = new Set();
    for (const line of section.split('\n')) {
      if (!line.startsWith('|')) continue;
      const firstCell = line.split('|')[1] ?? '';
      for (const m of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(m[1]);
    }
    if (names.size > 0) return { names, source: rel(file) };
  }
  return { names: new Set(API_MD_FALLBACK), source: 'built-in copy of API.md' };
}

/** Upper-case fields of the config classes (CommonConfig, ServiceConfig, each service's). */
function configClassNames() {
  const names = new Set();
  const files = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(full);
      } else if (/\.config\.ts$/.test(entry.name) || /\/config\/[^/]+\.ts$/.test(full)) {
        files.push(full);
      }
    }
  };
  for (const top of ['libs', 'services']) {
    const dir = path.join(ROOT, top);
    if (!existsSync(dir)) continue;
    for (const pkg of readdirSync(dir)) walk(path.join(dir, pkg, 'src'));
  }
  for (const file of files) {
    const text = read(file);
    if (!/class\s+\w+/.test(text)) continue;
    for (const m of text.matchAll(/^\s+(?:(?:override|readonly|public|declare)\s+)*([A-Z][A-Z0-9_]*)[!?]?\s*[:=]/gm)) {
      names.add(m[1]);
    }
  }
  return names;
}

const apiMd = apiMdNames();
const ALLOWED_ENV = new Set([...apiMd.names, ...configClassNames(), ...EXTRA_ENV]);

function checkEnvName(where, name) {
  if (!ALLOWED_ENV.has(name)) {
    fail(where, `environment variable ${name} is not a documented configuration name (API.md "Configuration", a config class, or ${EXTRA_ENV.join('/')})`);
  }
}

// ------------------------------------------------------------------------------------------
// (a) + (b) docker-compose.yml

/** Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, $VAR; $$ is a literal $. */
function interpolate(value, seen) {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^}\\]|\\.)*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (match, braced, op, arg, bare) => {
        if (match === '$$') return '$';
        const name = braced ?? bare;
        seen.add(name);
        const env = process.env[name];
        if (op === ':-' || op === '-') return env ?? arg ?? '';
        return env ?? '';
      });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, seen));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, seen)]));
  return value;
}

function normalizeEnvironment(environment) {
  if (Array.isArray(environment)) {
    return Object.fromEntries(environment.map((item) => {
      const [key, ...rest] = String(item).split('=');
      return [key, rest.length ? rest.join('=') : undefined];
    }));
  }
  return isObject(environment) ? environment : {};
}

function normalizeDependsOn(dependsOn) {
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((name) => [name, { condition: 'service_started' }]));
  return isObject(dependsOn) ? dependsOn : {};
}

function composeSchemaValidator() {
  const schemaFile = path.join(ROOT, 'tools/schemas/compose-spec.json');
  if (!existsSync(schemaFile)) {
    fail('tools/schemas/compose-spec.json', 'missing (the vendored Compose Specification schema)');
    return null;
  }
  const schema = JSON.parse(read(schemaFile));
  // The file names draft 2019-09 but uses only draft-07 keywords, with draft-04 style `id`s
  // that are documentation. Validate it as draft-07 (what both ajv 6 and 8 speak natively).
  const strip = (node) => {
    if (Array.isArray(node)) return node.map(strip);
    if (!isObject(node)) return node;
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'id' || key === '$schema') && typeof value === 'string') continue;
      out[key] = strip(value);
    }
    return out;
  };
  const options = ajvMajor >= 8
    ? { allErrors: true, strict: false }
    : { allErrors: true, schemaId: 'auto', unknownFormats: 'ignore' };
  const ajv = new Ajv(options);
  // Compose's own formats (compose-go): Go durations, port specs, CIDR subnets.
  ajv.addFormat('duration', /^[-+]?(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^(?:(?:\[[0-9A-Fa-f:.]+\]|[0-9A-Za-z.-]+):)?(?:\d+(?:-\d+)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9A-Fa-f:.]+\/\d{1,3}$/);
  return ajv.compile(strip(schema));
}

function checkCompose() {
  const file = path.join(ROOT, 'docker-compose.yml');
  if (!existsSync(file)) {
    fail('docker-compose.yml', 'missing');
    return { services: 0 };
  }
  const docs = parseYamlDocuments(file);
  if (!docs) return { services: 0 };
  if (docs.length !== 1 || !isObject(docs[0])) {
    fail('docker-compose.yml', 'must hold exactly one YAML mapping');
    return { services: 0 };
  }
  const referenced = new Set();
  const compose = interpolate(docs[0], referenced);
  for (const name of referenced) checkEnvName('docker-compose.yml interpolation', name);

  // (a) the Compose Specification schema
  const validate = composeSchemaValidator();
  if (validate && !validate(compose)) {
    for (const error of validate.errors.slice(0, 25)) {
      const at = error.instancePath ?? error.dataPath ?? '';
      fail('docker-compose.yml (compose-spec schema)', `${at || '/'} ${error.message}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`);
    }
  }

  // (b) semantics
  const services = isObject(compose.services) ? compose.services : {};
  const where = (name) => `docker-compose.yml services.${name}`;

  const postgres = services.postgres;
  if (!postgres) fail('docker-compose.yml', 'no postgres service');
  else {
    if (!/^postgres:16(\b|\.|-|$)/.test(String(postgres.image ?? ''))) fail(where('postgres'), `image should be postgres:16, is ${postgres.image}`);
    if (!JSON.stringify(postgres.healthcheck?.test ?? '').includes('pg_isready')) fail(where('postgres'), 'healthcheck must run pg_isready');
  }
  const redis = services.redis;
  if (!redis) fail('docker-compose.yml', 'no redis service');
  else {
    if (!/^redis:7(\b|\.|-|$)/.test(String(redis.image ?? ''))) fail(where('redis'), `image should be redis:7, is ${redis.image}`);
    const command = Array.isArray(redis.command) ? redis.command.join(' ') : String(redis.command ?? '');
    if (!/--appendonly\s+yes/.test(command)) fail(where('redis'), 'command must enable AOF (--appendonly yes)');
    if (!JSON.stringify(redis.healthcheck?.test ?? '').includes('ping')) fail(where('redis'), 'healthcheck must run redis-cli ping');
  }
  const mailpit = Object.entries(services).find(([, s]) => String(s.image ?? '').startsWith('axllent/mailpit'));
  if (!mailpit) fail('docker-compose.yml', 'no Mailpit (axllent/mailpit) service');

  // Every app service, and each worker service with its app's checks (same build arg SERVICE).
  const appServices = [
    ...Object.keys(APPS).map((name) => [name, name]),
    ...Object.entries(WORKERS).map(([appName, worker]) => [worker, appName]),
  ];
  for (const [name, appName] of appServices) {
    const app = APPS[appName];
    const service = services[name];
    if (!service) {
      fail('docker-compose.yml', `no ${name} service${WORKER_NAMES.has(name) ? ` (the worker replicas of ${appName}, WORKERS_ENABLED=true)` : ''}`);
      continue;
    }
    const build = service.build;
    if (!isObject(build)) fail(where(name), 'must build from ./Dockerfile (build: { context, target, args })');
    else {
      if (!['.', './'].includes(String(build.context ?? '.'))) fail(where(name), `build.context must be the repository root, is ${build.context}`);
      if (!['Dockerfile', './Dockerfile'].includes(String(build.dockerfile ?? 'Dockerfile'))) fail(where(name), `build.dockerfile must be ./Dockerfile, is ${build.dockerfile}`);
      if (build.target !== 'runtime') fail(where(name), `build.target must be runtime, is ${build.target}`);
      const args = normalizeEnvironment(build.args);
      if (args.SERVICE !== appName) fail(where(name), `build.args.SERVICE must be ${appName}, is ${args.SERVICE}`);
    }
    const test = service.healthcheck?.test;
    if (!test || service.healthcheck?.disable === true || (Array.isArray(test) && test[0] === 'NONE')) fail(where(name), 'needs a healthcheck');
    else if (!JSON.stringify(test).includes('/health')) fail(where(name), 'healthcheck must probe /health');
    const healthScript = JSON.stringify(test ?? '').match(/deploy\/docker\/[\w.-]+/);
    if (healthScript && !existsSync(path.join(ROOT, healthScript[0]))) fail(where(name), `healthcheck runs ${healthScript[0]}, which does not exist`);

    const dependsOn = normalizeDependsOn(service.depends_on);
    for (const dep of ['postgres', 'redis', ...(name === 'gateway' ? BACKENDS : [])]) {
      if (dependsOn[dep]?.condition !== 'service_healthy') fail(where(name), `depends_on.${dep} must have condition: service_healthy`);
    }

    const env = normalizeEnvironment(service.environment);
    for (const key of Object.keys(env)) checkEnvName(`${where(name)}.environment`, key);
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'INTERNAL_TOKEN', 'SMTP_URL', 'MAIL_FROM', 'LOG_LEVEL']) {
      if (env[key] === undefined) fail(where(name), `environment must set ${key}`);
    }
    if (String(env[app.portVar]) !== String(app.port)) fail(where(name), `environment ${app.portVar} must be ${app.port}, is ${env[app.portVar]}`);
    if (!ANY_INTERFACE.includes(String(env.HOST))) fail(where(name), `environment HOST must be 0.0.0.0 (on loopback, the default, nothing outside the container reaches it), is ${env.HOST ?? '(unset)'}`);
    if (String(env.INTERNAL_TOKEN ?? '').length > 0 && String(env.INTERNAL_TOKEN).length < 16) fail(where(name), 'INTERNAL_TOKEN must be at least 16 characters');
    if (name === 'gateway') {
      for (const backend of BACKENDS) {
        const expected = `http://${backend}:${APPS[backend].port}`;
        const actual = String(env[APPS[backend].urlVar] ?? '').replace(/\/$/, '');
        if (actual !== expected) fail(where(name), `${APPS[backend].urlVar} must be ${expected}, is ${actual || '(unset)'}`);
      }
    }
  }

  // API and worker replicas: the API consumes no queue, the worker is its mirror with workers on.
  for (const [appName, worker] of Object.entries(WORKERS)) {
    const api = services[appName];
    const wrk = services[worker];
    if (!api || !wrk) continue; // reported above
    const apiEnv = normalizeEnvironment(api.environment);
    const wrkEnv = normalizeEnvironment(wrk.environment);
    if (String(apiEnv.WORKERS_ENABLED) !== 'false') fail(where(appName), `environment WORKERS_ENABLED must be "false" (${worker} consumes the queues), is ${apiEnv.WORKERS_ENABLED ?? '(unset)'}`);
    if (String(wrkEnv.WORKERS_ENABLED) !== 'true') fail(where(worker), `environment WORKERS_ENABLED must be "true", is ${wrkEnv.WORKERS_ENABLED ?? '(unset)'}`);
    if (!switchedOn(wrkEnv.OUTBOX_RELAY_ENABLED)) fail(where(worker), 'environment OUTBOX_RELAY_ENABLED must be on (unset or "true"): the workers relay the outbox');
    const withoutRole = (env) => Object.fromEntries(Object.entries(env).filter(([k]) => !ROLE_VARS.includes(k)));
    if (canonical(withoutRole(apiEnv)) !== canonical(withoutRole(wrkEnv))) fail(where(worker), `environment must be ${appName}'s but for ${ROLE_VARS.join(' and ')}`);
    for (const key of ['build', 'healthcheck']) {
      if (canonical(api[key]) !== canonical(wrk[key])) fail(where(worker), `${key} must be ${appName}'s`);
    }
    if (canonical(normalizeDependsOn(api.depends_on)) !== canonical(normalizeDependsOn(wrk.depends_on))) fail(where(worker), `depends_on must be ${appName}'s`);
  }
  // Some service consumes each app's queues.
  for (const appName of Object.keys(APPS)) {
    const consumers = Object.values(services).filter((svc) => normalizeEnvironment(svc.build?.args).SERVICE === appName
      && switchedOn(normalizeEnvironment(svc.environment).WORKERS_ENABLED));
    if (consumers.length === 0) fail('docker-compose.yml', `no service with SERVICE=${appName} runs with WORKERS_ENABLED=true: its queues would never be consumed`);
  }

  // Only the gateway and Mailpit's web inbox publish ports.
  for (const [name, service] of Object.entries(services)) {
    const ports = service.ports ?? [];
    const allowed = name === 'gateway' ? ['3000'] : mailpit && name === mailpit[0] ? ['8025'] : [];
    for (const port of ports) {
      const target = isObject(port) ? String(port.target) : String(port).split('/')[0].split(':').pop();
      if (!allowed.includes(target)) fail(where(name), `publishes port ${JSON.stringify(port)}; only the gateway (3000) and Mailpit's inbox (8025) may`);
    }
    if (name === 'gateway' && ports.length === 0) fail(where(name), 'must publish port 3000');
  }
  return { services: Object.keys(services).length };
}

// ------------------------------------------------------------------------------------------
// (c) deploy/k8s

const K8S_DIR = path.join(ROOT, 'deploy/k8s');

function selectorMatches(selector, labels) {
  return isObject(selector) && Object.keys(selector).length > 0
    && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function checkK8s() {
  const kustomizationFile = path.join(K8S_DIR, 'kustomization.yaml');
  if (!existsSync(kustomizationFile)) {
    fail('deploy/k8s', 'kustomization.yaml missing');
    return { objects: 0 };
  }
  const kustomization = parseYamlDocuments(kustomizationFile)?.[0] ?? {};
  const resources = Array.isArray(kustomization.resources) ? kustomization.resources : [];
  const onDisk = readdirSync(K8S_DIR).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
  for (const f of onDisk) if (!resources.includes(f)) fail('deploy/k8s/kustomization.yaml', `resources does not list ${f}`);
  for (const f of resources) if (!existsSync(path.join(K8S_DIR, f))) fail('deploy/k8s/kustomization.yaml', `lists ${f}, which does not exist`);

  const objects = [];
  for (const f of resources) {
    const file = path.join(K8S_DIR, f);
    if (!existsSync(file) || !statSync(file).isFile()) continue;
    for (const obj of parseYamlDocuments(file) ?? []) {
      const where = `deploy/k8s/${f} ${obj?.kind ?? '?'}/${obj?.metadata?.name ?? '?'}`;
      if (!isObject(obj) || !obj.apiVersion || !obj.kind || !obj.metadata?.name) {
        fail(`deploy/k8s/${f}`, 'every document needs apiVersion, kind and metadata.name');
        continue;
      }
      objects.push({ obj, where, file: f });
    }
  }
  const byKind = (kind) => objects.filter((o) => o.obj.kind === kind);
  const names = (kind) => new Set(byKind(kind).map((o) => o.obj.metadata.name));
  const seen = new Set();
  for (const { obj, where } of objects) {
    const key = `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    if (seen.has(key)) fail(where, 'defined twice');
    seen.add(key);
  }

  if (!names('Namespace').has('careflow')) fail('deploy/k8s', 'no Namespace careflow');
  if (kustomization.namespace !== 'careflow') fail('deploy/k8s/kustomization.yaml', 'namespace must be careflow');
  const configMaps = names('ConfigMap');
  const secrets = names('Secret');
  for (const { obj, where } of byKind('ConfigMap')) for (const k of Object.keys(obj.data ?? {})) checkEnvName(where, k);
  const secret = byKind('Secret').find((o) => o.obj.metadata.name === 'careflow-secrets');
  if (!secret) fail('deploy/k8s', 'no Secret careflow-secrets');
  else {
    for (const k of ['DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'INTERNAL_TOKEN', 'ADMIN_API_KEY']) {
      if (!(k in (secret.obj.stringData ?? {})) && !(k in (secret.obj.data ?? {}))) fail(secret.where, `must define ${k}`);
    }
    for (const k of Object.keys({ ...secret.obj.data, ...secret.obj.stringData })) checkEnvName(secret.where, k);
  }

  const deployments = byKind('Deployment');
  const services = byKind('Service');
  const hpas = byKind('HorizontalPodAutoscaler');
  const pdbs = byKind('PodDisruptionBudget');
  const podLabelsOf = (d) => d.obj.spec?.template?.metadata?.labels ?? {};
  const containersOf = (d) => d.obj.spec?.template?.spec?.containers ?? [];
  const envValue = (c, name) => (c.env ?? []).find((e) => e.name === name)?.value;
  /** A container's variable as the process sees it: env, else its envFrom ConfigMaps and Secrets (undefined: unset). */
  const effectiveEnv = (c, name) => {
    if ((c.env ?? []).some((e) => e.name === name)) return envValue(c, name);
    let value; // the last envFrom source defining it wins
    for (const from of c.envFrom ?? []) {
      const prefix = from.prefix ?? '';
      if (!name.startsWith(prefix)) continue;
      const key = name.slice(prefix.length);
      const ref = from.configMapRef ?? from.secretRef;
      const source = ref && byKind(from.configMapRef ? 'ConfigMap' : 'Secret').find((o) => o.obj.metadata.name === ref.name)?.obj;
      const v = source?.stringData?.[key] ?? source?.data?.[key];
      if (v !== undefined) value = from.secretRef && source?.stringData?.[key] === undefined ? Buffer.from(String(v), 'base64').toString() : v;
    }
    return value;
  };
  /** A container's WORKERS_ENABLED as the process sees it, the default included. */
  const effectiveWorkers = (c) => switchedOn(effectiveEnv(c, 'WORKERS_ENABLED'));

  // Overlapping selectors let one Deployment's ReplicaSets, HPA (which averages over the scale
  // selector) and rollout count the other's pods.
  for (const d of deployments) {
    for (const other of deployments) {
      if (other !== d && selectorMatches(d.obj.spec?.selector?.matchLabels, podLabelsOf(other))) {
        fail(d.where, `spec.selector.matchLabels also selects the pods of Deployment ${other.obj.metadata.name}`);
      }
    }
  }
  for (const { obj, where } of [...services, ...pdbs]) {
    const selector = obj.kind === 'Service' ? obj.spec?.selector : obj.spec?.selector?.matchLabels;
    const selected = deployments.filter((d) => selectorMatches(selector, podLabelsOf(d))).map((d) => d.obj.metadata.name);
    if (selected.length > 1) fail(where, `selects the pods of several Deployments (${selected.join(', ')})`);
  }

  for (const { obj, where } of deployments) {
    const name = obj.metadata.name;
    const spec = obj.spec ?? {};
    const podLabels = spec.template?.metadata?.labels ?? {};
    const pod = spec.template?.spec ?? {};
    if (!selectorMatches(spec.selector?.matchLabels, podLabels)) fail(where, 'spec.selector.matchLabels must select the pod template labels');
    if (!(spec.replicas >= 2)) fail(where, 'needs at least 2 replicas');
    const containers = pod.containers ?? [];
    if (containers.length === 0) fail(where, 'has no containers');
    const containerPorts = new Map();
    for (const c of containers) {
      const cw = `${where} container ${c.name}`;
      for (const p of c.ports ?? []) {
        containerPorts.set(String(p.containerPort), p);
        if (p.name) containerPorts.set(p.name, p);
      }
      for (const [probe, pathExpected] of [['readinessProbe', '/health/ready'], ['livenessProbe', '/health/live'], ['startupProbe', null]]) {
        const pr = c[probe];
        if (!pr) fail(cw, `needs a ${probe}`);
        else if (pathExpected && pr.httpGet?.path !== pathExpected) fail(cw, `${probe} must GET ${pathExpected}, gets ${pr.httpGet?.path}`);
        else if (pr.httpGet && !containerPorts.has(String(pr.httpGet.port))) fail(cw, `${probe} port ${pr.httpGet.port} is not a container port`);
      }
      for (const part of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (c.resources?.[part]?.[resource] === undefined) fail(cw, `needs resources.${part}.${resource}`);
        }
      }
      if (!(c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot)) fail(cw, 'must set runAsNonRoot');
      if (c.securityContext?.readOnlyRootFilesystem !== true) fail(cw, 'must set readOnlyRootFilesystem: true');
      const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
      for (const e of c.env ?? []) checkEnvName(cw, e.name);
      if (!(env.SERVICE in APPS)) fail(cw, `env SERVICE must name one of ${Object.keys(APPS).join(', ')}, is ${env.SERVICE}`);
      else {
        const app = APPS[env.SERVICE];
        if (!containerPorts.has(String(app.port))) fail(cw, `must expose port ${app.port} for ${env.SERVICE}`);
        if (app.portVar === 'PORT' && String(env.PORT) !== String(app.port)) fail(cw, `env PORT must be ${app.port}`);
      }
      if (!String(c.image ?? '').startsWith('ghcr.io/careflow/careflow')) fail(cw, `image must be ghcr.io/careflow/careflow, is ${c.image}`);
      const host = effectiveEnv(c, 'HOST');
      if (!ANY_INTERFACE.includes(String(host))) fail(cw, `HOST must be 0.0.0.0 (env or its ConfigMap; on loopback, the default, neither the gateway nor the probes reach it), is ${host ?? '(unset)'}`);
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef && !configMaps.has(from.configMapRef.name)) fail(cw, `envFrom ConfigMap ${from.configMapRef.name} is not defined`);
        if (from.secretRef && !secrets.has(from.secretRef.name)) fail(cw, `envFrom Secret ${from.secretRef.name} is not defined`);
      }
      if (!(c.envFrom ?? []).some((f) => f.configMapRef) || !(c.envFrom ?? []).some((f) => f.secretRef)) fail(cw, 'needs envFrom a ConfigMap and a Secret');
    }

    const svc = services.find((s) => selectorMatches(s.obj.spec?.selector, podLabels));
    if (WORKER_NAMES.has(name)) {
      // Queue consumers: the gateway reaches the API pods only, through the API's Service.
      if (svc) fail(svc.where, `selects the pods of worker Deployment ${name}; no Service may route to the workers`);
    } else if (!svc) fail(where, 'no Service selects its pods');
    else {
      if ((svc.obj.spec?.type ?? 'ClusterIP') !== 'ClusterIP') fail(svc.where, 'must be ClusterIP');
      for (const p of svc.obj.spec?.ports ?? []) {
        if (!containerPorts.has(String(p.targetPort ?? p.port))) fail(svc.where, `targetPort ${p.targetPort ?? p.port} is not a port of Deployment ${name}`);
      }
    }
    const hpa = hpas.find((h) => h.obj.spec?.scaleTargetRef?.kind === 'Deployment' && h.obj.spec?.scaleTargetRef?.name === name);
    if (!hpa) fail(where, 'no HorizontalPodAutoscaler targets it');
    else {
      if (hpa.obj.apiVersion !== 'autoscaling/v2') fail(hpa.where, 'must be autoscaling/v2');
      const { minReplicas, maxReplicas, metrics = [] } = hpa.obj.spec;
      if (!(minReplicas >= 2 && maxReplicas >= minReplicas)) fail(hpa.where, 'needs minReplicas >= 2 and maxReplicas >= minReplicas');
      if (!metrics.some((m) => m.resource?.name === 'cpu' && m.resource?.target?.averageUtilization > 0)) fail(hpa.where, 'needs a CPU utilization target');
    }
    if (!pdbs.some((p) => selectorMatches(p.obj.spec?.selector?.matchLabels, podLabels))) fail(where, 'no PodDisruptionBudget selects its pods');
  }

  const servingDeployments = deployments.filter((d) => !WORKER_NAMES.has(d.obj.metadata.name));
  const deployedApps = new Set(servingDeployments.flatMap((d) => containersOf(d).map((c) => envValue(c, 'SERVICE'))));
  for (const app of Object.keys(APPS)) if (!deployedApps.has(app)) fail('deploy/k8s', `no Deployment with a Service runs SERVICE=${app}`);
  // Some Deployment consumes each app's queues.
  for (const app of Object.keys(APPS)) {
    if (!deployments.some((d) => containersOf(d).some((c) => envValue(c, 'SERVICE') === app && effectiveWorkers(c)))) {
      fail('deploy/k8s', `no Deployment runs SERVICE=${app} with WORKERS_ENABLED=true: its queues would never be consumed`);
    }
  }

  // API and worker replicas: the API Deployment consumes no queue; the worker Deployment runs the
  // same container (image, command, config, ports, probes) with WORKERS_ENABLED=true.
  for (const [app, worker] of Object.entries(WORKERS)) {
    const api = deployments.find((d) => d.obj.metadata.name === app);
    const wrk = deployments.find((d) => d.obj.metadata.name === worker);
    if (!api) fail('deploy/k8s', `no Deployment ${app} (the API replicas of ${app})`);
    if (!wrk) fail('deploy/k8s', `no Deployment ${worker} (the worker replicas of ${app}, WORKERS_ENABLED=true)`);
    if (!api || !wrk) continue;
    const apiC = containersOf(api).find((c) => envValue(c, 'SERVICE') === app);
    const wrkC = containersOf(wrk).find((c) => envValue(c, 'SERVICE') === app);
    if (!apiC) fail(api.where, `no container runs SERVICE=${app}`);
    if (!wrkC) fail(wrk.where, `no container runs SERVICE=${app}`);
    if (!apiC || !wrkC) continue;
    if (envValue(apiC, 'WORKERS_ENABLED') !== 'false') fail(api.where, `env WORKERS_ENABLED must be "false" (${worker} consumes the queues), is ${envValue(apiC, 'WORKERS_ENABLED') ?? '(unset)'}`);
    if (envValue(wrkC, 'WORKERS_ENABLED') !== 'true') fail(wrk.where, `env WORKERS_ENABLED must be "true", is ${envValue(wrkC, 'WORKERS_ENABLED') ?? '(unset)'}`);
    if (!switchedOn(effectiveEnv(wrkC, 'OUTBOX_RELAY_ENABLED'))) fail(wrk.where, 'env OUTBOX_RELAY_ENABLED must be on (unset or "true"): the workers relay the outbox');
    const withoutRole = (c) => (c.env ?? []).filter((e) => !ROLE_VARS.includes(e.name));
    if (canonical(withoutRole(apiC)) !== canonical(withoutRole(wrkC))) fail(wrk.where, `env must be ${app}'s but for ${ROLE_VARS.join(' and ')}`);
    for (const key of ['image', 'command', 'args', 'envFrom', 'ports', 'startupProbe', 'readinessProbe', 'livenessProbe']) {
      if (canonical(apiC[key]) !== canonical(wrkC[key])) fail(wrk.where, `container ${key} must be ${app}'s`);
    }
  }

  // The gateway reaches each backend through the Service named in the ConfigMap's *_URL.
  for (const { obj, where } of byKind('ConfigMap')) {
    for (const backend of BACKENDS) {
      const url = obj.data?.[APPS[backend].urlVar];
      if (url === undefined) continue;
      const m = /^http:\/\/([a-z0-9.-]+):(\d+)\/?$/.exec(url);
      const target = m && services.find((s) => s.obj.metadata.name === m[1].split('.')[0]);
      if (!target || !(target.obj.spec?.ports ?? []).some((p) => String(p.port) === m[2])) fail(where, `${APPS[backend].urlVar}=${url} does not name a Service and its port`);
    }
  }

  const ingresses = byKind('Ingress');
  if (ingresses.length === 0) fail('deploy/k8s', 'no Ingress for the gateway');
  for (const { obj, where } of ingresses) {
    for (const rule of obj.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const backend = p.backend?.service;
        const target = services.find((s) => s.obj.metadata.name === backend?.name);
        if (backend?.name !== 'gateway') fail(where, `routes to ${backend?.name}; only the gateway is public`);
        else if (!target) fail(where, `backend Service ${backend.name} is not defined`);
        else if (!(target.obj.spec?.ports ?? []).some((sp) => sp.name === backend.port?.name || sp.port === backend.port?.number)) {
          fail(where, `backend port ${JSON.stringify(backend.port)} is not a port of Service ${backend.name}`);
        }
      }
    }
  }
  return { objects: objects.length, deployments: deployments.length, workers: deployments.filter((d) => WORKER_NAMES.has(d.obj.metadata.name)).length };
}

// ------------------------------------------------------------------------------------------
// (d) Dockerfile and .dockerignore

function parseDockerfile(text) {
  const logical = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^\s*#/.test(line) && current === '') continue;
    if (/^\s*#/.test(line)) continue; // comment inside a continued instruction
    if (/\\\s*$/.test(line)) {
      current += line.replace(/\\\s*$/, ' ');
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  if (current.trim()) logical.push(current.trim());
  const stages = [];
  for (const line of logical) {
    const [instruction] = line.split(/\s+/, 1);
    const rest = line.slice(instruction.length).trim();
    if (instruction.toUpperCase() === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      stages.push({ from: m?.[1], name: m?.[2]?.toLowerCase(), instructions: [] });
    } else if (stages.length) {
      stages.at(-1).instructions.push({ instruction: instruction.toUpperCase(), rest });
    }
  }
  return stages;
}

function workspaceManifests() {
  const pkg = JSON.parse(read(path.join(ROOT, 'package.json')));
  const manifests = [];
  for (const pattern of pkg.workspaces ?? []) {
    const m = /^([^*]+)\/\*$/.exec(pattern);
    if (!m) {
      manifests.push(`${pattern}/package.json`);
      continue;
    }
    const dir = path.join(ROOT, m[1]);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir).sort()) {
      if (existsSync(path.join(dir, entry, 'package.json'))) manifests.push(`${m[1]}/${entry}/package.json`);
    }
  }
  return { pkg, manifests };
}

function checkDockerfile() {
  const file = path.join(ROOT, 'Dockerfile');
  if (!existsSync(file)) {
    fail('Dockerfile', 'missing');
    return { stages: [] };
  }
  const stages = parseDockerfile(read(file));
  const stage = (name) => stages.find((s) => s.name === name);
  const runs = (s) => (s?.instructions ?? []).filter((i) => i.instruction === 'RUN').map((i) => i.rest);
  const copies = (s) => (s?.instructions ?? []).filter((i) => i.instruction === 'COPY' && !/--from=/.test(i.rest)).map((i) => i.rest);
  for (const name of ['deps', 'build', 'runtime']) if (!stage(name)) fail('Dockerfile', `no stage named ${name} (FROM ... AS ${name})`);

  const { pkg, manifests } = workspaceManifests();
  if (!pkg.scripts?.build) fail('package.json', 'no build script (the Dockerfile runs npm run build)');

  for (const name of ['deps', 'runtime']) {
    const s = stage(name);
    if (!s) continue;
    const installAt = s.instructions.findIndex((i) => i.instruction === 'RUN' && /\bnpm ci\b/.test(i.rest));
    if (installAt < 0) {
      fail(`Dockerfile stage ${name}`, 'must run npm ci');
      continue;
    }
    const copiedBefore = s.instructions.slice(0, installAt)
      .filter((i) => i.instruction === 'COPY' && !/--from=/.test(i.rest))
      .flatMap((i) => i.rest.split(/\s+/).filter((t) => !t.startsWith('--')).slice(0, -1));
    for (const needed of ['package.json', 'package-lock.json', '.npmrc', ...manifests]) {
      if (!copiedBefore.includes(needed)) fail(`Dockerfile stage ${name}`, `must COPY ${needed} before npm ci`);
    }
    if (name === 'runtime' && !/--omit=dev/.test(s.instructions[installAt].rest)) fail('Dockerfile stage runtime', 'npm ci must --omit=dev');
  }
  for (const name of ['deps', 'runtime']) {
    const from = stage(name)?.from ?? '';
    const image = from.startsWith('${') ? ((read(file).match(/ARG\s+NODE_IMAGE=(\S+)/) ?? [])[1] ?? from) : from;
    if (stage(name) && !/^node:20[.-].*bookworm-slim$|^node:20-bookworm-slim$/.test(image)) fail(`Dockerfile stage ${name}`, `must be FROM node:20-bookworm-slim, is ${image}`);
  }
  const build = stage('build');
  if (build) {
    if (build.from !== 'deps') fail('Dockerfile stage build', `must build FROM deps, is FROM ${build.from}`);
    if (!runs(build).some((r) => /(^|&&|;)\s*npm run build(\s|$|&&|;)/.test(r))) fail('Dockerfile stage build', 'must RUN npm run build (the script CI and the tests use)');
  }
  const runtime = stage('runtime');
  if (runtime) {
    const all = runtime.instructions;
    const text = all.map((i) => `${i.instruction} ${i.rest}`).join('\n');
    const user = all.filter((i) => i.instruction === 'USER').at(-1)?.rest;
    if (user !== 'node' && !/^node:/.test(user ?? '')) fail('Dockerfile stage runtime', `must run as USER node, runs as ${user ?? 'root'}`);
    if (!/ENV[\s\S]*NODE_ENV=production/.test(text)) fail('Dockerfile stage runtime', 'must set ENV NODE_ENV=production');
    if (!/ENV[\s\S]*\bHOST=(0\.0\.0\.0|::)(\s|$)/.test(text)) fail('Dockerfile stage runtime', 'must set ENV HOST=0.0.0.0 (services listen on loopback by default)');
    if (!all.some((i) => i.instruction === 'ARG' && /^SERVICE\b/.test(i.rest))) fail('Dockerfile stage runtime', 'needs ARG SERVICE');
    if (!/ENV[^\n]*SERVICE=\$\{?SERVICE\}?/.test(text)) fail('Dockerfile stage runtime', 'must carry the SERVICE build arg into ENV SERVICE');
    const cmd = all.filter((i) => i.instruction === 'CMD' || i.instruction === 'ENTRYPOINT').map((i) => i.rest).join(' ');
    if (!/exec\s+node\b/.test(cmd) || !/services\/\$\{?SERVICE\}?\/dist\/src\/main\.js/.test(cmd)) {
      fail('Dockerfile stage runtime', 'CMD must `exec node services/${SERVICE}/dist/src/main.js` (signals reach node)');
    }
    const health = all.find((i) => i.instruction === 'HEALTHCHECK')?.rest ?? '';
    if (!/\/health\/live/.test(health) || !/node/.test(health)) fail('Dockerfile stage runtime', 'needs a HEALTHCHECK probing /health/live with node');
    if (!all.some((i) => i.instruction === 'COPY' && /--from=build/.test(i.rest))) fail('Dockerfile stage runtime', 'must COPY the build output --from=build');
  }
  for (const s of stages) {
    for (const args of copies(s)) {
      const sources = args.split(/\s+/).filter((t) => !t.startsWith('--')).slice(0, -1);
      for (const src of sources) {
        if (src === '.' || src.includes('*') || src.includes('$')) continue;
        if (!existsSync(path.join(ROOT, src))) fail(`Dockerfile stage ${s.name ?? '?'}`, `COPY source ${src} does not exist`);
      }
    }
  }

  const ignoreFile = path.join(ROOT, '.dockerignore');
  if (!existsSync(ignoreFile)) fail('.dockerignore', 'missing');
  else {
    const patterns = read(ignoreFile).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const [what, re] of [['node_modules', /node_modules/], ['dist', /(^|\/)dist\/?$/], ['.git', /^\.git\/?$/], ['*.tsbuildinfo', /\*\.tsbuildinfo$/], ['.nx', /^\.nx\/?$/]]) {
      if (!patterns.some((p) => re.test(p))) fail('.dockerignore', `must exclude ${what}`);
    }
  }
  return { stages: stages.map((s) => s.name).filter(Boolean) };
}

// ------------------------------------------------------------------------------------------

const compose = checkCompose();
const k8s = checkK8s();
const docker = checkDockerfile();

if (problems.length > 0) {
  console.error(`check-deploy: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(
  `check-deploy: ok: docker-compose.yml (${compose.services} services, compose-spec schema, ajv ${ajvMajor}), ` +
    `deploy/k8s (${k8s.objects} objects, ${k8s.deployments} Deployments with HPA/PDB, ` +
    `${k8s.deployments - k8s.workers} with a Service, ${k8s.workers} worker${k8s.workers === 1 ? '' : 's'} without; ` +
    `API/worker split: ${Object.entries(WORKERS).map(([a, w]) => `${a} WORKERS_ENABLED=false, ${w} true`).join('; ')}), ` +
    `Dockerfile (${docker.stages.join(' -> ')}); env names checked against ${apiMd.source} and the config classes`,
);
