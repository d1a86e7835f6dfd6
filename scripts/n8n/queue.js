'use strict';
/**
 * n8n queue mode (n8n's "scaling mode") on this machine, for end-to-end tests and `npm run demo -- --queue`:
 *
 *   PostgreSQL  a throw-away cluster (Debian's postgresql: initdb + postgres), n8n's database
 *   Redis       redis-server with a password and an append-only file: n8n's Bull queue AND our Redis store
 *   main        `n8n start`, EXECUTIONS_MODE=queue: editor, API, schedules, publishing; enqueues executions
 *   workers     `n8n worker --concurrency N` (two by default): run every execution (manual ones too:
 *               OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS), health at QUEUE_HEALTH_CHECK_PORT
 *   webhook     `n8n webhook`: receives production webhooks (our trigger, Webhook and Form nodes) and enqueues
 *
 * Every n8n process has its own user folder with this package linked as users install it (like separate
 * containers), the same N8N_ENCRYPTION_KEY and the same database and Redis. Production URLs point at the webhook
 * processor (N8N_WEBHOOK_URL), as a load balancer in front of webhook processors would. startQueueCluster()
 * resolves when every process answers its readiness endpoint; stop() ends exactly what it started.
 *
 *   node scripts/n8n/queue.js start [--workers 2] [--concurrency 10]   runs a cluster until Ctrl-C
 */
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const net = require('node:net');
const { spawn, spawnSync } = require('node:child_process');
const runtime = require('./runtime');

const { paths, freePort, sleep } = runtime;

/** Ignored by git (see .gitignore): clusters the demo and the tests create inside the repository. */
const QUEUE_DIR = path.join(paths.REPO, '.queue-mode');

/** True when Redis on 127.0.0.1:port accepts the password and answers PING with PONG (not LOADING). */
function answersPing(port, password) {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		let reply = '';
		const done = (value) => {
			socket.destroy();
			resolve(value);
		};
		socket.setTimeout(2_000, () => done(false));
		socket.once('error', () => done(false));
		socket.once('connect', () => socket.write(`AUTH ${password}\r\nPING\r\n`));
		socket.on('data', (chunk) => {
			reply += chunk.toString('utf8');
			if (reply.includes('+PONG')) done(true);
			else if (
				/-(LOADING|ERR|WRONGPASS|NOAUTH)[^\r]*\r\n[\s\S]*\r\n/.test(reply) ||
				reply.split('\r\n').length > 2
			)
				done(reply.includes('+PONG'));
		});
	});
}

/** Waits for an exited promise, or gives up after `ms` (false). */
async function exitedWithin(exited, ms) {
	let timer;
	const done = await Promise.race([
		exited.then(() => true),
		new Promise((resolve) => (timer = setTimeout(() => resolve(false), ms))),
	]);
	clearTimeout(timer);
	return done;
}

/** Processes (not groups) this module started; killed if this process exits without stopping them. */
const livePids = new Set();
let exitHook = false;
function track(child) {
	livePids.add(child.pid);
	child.once('exit', () => livePids.delete(child.pid));
	if (exitHook) return;
	exitHook = true;
	const killAll = () => {
		for (const pid of livePids) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	};
	process.once('exit', killAll);
	// Ended by a signal (a test runner's SIGTERM skips 'exit'): no PostgreSQL or Redis left behind.
	for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
		process.once(signal, () => {
			killAll();
			if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
		});
	}
}

function findBinary(candidates, what) {
	const found = candidates.find((candidate) => fs.existsSync(candidate));
	if (!found)
		throw new Error(
			`${what} not found (looked in ${candidates.join(', ')}): install it with \`apt-get install -y ${what === 'redis-server' ? 'redis-server' : 'postgresql'}\` (.ci/run does this)`,
		);
	return found;
}

// ---------------------------------------------------------------- PostgreSQL

