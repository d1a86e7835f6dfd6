import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Where Debian's redis-server package and a from-source install put the binary, besides PATH. */
export const FIXED_REDIS_PATHS = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

const INSTALL_HINT = 'sudo apt-get install -y redis-server';

function isExecutable(file: string): boolean {
	try {
		accessSync(file, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/** The first executable `name` on a PATH string. */
export function which(name: string, pathVar: string): string | undefined {
	return pathVar
		.split(delimiter)
		.filter(Boolean)
		.map((dir) => join(dir, name))
		.find(isExecutable);
}

export function locateRedisServer(
	pathVar = process.env.PATH ?? '',
	fixedPaths = FIXED_REDIS_PATHS,
): string | undefined {
	return which('redis-server', pathVar) ?? fixedPaths.find(isExecutable);
}

export interface EnsureRedisOptions {
	/** PATH to search and to run apt-get / sudo from (tests point it at a folder of stand-ins) */
	pathVar?: string;
	fixedPaths?: string[];
	/** Effective user id (0: root may install packages) */
	uid?: number;
	log?: (line: string) => void;
}

function run(command: string, args: string[], pathVar: string): { ok: boolean; output: string } {
	const result = spawnSync(command, args, {
		env: { ...process.env, PATH: pathVar, DEBIAN_FRONTEND: 'noninteractive' },
		encoding: 'utf8',
		timeout: 15 * 60_000,
	});
	return {
		ok: result.status === 0,
		output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? result.error.message : ''}`,
	};
}

/**
 * The redis-server binary the store tests need. When it is missing and this user may install packages (root, or
 * passwordless sudo) and apt-get exists, installs Debian's redis-server package and says so; otherwise fails with
 * the command that fixes it. (Debian's package also starts a system Redis on 6379; the tests use their own.)
 */
export async function ensureRedisServer(options: EnsureRedisOptions = {}): Promise<string> {
	const pathVar = options.pathVar ?? process.env.PATH ?? '';
	const fixedPaths = options.fixedPaths ?? FIXED_REDIS_PATHS;
	const log = options.log ?? ((line: string) => process.stdout.write(`[test set-up] ${line}\n`));
	const found = locateRedisServer(pathVar, fixedPaths);
	if (found) return found;

	const aptGet = which('apt-get', pathVar);
	if (!aptGet) {
		throw new Error(
			`redis-server not found (the Redis store tests run a real one) and there is no apt-get here: install Redis 6 or later with your package manager (Debian/Ubuntu: \`${INSTALL_HINT}\`; macOS: \`brew install redis\`), then run npm test again`,
		);
	}
	const uid = options.uid ?? process.getuid?.() ?? -1;
	let prefix: string[] = [];
	if (uid !== 0) {
		const sudo = which('sudo', pathVar);
		if (!sudo || !run(sudo, ['-n', 'true'], pathVar).ok) {
			throw new Error(
				`redis-server not found (the Redis store tests run a real one) and this user cannot install packages without a password: run \`${INSTALL_HINT}\`, then npm test again`,
			);
		}
		prefix = [sudo, '-n'];
	}
	const started = Date.now();
	log(
		`redis-server is not installed: installing Debian's redis-server package (${prefix.length > 0 ? 'sudo ' : ''}apt-get update && apt-get install -y redis-server) …`,
	);
	for (const args of [
		['update', '-qq'],
		['install', '-y', '-qq', '-o', 'DPkg::Lock::Timeout=300', 'redis-server'],
	]) {
		const [command, ...rest] = [...prefix, aptGet, ...args];
		const result = run(command, rest, pathVar);
		if (!result.ok) {
			throw new Error(
				`apt-get ${args.join(' ')} failed while installing redis-server; install it yourself (\`${INSTALL_HINT}\`):\n${result.output.trim().split('\n').slice(-15).join('\n')}`,
			);
		}
	}
	const installed = locateRedisServer(pathVar, fixedPaths);
	if (!installed)
		throw new Error(
			`apt-get installed redis-server but no redis-server binary is on PATH or in ${fixedPaths.join(', ')}`,
		);
	log(`installed redis-server (${installed}) in ${Math.round((Date.now() - started) / 1000)} s`);
	return installed;
}

/** Starts a real redis-server (Debian package) on a free loopback port, with a password. */
export async function startRedisServer(
	password = 'test-redis-secret',
	binary = locateRedisServer(),
): Promise<{ url: string; port: number; password: string; stop: () => Promise<void> }> {
	if (!binary) {
		throw new Error(
			`redis-server not found: install it with \`${INSTALL_HINT}\` (npm test's set-up does this when it may)`,
		);
	}
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'wa-redis-'));
	const child: ChildProcess = spawn(
		binary,
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
			'--requirepass',
			password,
		],
		{ stdio: 'ignore' },
	);
	const deadline = Date.now() + 10_000;
	while (!(await canConnect(port))) {
		if (Date.now() > deadline || child.exitCode !== null)
			throw new Error(`redis-server did not start on port ${port}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return {
		url: `redis://:${password}@127.0.0.1:${port}`,
		port,
		password,
		stop: async () => {
			if (child.exitCode !== null) return;
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			await exited;
		},
	};
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

function canConnect(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}
