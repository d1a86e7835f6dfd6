/**
 * `npm run sandbox` as a user runs it: flags and environment variables start it and it prints where it listens
 * and how to point a credential at it (never a secret the user chose); the CLI's control commands drive it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { main } from '../../sandbox/cli';
import { EMILIA, call, startReceiver, type Receiver } from './helpers';

const ROOT = join(__dirname, '..', '..');

interface Started {
	child: ChildProcess;
	url: string;
	output: () => string;
}

/** Runs `npm run sandbox -- <args>` and resolves once it prints where it listens. */
function startCli(args: string[], env: Record<string, string> = {}): Promise<Started> {
	return new Promise((resolve, reject) => {
		const child = spawn('npm', ['run', '--silent', 'sandbox', '--', ...args], {
			cwd: ROOT,
			env: { ...process.env, ...env },
			stdio: ['ignore', 'pipe', 'pipe'],
			// Its own process group: npm does not pass SIGTERM on to the node process it starts, so stopCli
			// signals the whole group (only the processes this test started).
			detached: true,
		});
		let output = '';
		const timer = setTimeout(
			() => reject(new Error(`the CLI did not start in time:\n${output}`)),
			45_000,
		);
		const collect = (chunk: Buffer) => {
			output += chunk.toString();
			const match = /listening on (http:\/\/\S+)/.exec(output);
			if (match && output.includes('Inspect:')) {
				clearTimeout(timer);
				resolve({ child, url: match[1], output: () => output });
			}
		};
		child.stdout!.on('data', collect);
		child.stderr!.on('data', collect);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`the CLI exited with ${code}:\n${output}`));
		});
	});
}

function stopCli(started: Started): Promise<void> {
	return new Promise((resolve) => {
		if (started.child.exitCode !== null) return resolve();
		started.child.once('exit', () => resolve());
		process.kill(-started.child.pid!, 'SIGTERM');
	});
}

/** Runs a control command of the CLI in this process, returning what it printed. */
async function cli(...args: string[]): Promise<string> {
	const lines: string[] = [];
	const log = jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
		lines.push(parts.join(' '));
	});
	try {
		await main(args);
	} finally {
		log.mockRestore();
	}
	return lines.join('\n');
}

let receiver: Receiver;
let fromFlags: Started;
let fromEnv: Started;
let catalogueFile: string;

beforeAll(async () => {
	receiver = await startReceiver();
	const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
	catalogueFile = join(dir, 'templates.json');
	writeFileSync(
		catalogueFile,
		JSON.stringify([
			{
				id: '1',
				name: 'hello_world',
				language: 'en_US',
				status: 'APPROVED',
				category: 'UTILITY',
				components: [{ type: 'BODY', text: 'Hello {{1}}' }],
			},
		]),
	);
	[fromFlags, fromEnv] = await Promise.all([
		startCli([
			'--port',
			'0',
			'--webhook',
			receiver.url,
			'--catalogue',
			catalogueFile,
			'--status-delay',
			'5',
		]),
		startCli([], {
			SANDBOX_PORT: '0',
			SANDBOX_ACCESS_TOKEN: 'my-private-token-123',
			SANDBOX_APP_SECRET: 'my-private-secret-456',
			SANDBOX_THROUGHPUT_MPS: '1000',
		}),
	]);
}, 60_000);

afterAll(async () => {
	await Promise.all([fromFlags, fromEnv].filter(Boolean).map(stopCli));
	await receiver.close();
});

test('flags: port, webhook and catalogue; it prints the credential to use', async () => {
	const output = fromFlags.output();
	expect(output).toContain(`Base URL                       ${fromFlags.url}`);
	expect(output).toContain('Access token                   sandbox-token');
	expect(output).toContain('Phone number ID                1000000001');
	expect(output).toContain('WhatsApp Business Account ID   2000000001');
	expect(output).toContain(`Webhooks go to: ${receiver.url}`);
	expect(output).toContain(`Templates: 1 (${catalogueFile})`);
	const templates = await call(`${fromFlags.url}/v24.0/2000000001/message_templates`);
	expect(templates.body.data.map((t: { name: string }) => t.name)).toEqual(['hello_world']);
});

test('environment variables: a chosen token and app secret are used but never printed', async () => {
	const output = fromEnv.output();
	expect(output).not.toContain('my-private-token-123');
	expect(output).not.toContain('my-private-secret-456');
	expect(output).toContain('(the value you gave with --token)');
	expect(
		(await call(`${fromEnv.url}/v24.0/1000000001`, { token: 'my-private-token-123' })).status,
	).toBe(200);
	expect((await call(`${fromEnv.url}/v24.0/1000000001`)).status).toBe(401);
	const phone = await call(`${fromEnv.url}/v24.0/1000000001?fields=throughput`, {
		token: 'my-private-token-123',
	});
	expect(phone.body.throughput).toEqual({ level: 'HIGH' });
});

test('control commands drive the running sandbox: say, ledger, stats, faults, reset', async () => {
	const said = await cli(
		'say',
		'contact +54 9 11 5555 1234 named Emilia says hola',
		'--url',
		fromFlags.url,
	);
	expect(said).toMatch(/^Emilia \(\+5491155551234\) says "hola" \[wamid\./);
	await cli('flush', '--url', fromFlags.url);
	expect(receiver.messages()).toEqual([
		expect.objectContaining({ from: EMILIA, text: { body: 'hola' } }),
	]);

	const send = await call(`${fromFlags.url}/v24.0/1000000001/messages`, {
		body: {
			messaging_product: 'whatsapp',
			to: EMILIA,
			type: 'text',
			text: { body: '¡Hola Emilia!' },
		},
	});
	expect(send.status).toBe(200);
	const ledger = JSON.parse(await cli('ledger', '--url', fromFlags.url));
	expect(ledger.messages).toEqual([
		expect.objectContaining({ waId: EMILIA, type: 'text', rendered: { body: '¡Hola Emilia!' } }),
	]);
	expect(JSON.parse(await cli('stats', '--url', fromFlags.url))).toMatchObject({ accepted: 1 });

	const faults = JSON.parse(await cli('faults', '{"errorRate5xx":0.25}', '--url', fromFlags.url));
	expect(faults.errorRate5xx).toBe(0.25);
	await cli('reset', '--url', fromFlags.url);
	expect(JSON.parse(await cli('faults', '--url', fromFlags.url)).errorRate5xx).toBe(0);
});

test('control command mistakes are explained', async () => {
	await expect(main(['say', 'Nobody taps Confirm', '--url', fromFlags.url])).rejects.toThrow(
		'"Nobody" is not a known contact',
	);
	await expect(main(['faults', 'not json', '--url', fromFlags.url])).rejects.toThrow(
		'faults needs a JSON object',
	);
	await expect(main(['ledger', '--url', 'http://127.0.0.1:9'])).rejects.toThrow(
		/no sandbox answers at http:\/\/127\.0\.0\.1:9/,
	);
	await expect(main(['dance'])).rejects.toThrow('unknown command "dance"');
});
