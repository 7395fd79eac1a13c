import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';

const ROOT = join(import.meta.dirname, '..', '..');

/** A free loopback port (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A fresh database on the TEST_DATABASE_URL server, dropped by `drop`. */
export async function createTestDatabase(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sitetwin_t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** `tsx server/main.ts` as a child process: the real `npm start`, minus the client build. */
export interface ChildServer {
  proc: ChildProcess;
  url: string;
  port: number;
  /** Everything it printed (stdout + stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts the server process and waits until it listens (its "Site Twin is running" line). */
export async function startChildServer(
  env: Record<string, string>,
  port?: number,
  timeoutMs = 90_000,
): Promise<ChildServer> {
  const p = port ?? (await freePort());
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(p),
      HOST: '127.0.0.1',
      SEED: '0',
      SIMULATE: '0',
      BUILD_CLIENT: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string>((r) => proc.on('exit', (code, sig) => r(code ?? sig ?? -1)));
  const deadline = Date.now() + timeoutMs;
  while (!out.includes('Site Twin is running')) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`server exited before listening:\n${out}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not start in ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, url: `http://127.0.0.1:${p}`, port: p, output: () => out, exited, kill: (s) => proc.kill(s) };
}

/** JSON request without the test-server helper (the child is not in this process). */
export async function jsonFetch(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* keep the text */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Through a child server's API: an enterprise, a project and one tower crane; returns the crane's id and API key. */
export async function setupDevice(url: string): Promise<{ deviceId: string; apiKey: string }> {
  const ent = await jsonFetch(`${url}/api/v1/enterprises`, 'POST', {
    name: `故障测试-${Math.random().toString(36).slice(2)}`,
  });
  const p = await jsonFetch(`${url}/api/v1/projects`, 'POST', {
    name: 'fault site',
    enterpriseId: ent.body.id,
    regionCode: '370212',
    location: { lon: 120.47, lat: 36.1, height: 0 },
    footprint: {
      type: 'Polygon',
      coordinates: [
        [
          [120.469, 36.099],
          [120.471, 36.099],
          [120.471, 36.101],
          [120.469, 36.101],
          [120.469, 36.099],
        ],
      ],
    },
  });
  if (p.status !== 201) throw new Error(`project: ${p.status} ${JSON.stringify(p.body)}`);
  const d = await jsonFetch(`${url}/api/v1/projects/${p.body.id}/devices`, 'POST', {
    kind: 'tower_crane',
    name: 'crane',
    location: { lon: 120.47, lat: 36.1, height: 0 },
    params: { mastHeightM: 60, jibLengthM: 55, maxLoadT: 8, maxRadiusM: 55 },
  });
  if (d.status !== 201) throw new Error(`device: ${d.status} ${JSON.stringify(d.body)}`);
  return { deviceId: d.body.device.id, apiKey: d.body.apiKey };
}

/** A device's stored telemetry, read straight from PostgreSQL: row count and the distinct seqs. */
export async function storedSeqs(dbUrl: string, deviceId: string): Promise<{ rows: number; distinct: Set<number> }> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const r = await c.query<{ seq: string }>('SELECT seq FROM telemetry WHERE device_id = $1', [deviceId]);
  await c.end();
  return { rows: r.rows.length, distinct: new Set(r.rows.map((x) => Number(x.seq))) };
}
