import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
const webRoot = resolve(here, '..');

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** A project's build: FC_E2E_CONFIGURATION's (scripts/test.sh: Release), else the newest of Release and Debug. */
function builtDll(project) {
  const configurations = process.env.FC_E2E_CONFIGURATION ? [process.env.FC_E2E_CONFIGURATION] : ['Release', 'Debug'];
  const candidates = configurations
    .map((c) => join(repoRoot, 'src', project, 'bin', c, 'net10.0', `${project}.dll`))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (candidates.length === 0) throw new Error(`${project} is not built: run dotnet build (scripts/test.sh does)`);
  return candidates[0];
}

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: eval "$(bash scripts/services.sh env)" first (scripts/test.sh does)`);
  return value;
}

async function waitFor(url, accept, child, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) during start:\n${child.output.join('')}`);
    try {
      const response = await fetch(url, { method: accept.method ?? 'GET', signal: AbortSignal.timeout(3000) });
      if (accept.status.includes(response.status)) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer ${url} within ${timeoutMs / 1000}s:\n${child.output.join('')}`);
}

function start(command, args, options, what) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = [];
  const keep = (chunk) => {
    child.output.push(chunk.toString());
    if (child.output.length > 60) child.output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.what = what;
  return child;
}

function run(dll, args, env, cwd) {
  execFileSync('dotnet', [dll, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
}

/**
 * The real back end for the end-to-end test: the API (serving a copy of the built client) and the
 * presign local host, each on a free port, against the services of scripts/services.sh with a
 * database and a Redis key prefix of their own, migrated and seeded with the demo data.
 * Returns { baseUrl, presignUrl, stop(), logs() }. `pageSize` goes to the client's
 * config.json so that a handful of posts make several pages.
 */
export async function startStack({ pageSize = 20 } = {}) {
  const mysql = required('ConnectionStrings__MySql');
  required('ConnectionStrings__Redis');
  required('Storage__BucketName');
  const runId = `${Date.now().toString(36)}${process.pid}`;
  const database = `fc_web_e2e_${runId}`;
  const work = mkdtempSync(join(tmpdir(), 'fc-web-e2e-'));
  const [apiPort, presignPort] = [await freePort(), await freePort()];
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const presignUrl = `http://127.0.0.1:${presignPort}/uploads`;

  // The client as built, with this run's config.json beside it.
  const dist = join(webRoot, 'dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error('web/dist is not built: npm run build in web/');
  const site = join(work, 'site');
  cpSync(dist, site, { recursive: true });
  writeFileSync(join(site, 'config.json'), JSON.stringify({ apiBaseUrl: '', uploadsUrl: presignUrl, pageSize }));

  const apiEnv = {
    ...process.env,
    ASPNETCORE_ENVIRONMENT: 'Development',
    ConnectionStrings__MySql: mysql.replace(/Database=[^;]*/i, `Database=${database}`),
    Redis__KeyPrefix: `fcweb${runId}:`,
    Auth__Issuer: baseUrl,
    Auth__SigningKeyPath: join(work, 'signing-key.pem'),
    Web__RootPath: site,
    // The reset mail links to this run's API, which serves the client at /reset-password.
    Mail__PasswordResetUrl: `${baseUrl}/reset-password`,
    Serilog__MinimumLevel__Default: 'Warning',
    'Serilog__MinimumLevel__Override__Microsoft.EntityFrameworkCore.Database.Command': 'Warning',
  };
  const apiDll = builtDll('FoodCommunity.Api');
  // The content root is the project folder, as under `dotnet run`: appsettings*.json are there.
  const apiDir = join(repoRoot, 'src', 'FoodCommunity.Api');
  const processes = [];
  run(apiDll, ['migrate'], apiEnv, apiDir);
  // The image function's local host: every upload (the demo posts' included) is processed as on AWS.
  processes.push(start('dotnet', [builtDll('FoodCommunity.Images.Lambda')], {
    env: { ...process.env, Processing__PollIntervalMilliseconds: '250', Logging__LogLevel__Default: 'Warning' },
    cwd: work,
  }, 'image host'));
  try {
    run(apiDll, ['seed-demo'], apiEnv, apiDir);
  } catch (error) {
    processes.forEach((child) => child.kill('SIGKILL'));
    throw error;
  }

  const stop = async () => {
    for (const child of processes) {
      if (child.exitCode === null) child.kill('SIGTERM');
    }
    await Promise.all(processes.map((child) => child.exitCode !== null ? null : new Promise((r) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); r(); }, 10_000);
      child.once('exit', () => { clearTimeout(timer); r(); });
    })));
    dropDatabase(mysql, database);
    rmSync(work, { recursive: true, force: true });
  };

  try {
    const api = start('dotnet', [apiDll, '--urls', baseUrl], { env: apiEnv, cwd: apiDir }, 'API');
    processes.push(api);
    const presign = start('dotnet', [builtDll('FoodCommunity.Presign.Lambda'), '--urls', `http://127.0.0.1:${presignPort}`], {
      env: {
        ...process.env,
        Logging__LogLevel__Default: 'Warning',
        Auth__Issuer: baseUrl,
        // The page is served by the API, so its origin is the API's: the one origin allowed to call /uploads.
        Cors__AllowedOrigins: baseUrl,
      },
      cwd: work,
    }, 'presign host');
    processes.push(presign);
    await waitFor(`${baseUrl}/health/ready`, { status: [200] }, api, 'API');
    await waitFor(presignUrl, { method: 'POST', status: [401] }, presign, 'presign host');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    baseUrl,
    presignUrl,
    stop,
    logs: () => processes.map((p) => `--- ${p.what}\n${p.output.join('')}`).join('\n'),
    /** The operator's command: the role reaches the user's tokens at their next refresh or sign-in. */
    grantModerator: (username) => run(apiDll, ['moderator', 'grant', username], apiEnv, apiDir),
  };
}

function dropDatabase(connectionString, database) {
  const part = (name) => new RegExp(`${name}=([^;]*)`, 'i').exec(connectionString)?.[1];
  try {
    execFileSync('mariadb', ['-h', part('Server') ?? '127.0.0.1', '-P', part('Port') ?? '3306', '-u', part('User ID') ?? 'root',
      `-p${part('Password') ?? ''}`, '-e', `DROP DATABASE IF EXISTS \`${database}\``], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    // No client here: the database stays (scripts/services.sh down --purge removes all).
  }
}
