/**
 * `npm run demo -- --once` as a newcomer runs it (here `node scripts/demo.js --once`, the build being done for
 * the e2e run already), on its own ports and user folder: its own sandbox and n8n, the examples imported and
 * published, the seed story played and checked step by step by the demo itself; exit code 0 only when every
 * step did what the story says.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort, paths } from '../../scripts/n8n/runtime';

const DEMO = path.join(paths.REPO, 'scripts', 'demo.js');
/** The demo boots its own n8n (10-60 s) and plays the story (about a minute, 1,000 campaign sends included). */
const DEMO_TIMEOUT_MS = 480_000;

function runDemo(
	args: string[],
	timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [DEMO, ...args], {
			cwd: paths.REPO,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
		// SIGTERM lets the demo stop its n8n (its own process group) before exiting.
		const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('exit', (code) => {
			clearTimeout(timer);
			resolve({ code, output });
		});
	});
}

const tail = (text: string, lines = 80) => text.split('\n').slice(-lines).join('\n');

describe('npm run demo -- --once', () => {
	test(
		'plays the whole seed story against a real n8n and the sandbox, and exits 0',
		async () => {
			const userFolder = mkdtempSync(path.join(tmpdir(), 'n8n-demo-e2e-'));
			try {
				const port = await freePort();
				const { code, output } = await runDemo(
					['--once', '--port', String(port), '--sandbox-port', '0', '--user-folder', userFolder],
					DEMO_TIMEOUT_MS - 30_000,
				);
				if (code !== 0)
					throw new Error(`the demo exited ${code}; its output ends with:\n${tail(output)}`);
				// The demo checks each step against the sandbox ledger and n8n's executions; these are its reports.
				for (const line of [
					/examples imported and published/,
					/inbox execution \d+: signature verified, message recorded in the store, query \S+ opened/,
					/Emilia received resume_contact once/,
					/the sandbox ledger still shows exactly one resume_contact to Emilia/,
					/\d+ reminders sent/,
					/Switch → confirmed \(appointment apt-1001\); branch_location sent/,
					/payment_due sent to \+5491155552345/,
					/page "Not sent"/,
					/1000 sent, 1 not sent \{"duplicate":1\}/,
					/report +sent 1000 \(100%\) → delivered/,
					/nothing sent twice: the sandbox still has 1000 taxi_discount messages/,
					/0 duplicates/,
					/✓ story complete/,
				]) {
					if (!line.test(output))
						throw new Error(
							`the demo's output has no line matching ${line}; it was:\n${tail(output, 120)}`,
						);
				}
			} finally {
				rmSync(userFolder, { recursive: true, force: true });
			}
		},
		DEMO_TIMEOUT_MS,
	);

	test('a wrong option ends it at once with a message naming the option and a non-zero exit code', async () => {
		const { code, output } = await runDemo(['--once', '--prot', '5679'], 60_000);
		expect(code).toBe(1);
		expect(output).toContain('unknown option "--prot"');
		expect(output).toContain('usage: npm run demo --');
	});
});
