// Reading the deployment files as data: YAML documents, the Dockerfile's stages, env vars as a container sees them.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { COMMANDS, type CommandName } from '@rocketlead/contracts';

/** Repository root (this file is test/deploy/test/deploy-files.ts). */
export const ROOT = join(__dirname, '..', '..', '..');

export const readRepoFile = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
export const listDir = (dir: string): string[] => readdirSync(join(ROOT, dir)).sort();

// ---- services' sources

/** The TypeScript sources under a folder (tests excepted), as repository paths. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.ts$/.test(entry.name) && !/\.(spec|int-spec)\.ts$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** Apps with a service entry point (apps/<name>/src/main.ts): what the image must build and run. */
export const serviceApps = (): string[] =>
  listDir('apps').filter((name) => existsSync(join(ROOT, 'apps', name, 'src', 'main.ts')));

/** The service a command belongs to (its first token; also the queue group that answers it). */
export const commandOwner = (command: CommandName): string => command.split('.')[0] ?? '';

/**
 * Commands of other services that a service's code sends: every `COMMANDS.<key>` in apps/<service>/src
 * whose command belongs to another service (its own are the ones it answers).
 */
export function commandsSentBy(service: string): CommandName[] {
  const keys = new Set<string>();
  for (const file of sourceFiles(`apps/${service}/src`))
    for (const match of readRepoFile(file).matchAll(/\bCOMMANDS\.(\w+)/g)) keys.add(match[1] ?? '');
  return Object.entries(COMMANDS)
    .filter(([key, command]) => keys.has(key) && commandOwner(command) !== service)
    .map(([, command]) => command);
}

// ---- untyped YAML, narrowed without `any`

export type YamlMap = Record<string, unknown>;

export const isMap = (value: unknown): value is YamlMap =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
export const map = (value: unknown): YamlMap => (isMap(value) ? value : {});
export const seq = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);
/** A scalar as the string a process would see (numbers and booleans in YAML become their text). */
export const scalar = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;

/** Every document of a YAML file, with `<<` merge keys resolved as Compose does. Syntax errors throw, naming the file. */
export function loadYaml(file: string): YamlMap[] {
  const docs = parseAllDocuments(readRepoFile(file), { merge: true });
  const out: YamlMap[] = [];
  for (const doc of docs) {
    if (doc.errors.length)
      throw new Error(`${file}: invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(map(value));
  }
  return out;
}

// ---- service config

export interface EnvVarSpec {
  default?: string;
  parse: (raw: string) => unknown;
  description: string;
  /** Cross-variable rule, run by loadConfig when the variable is set (e.g. NODE_ENV=production needs a key). */
  check?: (env: NodeJS.ProcessEnv) => string | undefined;
  /** Masks the value in errors: the variable is a secret. */
  display?: (raw: string) => string;
}
export type EnvSpec = Record<string, EnvVarSpec>;

/** Environment as a container gets it: name -> value (undefined when the value is not known to the test). */
export type Env = Map<string, string | undefined>;

const LOOPBACK = /\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/;

/**
 * Problems of one container's environment against the service's spec: required variables, variables whose
 * default only works on a developer's machine, unknown variables (OTEL_* is read by the OpenTelemetry SDK),
 * values the service would reject at boot, and its cross-variable rules with the image's own environment
 * (`ENV` of the Dockerfile, e.g. NODE_ENV=production) underneath.
 */
export function envProblems(
  where: string,
  service: string,
  spec: EnvSpec,
  env: Env,
  imageEnv: ReadonlyMap<string, string> = new Map(),
): string[] {
  const problems: string[] = [];
  for (const [name, item] of Object.entries(spec)) {
    if (env.has(name)) continue;
    if (item.default === undefined) problems.push(`${where}: ${name} is required by ${service} but not set`);
    else if (LOOPBACK.test(item.default))
      problems.push(
        `${where}: ${name} is not set, and its default ${item.default} does not work in a container`,
      );
  }
  for (const [name, value] of env) {
    const item = spec[name];
    if (!item) {
      if (!name.startsWith('OTEL_'))
        problems.push(`${where}: sets ${name}, which ${service}'s config does not know`);
      continue;
    }
    // As loadConfig: an empty value means the default.
    const raw = value === '' ? item.default : value;
    if (raw === undefined) continue;
    try {
      item.parse(raw);
    } catch (error) {
      problems.push(
        `${where}: ${name}=${JSON.stringify(raw)} is rejected by ${service}: ${(error as Error).message}`,
      );
    }
  }
  // As loadConfig: a rule runs when its variable is set. A value the test cannot know counts as set.
  const processEnv: NodeJS.ProcessEnv = Object.fromEntries(imageEnv);
  for (const [name, value] of env) processEnv[name] = value ?? '(set, value unknown)';
  for (const [name, item] of Object.entries(spec)) {
    const problem = processEnv[name] ? item.check?.(processEnv) : undefined;
    if (problem) problems.push(`${where}: ${service} refuses to start: ${name}: ${problem}`);
  }
  return problems;
}

