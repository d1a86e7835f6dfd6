/**
 * npm test's first-use set-up for redis-server (test/helpers/redis-server.ts), on a machine simulated by PATH:
 * a folder of stand-in commands instead of the system's, so nothing is installed or removed for real.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensureRedisServer } from '../helpers/redis-server';

const dirs: string[] = [];
function machine(commands: Record<string, string>): { bin: string; calls: () => string[] } {
	const bin = mkdtempSync(join(tmpdir(), 'wa-setup-'));
	dirs.push(bin);
	const callLog = join(bin, 'calls.log');
	for (const [name, body] of Object.entries(commands)) {
		const file = join(bin, name);
		writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> "${callLog}"\n${body}\n`);
		chmodSync(file, 0o755);
	}
	return {
		bin,
		calls: () => (existsSync(callLog) ? readFileSync(callLog, 'utf8').trim().split('\n') : []),
	};
}

/** A stand-in apt-get: `install … redis-server` puts an executable redis-server next to it. */
const APT_GET =
	'case "$*" in *install*redis-server*) echo "#!/bin/sh" > "${0%/*}/redis-server"; /bin/chmod +x "${0%/*}/redis-server";; esac';
/** A stand-in passwordless sudo (the PATH holds nothing else, so `true` is answered here). */
const SUDO = 'if [ "$1" = "-n" ]; then shift; fi; if [ "$1" = "true" ]; then exit 0; fi; exec "$@"';

afterAll(() => {
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('redis-server on first use', () => {
	it('uses a redis-server already on PATH and installs nothing', async () => {
		const { bin, calls } = machine({ 'redis-server': 'exit 0', 'apt-get': APT_GET });
		await expect(
			ensureRedisServer({ pathVar: bin, fixedPaths: [], uid: 0, log: () => {} }),
		).resolves.toBe(join(bin, 'redis-server'));
		expect(calls()).toEqual([]);
	});

	it("as root without redis-server: installs Debian's package with apt-get and says so", async () => {
		const { bin, calls } = machine({ 'apt-get': APT_GET });
		const lines: string[] = [];
		await expect(
			ensureRedisServer({ pathVar: bin, fixedPaths: [], uid: 0, log: (line) => lines.push(line) }),
		).resolves.toBe(join(bin, 'redis-server'));
		expect(calls()).toEqual([
			'apt-get update -qq',
			'apt-get install -y -qq -o DPkg::Lock::Timeout=300 redis-server',
		]);
		expect(lines[0]).toMatch(
			/redis-server is not installed: installing Debian's redis-server package/,
		);
		expect(lines[1]).toMatch(/^installed redis-server/);
	});

	it('as a user with passwordless sudo: installs through sudo -n', async () => {
		const { bin, calls } = machine({ 'apt-get': APT_GET, sudo: SUDO });
		const lines: string[] = [];
		await expect(
			ensureRedisServer({
				pathVar: bin,
				fixedPaths: [],
				uid: 1000,
				log: (line) => lines.push(line),
			}),
		).resolves.toBe(join(bin, 'redis-server'));
		expect(calls()).toEqual([
			'sudo -n true',
			`sudo -n ${join(bin, 'apt-get')} update -qq`,
			'apt-get update -qq',
			`sudo -n ${join(bin, 'apt-get')} install -y -qq -o DPkg::Lock::Timeout=300 redis-server`,
			'apt-get install -y -qq -o DPkg::Lock::Timeout=300 redis-server',
		]);
		expect(lines[0]).toMatch(/\(sudo apt-get update && apt-get install -y redis-server\)/);
	});

	it('as a user who may not install packages: a clear error with the command, and nothing run', async () => {
		const { bin, calls } = machine({ 'apt-get': APT_GET, sudo: 'exit 1' });
		await expect(
			ensureRedisServer({ pathVar: bin, fixedPaths: [], uid: 1000, log: () => {} }),
		).rejects.toThrow(
			'redis-server not found (the Redis store tests run a real one) and this user cannot install packages without a password: run `sudo apt-get install -y redis-server`, then npm test again',
		);
		expect(calls()).toEqual(['sudo -n true']);
	});

	it('without apt-get (not Debian): names the package to install', async () => {
		const { bin } = machine({});
		await expect(
			ensureRedisServer({ pathVar: bin, fixedPaths: [], uid: 0, log: () => {} }),
		).rejects.toThrow(/there is no apt-get here: install Redis 6 or later.*brew install redis/);
	});

	it('a failing apt-get stops the run with its last lines', async () => {
		const { bin } = machine({
			'apt-get': 'echo "E: Could not get lock /var/lib/dpkg/lock-frontend" >&2; exit 100',
		});
		await expect(
			ensureRedisServer({ pathVar: bin, fixedPaths: [], uid: 0, log: () => {} }),
		).rejects.toThrow(
			/apt-get update -qq failed while installing redis-server[\s\S]*Could not get lock/,
		);
	});
});
