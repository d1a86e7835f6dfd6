'use strict';
/**
 * The pinned real n8n (2.40.7) for end-to-end tests and the demo.
 *
 *   node scripts/n8n/runtime.js install            installs n8n once into .cache/n8n-2.40.7/
 *   node scripts/n8n/runtime.js start [--port N]   starts it with this package linked, until Ctrl-C
 *
 * Programmatic: `startN8n({ port, userFolder, env, owner })` boots one headless n8n under Node 24 with its own
 * N8N_USER_FOLDER, this package installed the way n8n's community-package installer does it (the `npm pack`
 * tarball unpacked into <userFolder>/.n8n/nodes/node_modules/n8n-nodes-whatsapp-hsm, nothing installed next to it;
 * see ./community-package.js), so node types are `n8n-nodes-whatsapp-hsm.<name>`,
 * the owner pre-created from environment variables, telemetry off; it resolves once n8n is ready and the owner can log in.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const paths = require('./paths');
const { installN8n, isInstalled } = require('./install');
const { createRestClient } = require('./rest');
const { installPackedPackage } = require('./community-package');

const LOG_TAIL_LINES = 200;
const DEFAULT_BOOT_TIMEOUT_MS = 180_000;

/** n8n process groups started by this process: ended if this process exits without stopping them. */
const liveGroups = new Set();
let exitHookInstalled = false;
function trackGroup(pid) {
	liveGroups.add(pid);
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	const killAll = () => {
		for (const group of liveGroups) {
			try {
				process.kill(-group, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	};
	process.once('exit', killAll);
	// A test runner or shell ending this process with a signal skips 'exit': end the groups, then die of the same
	// signal (only when nobody else handles it, so a host's own handler keeps its behaviour).
	for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
		process.once(signal, () => {
			killAll();
			if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
		});
	}
}

function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

function assertInstalled() {
	if (!isInstalled()) {
		throw new Error(
			`n8n ${paths.N8N_VERSION} is not installed in ${paths.CACHE_DIR}: run \`npm run n8n:install\` first (once; about 7 minutes, 2.8 GB)`,
		);
	}
}

/** The files package.json's `n8n` section lists must exist in dist/, else n8n silently loads fewer nodes. */
function assertPackageBuilt() {
	const pkg = JSON.parse(fs.readFileSync(path.join(paths.REPO, 'package.json'), 'utf8'));
	const section = pkg.n8n || {};
	const listed = [...(section.nodes || []), ...(section.credentials || [])];
	const missing = listed.filter((file) => !fs.existsSync(path.join(paths.REPO, file)));
	if (missing.length > 0) {
		throw new Error(
			`package.json's n8n section lists files that are not built (${missing.join(', ')}): run \`npm run build\` first`,
		);
	}
	return pkg;
}

/**
 * Installs the packed package (npm pack of the current dist/) into the user folder, as n8n's installer would.
 * Kept under this name for callers of earlier versions, which linked the repository instead.
 */
function linkPackage(userFolder) {
	return installPackedPackage(userFolder);
}

function bcryptHash(password) {
	// n8n's own bcrypt implementation, so the hash format is exactly what n8n verifies.
	const bcrypt = require(path.join(paths.CACHE_DIR, 'node_modules', 'bcryptjs'));
	return bcrypt.hashSync(password, 10);
}

/**
 * Environment without an outer `npm run`'s variables (they name the repo as npm prefix) and without a test
 * runner's: jest sets NODE_ENV=test, and n8n refuses to load nodes when it believes it runs in its own tests.
 */
function baseEnv() {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (
			/^npm_/i.test(key) ||
			/^JEST_/.test(key) ||
			key === 'INIT_CWD' ||
			key === 'NODE_ENV' ||
			key === 'NODE_OPTIONS'
		)
			continue;
		env[key] = value;
	}
	env.PATH = `${paths.NODE24_BIN_DIR}${path.delimiter}${process.env.PATH || ''}`;
	return env;
}

/**
 * Variables for one headless instance. The task-runner broker gets its own port so several instances
 * (and `n8n execute` next to a running server) do not collide on the default 5679.
 */
function n8nEnv({ port, brokerPort, userFolder, owner, extra }) {
	return {
		...baseEnv(),
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: 'localhost',
		N8N_PROTOCOL: 'http',
		// n8n listens on IPv4 loopback only; 'localhost' may resolve to ::1 first for other clients.
		N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_EDITOR_BASE_URL: `http://localhost:${port}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		// Plain http on localhost: a Secure cookie would keep the demo's browser login from working.
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		// Only the main instance sets the owner up (queue mode's workers and webhook processors get no owner).
		...(owner
			? {
					N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
					N8N_INSTANCE_OWNER_EMAIL: owner.email,
					N8N_INSTANCE_OWNER_FIRST_NAME: owner.firstName,
					N8N_INSTANCE_OWNER_LAST_NAME: owner.lastName,
					N8N_INSTANCE_OWNER_PASSWORD_HASH: bcryptHash(owner.password),
				}
			: {}),
		...extra,
	};
}

/** Keeps the last lines of n8n's output for error messages, and the whole output in a file. */
function createLogSink(file) {
	const lines = [];
	const stream = fs.createWriteStream(file, { flags: 'a' });
	let partial = '';
	return {
		write(chunk) {
			const text = chunk.toString('utf8');
			stream.write(text);
			const parts = (partial + text).split('\n');
			partial = parts.pop() ?? '';
			lines.push(...parts);
			if (lines.length > LOG_TAIL_LINES) lines.splice(0, lines.length - LOG_TAIL_LINES);
		},
		tail(count = 60) {
			return [...lines, ...(partial ? [partial] : [])].slice(-count).join('\n');
		},
		close() {
			stream.end();
		},
	};
}

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

async function isReady(url) {
	try {
		const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
		return response.status === 200;
	} catch {
		return false;
	}
}

/** Runs an n8n CLI command (import:workflow, import:credentials, publish:workflow, execute, …) against a user folder. */
function runCli(args, { env, cwd, timeoutMs = 180_000 }) {
	return new Promise((resolve, reject) => {
		const child = spawn(paths.NODE24, [paths.N8N_BIN, ...args], {
			cwd,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
			resolve({ code: code ?? (signal ? 1 : 0), signal, stdout, stderr });
		});
	});
}

/**
 * Runs `n8n <args>` against the database in `userFolder` (import:workflow, import:credentials, publish:workflow,
 * execute, export:*). Works next to a running server on the same folder: it gets its own task-runner port.
 * Note: a running server does not notice `publish:workflow` from the CLI until it restarts; publish through the API.
 * @returns {Promise<{code:number, signal:string|null, stdout:string, stderr:string}>}
 */
async function runN8nCli(args, { userFolder, env = {}, timeoutMs } = {}) {
	assertInstalled();
	if (!userFolder)
		throw new Error('runN8nCli: userFolder is required (the N8N_USER_FOLDER of the instance)');
	const cliEnv = {
		...baseEnv(),
		N8N_USER_FOLDER: userFolder,
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_LOG_LEVEL: 'warn',
		...env,
	};
	return runCli(args, { cwd: userFolder, env: cliEnv, timeoutMs });
}

/** Last lines of a log file (for a shared instance whose process belongs to someone else). */
function readLogTail(file, lines = 60) {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch (error) {
		return `(no log at ${file}: ${error.code || error.message})`;
	}
}

/**
 * Spawns one n8n process (`n8n start`, `n8n worker`, `n8n webhook`) in its own process group and resolves once
 * `readyUrl` answers 200. stop() ends that group (n8n and the task runners it spawned) and nothing else;
 * kill(signal) sends a signal to the group without waiting (a crash test's SIGKILL).
 * @param {object} options
 * @param {string[]} options.args n8n CLI arguments, e.g. ['worker', '--concurrency', '5']
 * @param {Record<string,string>} options.env full environment (see n8nEnv)
 * @param {string} options.cwd working directory (the user folder)
 * @param {string} options.logFile where the whole output goes
 * @param {string} options.readyUrl health URL that answers 200 when the process is ready
 * @param {string} [options.name] for messages ("n8n", "n8n worker 1", …)
 * @param {number} [options.bootTimeoutMs]
 * @param {boolean} [options.inheritOutput]
 */
async function startN8nProcess(options) {
	assertInstalled();
	const name = options.name || 'n8n';
	const sink = createLogSink(options.logFile);
	const started = Date.now();
	const child = spawn(paths.NODE24, [paths.N8N_BIN, ...options.args], {
		cwd: options.cwd,
		env: options.env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	const onOutput = (chunk) => {
		sink.write(chunk);
		if (options.inheritOutput) process.stdout.write(chunk);
	};
	child.stdout.on('data', onOutput);
	child.stderr.on('data', onOutput);
	let exitInfo;
	const exited = new Promise((resolve) => {
		child.on('exit', (code, signal) => {
			exitInfo = { code, signal };
			resolve(exitInfo);
		});
	});
	child.on('error', (error) => sink.write(`spawn error: ${error.message}\n`));
	if (child.pid) trackGroup(child.pid);
	exited.then(() => liveGroups.delete(child.pid));

	const kill = (signal) => {
		try {
			process.kill(-child.pid, signal);
		} catch {
			// already gone
		}
	};
	let stopping;
	async function stop() {
		if (stopping) return stopping;
		stopping = (async () => {
			if (!exitInfo) {
				kill('SIGTERM');
				let timer;
				const done = await Promise.race([
					exited,
					new Promise((resolve) => (timer = setTimeout(resolve, 20_000))),
				]);
				clearTimeout(timer);
				if (!done) {
					kill('SIGKILL');
					await exited;
				}
			}
			// Task runners left behind by a killed process (same group): end them too.
			kill('SIGKILL');
			sink.close();
		})();
		return stopping;
	}

	const deadline = started + (options.bootTimeoutMs || DEFAULT_BOOT_TIMEOUT_MS);
	const fail = async (reason) => {
		const tail = sink.tail();
		await stop();
		throw new Error(
			`${name} did not come up (${options.readyUrl}): ${reason}\n--- last lines of its log (${options.logFile}) ---\n${tail}`,
		);
	};
	while (!(await isReady(options.readyUrl))) {
		if (exitInfo) await fail(`it exited (${exitInfo.signal || `code ${exitInfo.code}`})`);
		if (Date.now() > deadline)
			await fail(
				`${options.readyUrl} was not 200 within ${Math.round((deadline - started) / 1000)} s`,
			);
		await sleep(300);
	}
	return {
		pid: child.pid,
		bootSeconds: (Date.now() - started) / 1000,
		stop,
		kill,
		exited,
		isRunning: () => !exitInfo,
		logTail: (lines) => sink.tail(lines),
		logFile: options.logFile,
	};
}

/** A fresh owner with a random password (the e2e default). */
function defaultOwner(owner) {
	return {
		email: 'owner@example.com',
		firstName: 'Demo',
		lastName: 'Owner',
		password: `Pw-${crypto.randomBytes(12).toString('base64url')}`,
		...owner,
	};
}

/** Logs the owner in and creates a public API key; throws with the reason. */
async function ownerClient(url, owner, { apiKey = true } = {}) {
	const rest = createRestClient(url);
	try {
		await rest.login(owner.email, owner.password);
	} catch (error) {
		throw new Error(`owner login failed: ${error.message}`);
	}
	let key;
	if (apiKey) {
		try {
			key = await rest.createApiKey('e2e');
		} catch (error) {
			throw new Error(`creating a public API key failed: ${error.message}`);
		}
	}
	return { rest, apiKey: key };
}

/**
 * Starts one n8n. Resolves when /healthz/readiness answers 200 and the owner can log in.
 * @param {object} [options]
 * @param {number} [options.port] HTTP port (default: a free one)
 * @param {string} [options.userFolder] N8N_USER_FOLDER (default: a new temporary folder, removed by stop())
 * @param {Record<string,string>} [options.env] extra environment for n8n (overrides ours)
 * @param {{email?:string,password?:string,firstName?:string,lastName?:string}} [options.owner]
 * @param {boolean} [options.apiKey] also create a public API key (default true)
 * @param {number} [options.bootTimeoutMs]
 * @param {(line:string)=>void} [options.log] progress lines (default: none)
 * @param {boolean} [options.inheritOutput] also print n8n's output to this process's stdout
 */
async function startN8n(options = {}) {
	assertInstalled();
	assertPackageBuilt();
	const log = options.log || (() => {});
	const port = options.port || (await freePort());
	const brokerPort = await freePort();
	const ownsUserFolder = !options.userFolder;
	const userFolder = options.userFolder
		? path.resolve(options.userFolder)
		: fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
	fs.mkdirSync(userFolder, { recursive: true });
	linkPackage(userFolder);
	const owner = defaultOwner(options.owner);
	const env = n8nEnv({ port, brokerPort, userFolder, owner, extra: options.env || {} });
	const url = `http://127.0.0.1:${port}`;
	const editorUrl = `http://localhost:${port}`;
	const logFile = path.join(userFolder, 'n8n.log');

	log(`starting n8n ${paths.N8N_VERSION} on ${url} (user folder ${userFolder})`);
	const started = Date.now();
	const processHandle = await startN8nProcess({
		args: ['start'],
		env,
		cwd: userFolder,
		logFile,
		readyUrl: `${url}/healthz/readiness`,
		name: `n8n on ${url}`,
		bootTimeoutMs: options.bootTimeoutMs,
		inheritOutput: options.inheritOutput,
	}).catch((error) => {
		if (ownsUserFolder && !process.env.N8N_E2E_KEEP_USER_FOLDER)
			fs.rmSync(userFolder, { recursive: true, force: true });
		throw error;
	});
	const stop = async () => {
		await processHandle.stop();
		if (ownsUserFolder && !process.env.N8N_E2E_KEEP_USER_FOLDER)
			fs.rmSync(userFolder, { recursive: true, force: true });
	};
	let client;
	try {
		client = await ownerClient(url, owner, { apiKey: options.apiKey !== false });
	} catch (error) {
		const tail = processHandle.logTail();
		await stop();
		throw new Error(
			`n8n did not come up on ${url}: ${error.message}\n--- last lines of n8n's log ---\n${tail}`,
		);
	}
	const bootSeconds = (Date.now() - started) / 1000;
	log(`n8n ready on ${url} after ${bootSeconds.toFixed(1)} s`);

	return {
		url,
		editorUrl,
		port,
		userFolder,
		logFile,
		owner: { email: owner.email, password: owner.password },
		apiKey: client.apiKey,
		rest: client.rest,
		bootSeconds,
		pid: processHandle.pid,
		stop,
		logTail: (lines) => processHandle.logTail(lines),
		/** Runs an n8n CLI command on this instance's database (its own task-runner port, so it does not clash). */
		cli: (args, cliOptions = {}) =>
			runN8nCli(args, { userFolder, env: options.env, ...cliOptions }),
		exited: processHandle.exited,
	};
}

function parseArgs(argv) {
	const args = { port: undefined, userFolder: undefined };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--port') args.port = Number(argv[++i]);
		else if (argv[i] === '--user-folder') args.userFolder = argv[++i];
		else throw new Error(`unknown option ${argv[i]} (use --port N, --user-folder DIR)`);
	}
	return args;
}

async function main() {
	const [command, ...rest] = process.argv.slice(2);
	if (command === 'install') {
		await installN8n();
		return;
	}
	if (command === 'start') {
		const args = parseArgs(rest);
		// Ctrl-C during boot: exit, and the exit hook ends n8n's process group (it does not get the terminal's SIGINT).
		const abort = () => process.exit(130);
		process.on('SIGINT', abort);
		process.on('SIGTERM', abort);
		const instance = await startN8n({
			port: args.port || 5678,
			userFolder: args.userFolder || path.join(paths.REPO, '.demo', 'n8n'),
			owner: { email: 'demo@example.com', password: 'Demo-n8n-1' },
			apiKey: false,
			log: (line) => console.log(`[n8n] ${line}`),
		});
		console.log(
			`[n8n] open ${instance.editorUrl} and log in as ${instance.owner.email} / ${instance.owner.password}; Ctrl-C stops`,
		);
		const shutdown = async () => {
			await instance.stop();
			process.exit(0);
		};
		process.off('SIGINT', abort);
		process.off('SIGTERM', abort);
		process.on('SIGINT', shutdown);
		process.on('SIGTERM', shutdown);
		const exit = await instance.exited;
		console.error(`[n8n] exited (${exit.signal || `code ${exit.code}`})\n${instance.logTail()}`);
		process.exit(1);
	}
	throw new Error(
		'usage: node scripts/n8n/runtime.js install | start [--port N] [--user-folder DIR]',
	);
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error.message);
		process.exit(1);
	});
}

module.exports = {
	installN8n,
	startN8n,
	runN8nCli,
	readLogTail,
	isInstalled,
	freePort,
	paths,
	// Shared with queue.js (queue mode): the same install, package link, environment and owner set-up.
	assertInstalled,
	assertPackageBuilt,
	linkPackage,
	installPackedPackage,
	n8nEnv,
	startN8nProcess,
	defaultOwner,
	ownerClient,
	sleep,
};