function postgresBinDir() {
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root)
		? fs
				.readdirSync(root)
				.filter((version) => fs.existsSync(path.join(root, version, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (versions.length === 0)
		findBinary([path.join(root, '<version>', 'bin', 'initdb')], 'postgresql');
	return path.join(root, versions[0], 'bin');
}

/**
 * PostgreSQL refuses to run as root. As root we run it as Debian's `postgres` user (or `nobody`), with a data
 * folder that user owns; as anyone else, as ourselves.
 */
function postgresIdentity() {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
	const passwd = fs
		.readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.map((line) => line.split(':'));
	const entry =
		passwd.find((fields) => fields[0] === 'postgres') ||
		passwd.find((fields) => fields[0] === 'nobody');
	if (!entry)
		throw new Error(
			'running as root and there is neither a `postgres` nor a `nobody` user to run PostgreSQL as: create one with `useradd --system postgres`',
		);
	return { user: entry[0], uid: Number(entry[2]), gid: Number(entry[3]) };
}

function chownTree(dir, identity) {
	if (!identity) return;
	fs.chownSync(dir, identity.uid, identity.gid);
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const child = path.join(dir, entry.name);
		if (entry.isDirectory()) chownTree(child, identity);
		else fs.chownSync(child, identity.uid, identity.gid);
	}
}

/**
 * A throw-away PostgreSQL cluster on a free loopback port (unix socket in its own folder), password auth, tuned for
 * tests (no fsync). stop() ends the server it started and removes the cluster.
 * @param {{ dir: string, log?: (line: string) => void }} options dir: a new folder for the cluster
 */
async function startPostgres({ dir, log = () => {} }) {
	const bin = postgresBinDir();
	const identity = postgresIdentity();
	const password = crypto.randomBytes(16).toString('hex');
	const user = 'n8n';
	const database = 'n8n';
	fs.mkdirSync(dir, { recursive: true });
	const dataDir = path.join(dir, 'data');
	const pwFile = path.join(dir, 'pwfile');
	fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
	chownTree(dir, identity);
	const asUser = identity ? { uid: identity.uid, gid: identity.gid } : {};
	const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
	const init = spawnSync(
		path.join(bin, 'initdb'),
		[
			'-D',
			dataDir,
			'-U',
			user,
			'--auth=scram-sha-256',
			`--pwfile=${pwFile}`,
			'-E',
			'UTF8',
			'--no-sync',
			'--locale=C',
		],
		{ ...asUser, env, encoding: 'utf8', cwd: dir },
	);
	fs.rmSync(pwFile, { force: true });
	if (init.status !== 0)
		throw new Error(
			`initdb failed (${init.error ? init.error.message : `exit ${init.status}`}${identity ? `, as user ${identity.user}` : ''}):\n${(init.stdout || '') + (init.stderr || '')}`,
		);
	const port = await freePort();
	const logFile = path.join(dir, 'postgres.log');
	const out = fs.openSync(logFile, 'a');
	const child = spawn(
		path.join(bin, 'postgres'),
		[
			'-D',
			dataDir,
			'-p',
			String(port),
			'-k',
			dir,
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'max_connections=200',
		],
		{ ...asUser, env, cwd: dir, stdio: ['ignore', out, out] },
	);
	fs.closeSync(out);
	track(child);
	const exited = new Promise((resolve) =>
		child.once('exit', (code, signal) => resolve({ code, signal })),
	);
	const tail = () => fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
	const deadline = Date.now() + 60_000;
	const clientEnv = { ...env, PGPASSWORD: password };
	for (;;) {
		const ready = spawnSync(
			path.join(bin, 'pg_isready'),
			['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'postgres'],
			{ env: clientEnv },
		);
		if (ready.status === 0) break;
		if (child.exitCode !== null || Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`PostgreSQL did not start on port ${port}:\n${tail()}`);
		}
		await sleep(200);
	}
	const created = spawnSync(
		path.join(bin, 'createdb'),
		['-h', '127.0.0.1', '-p', String(port), '-U', user, database],
		{ env: clientEnv, encoding: 'utf8' },
	);
	if (created.status !== 0) throw new Error(`createdb ${database} failed: ${created.stderr}`);
	log(
		`PostgreSQL ${path.basename(path.dirname(bin))} on 127.0.0.1:${port}${identity ? ` (as ${identity.user})` : ''}`,
	);
	let stopping;
	return {
		host: '127.0.0.1',
		port,
		user,
		password,
		database,
		pid: child.pid,
		logFile,
		/** Fast shutdown (SIGINT), then the cluster folder is removed. */
		stop() {
			if (stopping) return stopping;
			stopping = (async () => {
				if (child.exitCode === null && child.signalCode === null) {
					child.kill('SIGINT');
					if (!(await exitedWithin(exited, 15_000))) {
						child.kill('SIGKILL');
						await exited;
					}
				}
				fs.rmSync(dir, { recursive: true, force: true });
			})();
			return stopping;
		},
	};
}

// ---------------------------------------------------------------- Redis

/**
 * A redis-server on a free loopback port with a password and an append-only file (so a restart keeps what was
 * written, as a production Redis does). restart() stops it (it saves on SIGTERM) and starts it again on the same
 * port and data; stop() ends it and removes the folder.
 * @param {{ dir: string, log?: (line: string) => void }} options
 */
async function startRedis({ dir, log = () => {} }) {
	const binary = findBinary(
		['/usr/bin/redis-server', '/usr/local/bin/redis-server'],
		'redis-server',
	);
	fs.mkdirSync(dir, { recursive: true });
	const port = await freePort();
	const password = crypto.randomBytes(16).toString('hex');
	const logFile = path.join(dir, 'redis.log');
	let child;
	let exited;

	async function launch() {
		const args = [
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--dir',
			dir,
			'--requirepass',
			password,
			'--save',
			'',
			'--appendonly',
			'yes',
			'--appendfsync',
			'everysec',
			'--logfile',
			logFile,
		];
		child = spawn(binary, args, { stdio: 'ignore' });
		track(child);
		const current = child;
		exited = new Promise((resolve) => current.once('exit', resolve));
		// Ready means PONG: right after a restart Redis accepts connections but answers LOADING while it replays
		// its append-only file, and n8n's webhook processor turns that into 500s.
		const deadline = Date.now() + 30_000;
		while (!(await answersPing(port, password))) {
			if (current.exitCode !== null || Date.now() > deadline)
				throw new Error(`redis-server did not start on port ${port} (log: ${logFile})`);
			await sleep(50);
		}
	}
	async function halt() {
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		child.kill('SIGTERM');
		if (!(await exitedWithin(exited, 10_000))) {
			child.kill('SIGKILL');
			await exited;
		}
	}

	await launch();
	log(`Redis on 127.0.0.1:${port} (password, append-only file)`);
	let stopping;
	return {
		host: '127.0.0.1',
		port,
		password,
		get pid() {
			return child.pid;
		},
		/** Stops Redis, keeps it down for `downMs`, starts it again on the same port with the same data. */
		async restart({ downMs = 0 } = {}) {
			await halt();
			if (downMs > 0) await sleep(downMs);
			await launch();
		},
		stop() {
			if (stopping) return stopping;
			stopping = (async () => {
				await halt();
				fs.rmSync(dir, { recursive: true, force: true });
			})();
			return stopping;
		},
	};
}

// ---------------------------------------------------------------- the n8n processes

/**
 * Starts PostgreSQL, Redis, an n8n main, `workers` workers and one webhook processor.
 * @param {object} [options]
 * @param {number} [options.workers] number of `n8n worker` processes (default 2)
 * @param {number} [options.concurrency] `--concurrency` of each worker (default 10)
 * @param {number} [options.mainPort] the main instance's port (default: a free one)
 * @param {string} [options.dir] cluster folder (default: a new one in .queue-mode/; removed by stop())
 * @param {object} [options.owner] the owner (email, password, names); default a random password
 * @param {Record<string,string>} [options.env] extra environment for every n8n process
 * @param {(line: string) => void} [options.log]
 */
async function startQueueCluster(options = {}) {
	runtime.assertInstalled();
	runtime.assertPackageBuilt();
	const log = options.log || (() => {});
	const workerCount = options.workers ?? 2;
	const concurrency = options.concurrency ?? 10;
	fs.mkdirSync(QUEUE_DIR, { recursive: true });
	const ownsDir = !options.dir;
	const dir = options.dir
		? path.resolve(options.dir)
		: fs.mkdtempSync(path.join(QUEUE_DIR, 'cluster-'));
	fs.mkdirSync(dir, { recursive: true });
	// mkdtemp makes it 0700: PostgreSQL's user (not root) must reach its cluster folder inside.
	fs.chmodSync(dir, 0o755);
	const started = Date.now();
	const stops = [];
	const stopAll = async () => {
		while (stops.length > 0) {
			try {
				await stops.pop()();
			} catch {
				// already gone
			}
		}
		if (ownsDir && !process.env.N8N_E2E_KEEP_USER_FOLDER)
			fs.rmSync(dir, { recursive: true, force: true });
	};

	try {
		const [postgres, redis] = await Promise.all([
			startPostgres({ dir: path.join(dir, 'postgres'), log }),
			startRedis({ dir: path.join(dir, 'redis'), log }),
		]);
		stops.push(
			() => postgres.stop(),
			() => redis.stop(),
		);

		const encryptionKey = crypto.randomBytes(24).toString('base64url');
		const [mainPort, webhookPort] = await Promise.all([options.mainPort || freePort(), freePort()]);
		const mainUrl = `http://127.0.0.1:${mainPort}`;
		const webhookUrl = `http://127.0.0.1:${webhookPort}`;
		const shared = {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: postgres.host,
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: postgres.password,
			DB_POSTGRESDB_DATABASE: postgres.database,
			// n8n's default pool of 2 connections is exhausted by a worker sending hundreds of messages per second
			// (n8n reads a credential from the database on each authenticated request): its pings then time out.
			DB_POSTGRESDB_POOL_SIZE: '10',
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			QUEUE_BULL_REDIS_PASSWORD: redis.password,
			// Editor "Execute workflow" runs on workers too (n8n 3 makes this the only behaviour).
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			N8N_ENCRYPTION_KEY: encryptionKey,
			// Production URLs shown in the editor point at the webhook processor (a load balancer's job in production).
			N8N_WEBHOOK_URL: `${webhookUrl}/`,
			N8N_EDITOR_BASE_URL: `http://localhost:${mainPort}/`,
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
			...options.env,
		};

		async function spawnRole(
			role,
			{ port, args, owner, readyPath = '/healthz/readiness', healthPort },
		) {
			const userFolder = path.join(dir, role);
			fs.mkdirSync(userFolder, { recursive: true });
			runtime.linkPackage(userFolder);
			const brokerPort = await freePort();
			const env = runtime.n8nEnv({
				port,
				brokerPort,
				userFolder,
				owner,
				extra: {
					...shared,
					...(healthPort ? { QUEUE_HEALTH_CHECK_PORT: String(healthPort) } : {}),
				},
			});
			const readyUrl = `http://127.0.0.1:${healthPort || port}${readyPath}`;
			const handle = await runtime.startN8nProcess({
				args,
				env,
				cwd: userFolder,
				logFile: path.join(userFolder, 'n8n.log'),
				readyUrl,
				name: `n8n ${role}`,
			});
			log(`n8n ${role} ready (${readyUrl}) after ${handle.bootSeconds.toFixed(1)} s`);
			return { role, userFolder, ...handle };
		}

		// main first: it runs the database migrations the others expect.
		const owner = runtime.defaultOwner(options.owner);
		const main = await spawnRole('main', { port: mainPort, args: ['start'], owner });
		stops.push(() => main.stop());
		const { rest, apiKey } = await runtime.ownerClient(mainUrl, owner);

		const workers = [];
		async function startWorker(index) {
			const worker = await spawnRole(`worker-${index + 1}`, {
				port: await freePort(),
				healthPort: await freePort(),
				args: ['worker', `--concurrency=${concurrency}`],
			});
			workers[index] = worker;
			stops.push(() => worker.stop());
			return worker;
		}
		const [webhook] = await Promise.all([
			spawnRole('webhook', { port: webhookPort, args: ['webhook'] }).then((handle) => {
				stops.push(() => handle.stop());
				return handle;
			}),
			...Array.from({ length: workerCount }, (_, index) => startWorker(index)),
		]);
		const bootSeconds = (Date.now() - started) / 1000;
		log(
			`queue-mode cluster ready after ${bootSeconds.toFixed(1)} s: main ${mainUrl}, webhook processor ${webhookUrl}, ${workerCount} workers × concurrency ${concurrency}`,
		);

		return {
			dir,
			main: { ...main, url: mainUrl, editorUrl: `http://localhost:${mainPort}`, port: mainPort },
			webhook: { ...webhook, url: webhookUrl, port: webhookPort },
			workers,
			redis,
			postgres,
			owner: { email: owner.email, password: owner.password },
			apiKey,
			/** Logged in on the main instance (owner cookie + public API key). */
			rest,
			encryptionKey,
			bootSeconds,
			/** A production URL as main reports it, sent to the webhook processor instead. */
			viaWebhookProcessor: (url) => url.replace(mainUrl, webhookUrl),
			/** SIGKILLs worker `index` (and its task runners) and waits until it is gone. */
			async killWorker(index) {
				const worker = workers[index];
				worker.kill('SIGKILL');
				await worker.exited;
			},
			/** Starts worker `index` again (after killWorker), with the same user folder. */
			restartWorker: (index) => startWorker(index),
			/** Every process's last log lines, for failure messages. */
			logTails(lines = 20) {
				return [main, webhook, ...workers]
					.map((handle) => `--- ${handle.role} (${handle.logFile}) ---\n${handle.logTail(lines)}`)
					.join('\n');
			},
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}

function parseArgs(argv) {
	const args = { workers: 2, concurrency: 10, port: 5678 };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--workers') args.workers = Number(argv[++i]);
		else if (argv[i] === '--concurrency') args.concurrency = Number(argv[++i]);
		else if (argv[i] === '--port') args.port = Number(argv[++i]);
		else throw new Error(`unknown option ${argv[i]} (use --workers N, --concurrency N, --port N)`);
	}
	return args;
}

async function main() {
	const [command, ...rest] = process.argv.slice(2);
	if (command !== 'start')
		throw new Error(
			'usage: node scripts/n8n/queue.js start [--workers 2] [--concurrency 10] [--port 5678]',
		);
	const args = parseArgs(rest);
	const abort = () => process.exit(130);
	process.on('SIGINT', abort);
	process.on('SIGTERM', abort);
	const cluster = await startQueueCluster({
		workers: args.workers,
		concurrency: args.concurrency,
		mainPort: args.port,
		owner: { email: 'demo@example.com', password: 'Demo-n8n-1' },
		log: (line) => console.log(`[queue] ${line}`),
	});
	console.log(
		`[queue] open ${cluster.main.editorUrl} and log in as ${cluster.owner.email} / ${cluster.owner.password}; Redis for the Redis (WhatsApp HSM Store) credential: 127.0.0.1:${cluster.redis.port}; Ctrl-C stops`,
	);
	const shutdown = async () => {
		await cluster.stop();
		process.exit(0);
	};
	process.off('SIGINT', abort);
	process.off('SIGTERM', abort);
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
	await Promise.race([
		cluster.main.exited,
		cluster.webhook.exited,
		...cluster.workers.map((worker) => worker.exited),
	]);
	console.error(`[queue] an n8n process exited\n${cluster.logTails()}`);
	await cluster.stop();
	process.exit(1);
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error.message);
		process.exit(1);
	});
}

module.exports = { startQueueCluster, startPostgres, startRedis, QUEUE_DIR };