/**
 * A Compose value as a fresh checkout gets it (no variables exported, no .env file): `${NAME:-default}` and
 * `${NAME-default}` become the default, `$$` a `$`; `${NAME}`, `$NAME` and `${NAME:?error}` make the value
 * unknown (undefined).
 */
export function composeValue(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let unknown = false;
  const value = raw.replace(
    /\$\$|\$\{(\w+)(?::?-([^}]*))?(?::?\?[^}]*)?\}|\$(\w+)/g,
    (whole, _braced: string | undefined, fallback: string | undefined) => {
      if (whole === '$$') return '$';
      if (fallback !== undefined) return fallback;
      unknown = true;
      return whole;
    },
  );
  return unknown ? undefined : value;
}

/** The port the service listens on with this environment. */
export function listenPort(spec: EnvSpec, env: Env): number {
  const configured = env.get('PORT');
  return Number(configured === undefined || configured === '' ? spec.PORT?.default : configured);
}

// ---- images

/** `repo:tag` split; a digest (`@sha256:`) counts as pinned. */
export function imageProblem(where: string, image: string | undefined): string | undefined {
  if (!image) return `${where}: no image`;
  if (image.includes('@sha256:')) return undefined;
  const tag = imageTag(image);
  if (!tag) return `${where}: image ${image} has no tag (means :latest)`;
  if (tag === 'latest') return `${where}: image ${image} uses :latest`;
  return undefined;
}

export const imageRepo = (image: string): string => image.replace(/@.*$/, '').replace(/:[^:/]+$/, '');
export const imageTag = (image: string): string | undefined => /:([^:/@]+)(@|$)/.exec(image)?.[1];

// ---- Dockerfile

