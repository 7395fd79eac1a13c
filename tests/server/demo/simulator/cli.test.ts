import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../../server/auth/passwords.js';
import { ROOT_DIR } from '../../../../server/Server.js';
import { startTestServer, type TestServer } from '../../../helpers/server.js';

const exec = promisify(execFile);
const PREFIX = `sitetwin-sim-${randomBytes(4).toString('hex')}`;
let t: TestServer;

/** Runs `npm run simulate`'s entry with tsx, as a separate process against the real server. */
async function simulate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(
      join(ROOT_DIR, 'node_modules', '.bin', 'tsx'),
      [join(ROOT_DIR, 'server', 'demo', 'simulator', 'cli.ts'), ...args],
      { timeout: 60_000 },
    );
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
const done = (stdout: string) =>
  JSON.parse(/simulate: done: (.*)/.exec(stdout)![1]!) as {
    sent: number;
    accepted: number;
    duplicates: number;
    rejected: number;
    errors: number;
  };
const rowsOf = async (kind: string) =>
  (
    await t.store.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM telemetry JOIN devices d ON d.id = telemetry.device_id WHERE d.kind = $1`,
      [kind],
    )
  ).rows[0]!.n;

beforeAll(async () => {
  t = await startTestServer({
    env: {
      HJ212_PORT: '0',
      MQTT_URL: 'mqtt://127.0.0.1:1883',
      MQTT_TOPIC_PREFIX: PREFIX,
      MQTT_CLIENT_ID: `${PREFIX}-ingest`,
    },
  });
});
afterAll(() => t?.close());

describe('npm run simulate', () => {
  it('registers devices through the API and feeds them over HTTP for a bounded time', async () => {
    const r = await simulate(
      '--url',
      t.url,
      '--projects',
      '1',
      '--cranes',
      '1',
      '--sensors',
      '6',
      '--rate',
      '2',
      '--duration',
      '2.5',
    );
    expect(r.code, r.stderr).toBe(0);
    const s = done(r.stdout);
    // The duration bounds the run; how many ticks fit depends on the machine's load, but every tick sends all 7.
    expect(s.sent).toBeGreaterThanOrEqual(7);
    expect(s.sent % 7).toBe(0);
    expect(s).toMatchObject({ accepted: s.sent, rejected: 0, errors: 0 });
    const devices = await t.store.devices.list();
    expect(devices.map((d) => d.kind).sort()).toEqual([
      'camera',
      'env_monitor',
      'gate',
      'hoist',
      'pit_gauge',
      'sensor',
      'tower_crane',
    ]);
    expect(await rowsOf('tower_crane')).toBe(s.sent / 7);
  });

  it('reuses its devices on a rerun and drives them over Socket.IO, MQTT and HJ 212', async () => {
    const before = (await t.store.devices.list()).length;
    const hj212 = `127.0.0.1:${t.server.edges.hj212!.port}`;
    for (const transport of ['socket', 'mqtt', 'hj212']) {
      const envRows = await rowsOf('env_monitor');
      const r = await simulate(
        '--url',
        t.url,
        '--projects',
        '1',
        '--cranes',
        '1',
        '--sensors',
        '6',
        '--rate',
        '1',
        '--duration',
        '2.2',
        '--transport',
        transport,
        '--mqtt-prefix',
        PREFIX,
        '--hj212',
        hj212,
      );
      expect(r.code, `${transport}: ${r.stderr}`).toBe(0);
      const s = done(r.stdout);
      expect(s.errors, transport).toBe(0);
      expect(s.rejected, transport).toBe(0);
      expect(s.accepted, transport).toBeGreaterThanOrEqual(7);
      expect(await rowsOf('env_monitor'), transport).toBeGreaterThan(envRows);
    }
    expect((await t.store.devices.list()).length).toBe(before);
    expect(t.server.edges.hj212!.stats.stored).toBeGreaterThan(0);
    expect(t.server.edges.mqtt!.stats.stored).toBeGreaterThan(0);
  });

  it('logs in with --user on a server with accounts on, and says why it fails without', async () => {
    const secured = await startTestServer({ env: { AUTH: 'on', AUTH_SECRET: randomBytes(32).toString('hex') } });
    try {
      await secured.store.users.create({
        username: 'sim-admin',
        displayName: 'Simulator',
        passwordHash: await hashPassword('s3cret-pass'),
        grant: { role: 'admin' },
      });
      const refused = await simulate(
        '--url',
        secured.url,
        '--projects',
        '1',
        '--cranes',
        '1',
        '--sensors',
        '0',
        '--duration',
        '1',
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/401/);
      const ok = await simulate(
        '--url',
        secured.url,
        '--user',
        'sim-admin',
        '--password',
        's3cret-pass',
        '--projects',
        '1',
        '--cranes',
        '1',
        '--sensors',
        '0',
        '--rate',
        '2',
        '--duration',
        '1.5',
      );
      expect(ok.code, ok.stderr).toBe(0);
      const s = done(ok.stdout);
      expect(s.accepted).toBeGreaterThanOrEqual(1);
      expect(s).toMatchObject({ accepted: s.sent, errors: 0 });
    } finally {
      await secured.close();
    }
  });

  it('refuses bad arguments with a message and exit code 2', async () => {
    const r = await simulate('--transport', 'pigeon');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--transport must be http, socket, mqtt or hj212');
  });
});