export interface Instruction {
  op: string;
  args: string;
}
export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** The variables a stage's `ENV` instructions set (`ENV A=1 B="2"`, or the legacy `ENV A 1`). */
export function stageEnv(stage: Stage | undefined): Map<string, string> {
  const env = new Map<string, string>();
  for (const { op, args } of stage?.instructions ?? []) {
    if (op !== 'ENV') continue;
    if (!/^\w+=/.test(args)) {
      const [, name = '', value = ''] = /^(\w+)\s+(.*)$/.exec(args) ?? [];
      env.set(name, value);
      continue;
    }
    for (const m of args.matchAll(/(\w+)=("([^"]*)"|'([^']*)'|(\S*))/g))
      env.set(m[1] ?? '', m[3] ?? m[4] ?? m[5] ?? '');
  }
  return env;
}

/** Stages of a Dockerfile, with ARG defaults declared before the first FROM substituted in FROM lines. */
export function dockerStages(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { op: op.toUpperCase(), args: rest };
    if (instruction.op === 'FROM') {
      const [, image = '', name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest) ?? [];
      const resolved = image.replace(/\$\{?(\w+)\}?/g, (whole, arg: string) => args.get(arg) ?? whole);
      stages.push({ image: resolved, name, instructions: [] });
    } else if (!stages.length && instruction.op === 'ARG') {
      const [, arg = '', value = ''] = /^(\w+)=?(.*)$/.exec(rest) ?? [];
      args.set(arg, value.replace(/^["']|["']$/g, ''));
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** ENTRYPOINT/CMD in exec form (JSON array) or shell form. */
export function execForm(args: string): string[] {
  try {
    const parsed: unknown = JSON.parse(args);
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    // shell form
  }
  return args.split(/\s+/);
}

// ---- health routes

/** Routes of the shared health controller, read from its source: `@Controller('health')` + `@Get('live')`. */
export function healthRoutes(): { file: string; routes: string[] } {
  const file = 'packages/messaging/src/health/health.controller.ts';
  const source = readRepoFile(file);
  const prefix = /@Controller\(\s*'([^']*)'\s*\)/.exec(source)?.[1] ?? '';
  const routes = [...source.matchAll(/@Get\(\s*'([^']*)'\s*\)/g)].map(
    (m) => `/${[prefix, m[1]].filter(Boolean).join('/')}`,
  );
  return { file, routes };
}

// ---- nats-server configuration

/** A value of a nats-server config file: a string (numbers, booleans and `$VARIABLE`s stay text), list or map. */
export type NatsConfValue = string | NatsConfValue[] | NatsConfMap;
export interface NatsConfMap {
  [key: string]: NatsConfValue;
}

/**
 * Parses the nats-server configuration format (the subset deploy/nats-server.conf uses): `key: value`,
 * `key = value` or `key { ... }`, maps, lists, quoted and bare strings, `#` and `//` comments.
 */
export function parseNatsConf(text: string, file = 'nats-server.conf'): NatsConfMap {
  let i = 0;
  const fail = (what: string): never => {
    const line = text.slice(0, i).split('\n').length;
    throw new Error(`${file}:${line}: ${what}`);
  };
  const skip = (separators: RegExp): void => {
    for (;;) {
      const ch = text[i];
      if (ch === undefined) return;
      if (ch === '#' || (ch === '/' && text[i + 1] === '/')) {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (separators.test(ch)) i++;
      else return;
    }
  };
  const quoted = (): string => {
    const quote = text[i++];
    const start = i;
    while (i < text.length && text[i] !== quote) i++;
    if (i >= text.length) fail('unterminated string');
    return text.slice(start, i++);
  };
  const bare = (stop: RegExp): string => {
    const start = i;
    while (i < text.length && !stop.test(text[i] ?? '')) i++;
    if (i === start) fail(`unexpected ${JSON.stringify(text[i] ?? 'end of file')}`);
    return text.slice(start, i);
  };
  const value = (): NatsConfValue => {
    skip(/[ \t]/);
    const ch = text[i];
    if (ch === '{') {
      i++;
      return entries('}');
    }
    if (ch === '[') {
      i++;
      const list: NatsConfValue[] = [];
      for (;;) {
        skip(/[\s,]/);
        if (text[i] === ']') {
          i++;
          return list;
        }
        if (i >= text.length) fail('unterminated list');
        list.push(value());
      }
    }
    if (ch === '"' || ch === "'") return quoted();
    return bare(/[\s,\]}#]/).trim();
  };
  const entries = (end: '}' | undefined): NatsConfMap => {
    const out: NatsConfMap = {};
    for (;;) {
      skip(/[\s,;]/);
      if (i >= text.length) {
        if (end) fail(`missing ${end}`);
        return out;
      }
      if (text[i] === end) {
        i++;
        return out;
      }
      const key = text[i] === '"' || text[i] === "'" ? quoted() : bare(/[\s:={[]/);
      skip(/[ \t]/);
      if (text[i] === ':' || text[i] === '=') i++;
      out[key] = value();
    }
  };
  return entries(undefined);
}

/** Whether a NATS subject matches a pattern with `*` (one token) and `>` (one or more trailing tokens). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let k = 0; k < p.length; k++) {
    if (p[k] === '>') return s.length > k;
    if (k >= s.length || (p[k] !== '*' && p[k] !== s[k])) return false;
  }
  return p.length === s.length;
}

/** Whether a `publish` or `subscribe` permission (string, list or {allow, deny}) lets a subject through. */
export function permits(permission: NatsConfValue | undefined, subject: string): boolean {
  if (permission === undefined) return true; // no rule: nats-server allows everything
  const list = (v: NatsConfValue | undefined): string[] =>
    v === undefined ? [] : typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(String) : [];
  const { allow, deny } =
    typeof permission === 'string' || Array.isArray(permission)
      ? { allow: list(permission), deny: [] }
      : {
          allow: permission.allow === undefined ? ['>'] : list(permission.allow),
          deny: list(permission.deny),
        };
  return allow.some((p) => subjectMatches(p, subject)) && !deny.some((p) => subjectMatches(p, subject));
}
