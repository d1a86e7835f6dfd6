#!/usr/bin/env node
/**
 * `npm run sandbox -- [flags]` starts the sandbox and says how to point a credential at it;
 * `npm run sandbox -- say "Emilia taps Confirm"` (and ledger, stats, reset, faults, webhook, flush)
 * drives one that is already running. Flags win over environment variables.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { DEFAULT_GRAPH_API_VERSION } from '../lib/cloud-api/endpoints';
import { startSandbox, SANDBOX_DEFAULTS, type LatencySpec, type SandboxOptions } from './index';

const USAGE = `WhatsApp Cloud API sandbox

Start (flags, or the environment variables in brackets):
  npm run sandbox -- [start] [--port 4010 (SANDBOX_PORT)] [--host 127.0.0.1 (SANDBOX_HOST)]
      [--webhook URL (SANDBOX_WEBHOOK_URL)] [--catalogue file.json (SANDBOX_CATALOGUE)]
      [--token T (SANDBOX_ACCESS_TOKEN)] [--d360-key K (SANDBOX_D360_API_KEY)] [--app-secret S (SANDBOX_APP_SECRET)]
      [--phone-number-id ID (SANDBOX_PHONE_NUMBER_ID)] [--waba-id ID (SANDBOX_WABA_ID)]
      [--throughput 80 (SANDBOX_THROUGHPUT_MPS)] [--latency 50-200 (SANDBOX_LATENCY_MS)]
      [--status-delay 1000 (SANDBOX_STATUS_DELAY_MS)] [--undeliverable error|status] [--seed N]
      [--webhook-batch 1 (SANDBOX_WEBHOOK_BATCH)] [--webhook-concurrency 4 (SANDBOX_WEBHOOK_CONCURRENCY)]

Drive a running sandbox (--url, or SANDBOX_URL, default http://127.0.0.1:4010):
  npm run sandbox -- say "contact +54 9 11 5555 1234 named Emilia says hola"
  npm run sandbox -- say "Emilia taps Confirm"        say "Emilia says hola 30 hours ago"
  npm run sandbox -- ledger | stats | reset | flush
  npm run sandbox -- faults '{"errorRate5xx":0.1,"latency":{"minMs":50,"maxMs":300}}'
  npm run sandbox -- webhook http://127.0.0.1:5678/webhook/whatsapp
`;

const COMMANDS = ['start', 'say', 'ledger', 'stats', 'reset', 'faults', 'webhook', 'flush', 'help'];

function number(value: string | undefined, flag: string): number | undefined {
	if (value === undefined || value === '') return undefined;
	const parsed = Number(value);
	if (!Number.isFinite(parsed)) throw new Error(`${flag}: "${value}" is not a number`);
	return parsed;
}

/** "50-200" → uniform 50..200 ms; "100" → fixed 100 ms */
export function parseLatency(value: string | undefined): LatencySpec | undefined {
	if (value === undefined || value === '') return undefined;
	const match = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(value.trim());
	if (!match)
		throw new Error(`--latency: "${value}" must be milliseconds, "100" or a range "50-200"`);
	const min = Number(match[1]);
	const max = match[2] === undefined ? min : Number(match[2]);
	return { minMs: min, maxMs: max };
}

export function optionsFrom(
	values: Record<string, string | undefined>,
	env: NodeJS.ProcessEnv,
): SandboxOptions {
	const pick = (flag: string, name: string) => values[flag] ?? env[name];
	const options: SandboxOptions = {
		port: number(pick('port', 'SANDBOX_PORT'), '--port') ?? 4010,
		host: pick('host', 'SANDBOX_HOST') ?? SANDBOX_DEFAULTS.host,
		webhookUrl: pick('webhook', 'SANDBOX_WEBHOOK_URL') || undefined,
		catalogue: pick('catalogue', 'SANDBOX_CATALOGUE') || undefined,
		accessToken: pick('token', 'SANDBOX_ACCESS_TOKEN') || undefined,
		d360ApiKey: pick('d360-key', 'SANDBOX_D360_API_KEY') || undefined,
		appSecret: pick('app-secret', 'SANDBOX_APP_SECRET') || undefined,
		phoneNumberId: pick('phone-number-id', 'SANDBOX_PHONE_NUMBER_ID') || undefined,
		wabaId: pick('waba-id', 'SANDBOX_WABA_ID') || undefined,
		throughputMps: number(pick('throughput', 'SANDBOX_THROUGHPUT_MPS'), '--throughput'),
		latency: parseLatency(pick('latency', 'SANDBOX_LATENCY_MS')),
		// People watching a demo want to see sent → delivered → read happen, not all at once.
		statusDelayMs:
			number(pick('status-delay', 'SANDBOX_STATUS_DELAY_MS'), '--status-delay') ?? 1000,
		seed: number(pick('seed', 'SANDBOX_SEED'), '--seed'),
		webhookBatchSize: number(pick('webhook-batch', 'SANDBOX_WEBHOOK_BATCH'), '--webhook-batch'),
		webhookConcurrency: number(
			pick('webhook-concurrency', 'SANDBOX_WEBHOOK_CONCURRENCY'),
			'--webhook-concurrency',
		),
	};
	const undeliverable = pick('undeliverable', 'SANDBOX_UNDELIVERABLE');
	if (undeliverable) {
		if (undeliverable !== 'error' && undeliverable !== 'status')
			throw new Error('--undeliverable must be "error" or "status"');
		options.undeliverableAs = undeliverable;
	}
	for (const key of Object.keys(options) as Array<keyof SandboxOptions>)
		if (options[key] === undefined) delete options[key];
	return options;
}

function credentialHelp(url: string, options: SandboxOptions, templates: number): string {
	// Only the sandbox's own public defaults are printed; values the user chose stay unprinted.
	const secret = (given: string | undefined, fallback: string, flag: string) =>
		given === undefined ? `${fallback}` : `(the value you gave with ${flag})`;
	return [
		`WhatsApp Cloud API sandbox listening on ${url}`,
		'',
		'Point a "WhatsApp Cloud API" credential at it:',
		`  Provider                       Sandbox`,
		`  Base URL                       ${url}`,
		`  API version                    ${DEFAULT_GRAPH_API_VERSION} (any vNN.N works)`,
		`  Access token                   ${secret(options.accessToken, SANDBOX_DEFAULTS.accessToken, '--token')}`,
		`  Phone number ID                ${options.phoneNumberId ?? SANDBOX_DEFAULTS.phoneNumberId}`,
		`  WhatsApp Business Account ID   ${options.wabaId ?? SANDBOX_DEFAULTS.wabaId}`,
		`  App secret                     ${secret(options.appSecret, SANDBOX_DEFAULTS.appSecret, '--app-secret')} (signs the webhooks)`,
		`  360dialog instead:             base URL ${url}, D360-API-KEY ${secret(options.d360ApiKey, SANDBOX_DEFAULTS.d360ApiKey, '--d360-key')}`,
		'',
		`Webhooks go to: ${options.webhookUrl ?? "nowhere yet (--webhook URL, `npm run sandbox -- webhook URL`, or the trigger's subscription)"}`,
		`Templates: ${templates} (${typeof options.catalogue === 'string' ? options.catalogue : 'sandbox/catalogue.json'})`,
		'',
		'Drive a conversation: type a phrase here (when interactive), or from another terminal:',
		`  npm run sandbox -- say "contact +54 9 11 5555 1234 named Emilia says hola" --url ${url}`,
		`  npm run sandbox -- say "Emilia taps Confirm" --url ${url}`,
		`Inspect: npm run sandbox -- ledger --url ${url}   (control API: ${url}/_sandbox)`,
	].join('\n');
}

async function start(values: Record<string, string | undefined>): Promise<void> {
	const options = optionsFrom(values, process.env);
	const sandbox = await startSandbox(options);
	console.log(credentialHelp(sandbox.url, options, sandbox.control.templates().length));
	if (!['127.0.0.1', 'localhost', '::1'].includes(options.host ?? SANDBOX_DEFAULTS.host)) {
		console.log(
			`\nNote: listening on ${options.host}: anyone who can reach it can use the control API (/_sandbox) without a token.`,
		);
	}
	const stop = () => {
		void sandbox.stop().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	if (process.stdin.isTTY) {
		const lines = createInterface({ input: process.stdin, prompt: 'sandbox> ' });
		lines.prompt();
		lines.on('line', (line) => {
			const phrase = line.trim();
			if (phrase) {
				try {
					console.log(sandbox.control.say(phrase).said);
				} catch (error) {
					console.log((error as Error).message);
				}
			}
			lines.prompt();
		});
		lines.on('close', stop);
	}
}

async function callControl(
	base: string,
	method: 'GET' | 'POST',
	path: string,
	body?: unknown,
): Promise<unknown> {
	let response: Response;
	try {
		response = await fetch(`${base.replace(/\/$/, '')}/_sandbox${path}`, {
			method,
			headers: body === undefined ? undefined : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	} catch (error) {
		throw new Error(
			`no sandbox answers at ${base} (${(error as Error).cause ?? (error as Error).message}); start one with npm run sandbox, or pass --url`,
		);
	}
	const payload = (await response.json()) as { error?: { message: string } };
	if (!response.ok) throw new Error(payload.error?.message ?? `HTTP ${response.status}`);
	return payload;
}

async function control(
	command: string,
	args: string[],
	values: Record<string, string | undefined>,
): Promise<void> {
	const base = values.url ?? process.env.SANDBOX_URL ?? 'http://127.0.0.1:4010';
	const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
	switch (command) {
		case 'say': {
			if (args.length === 0) throw new Error('say needs a phrase, e.g. say "Emilia taps Confirm"');
			const result = (await callControl(base, 'POST', '/say', { phrase: args.join(' ') })) as {
				said: string;
				inbound?: { id: string };
			};
			console.log(result.said + (result.inbound ? ` [${result.inbound.id}]` : ''));
			return;
		}
		case 'ledger':
			return print(
				await callControl(
					base,
					'GET',
					`/ledger${values.to ? `?to=${encodeURIComponent(values.to)}` : ''}`,
				),
			);
		case 'stats':
			return print(await callControl(base, 'GET', '/stats'));
		case 'reset':
			return print(await callControl(base, 'POST', '/reset', {}));
		case 'flush':
			return print(await callControl(base, 'POST', '/webhooks/flush', {}));
		case 'webhook':
			return print(await callControl(base, 'POST', '/webhook', { url: args[0] ?? null }));
		case 'faults': {
			if (args.length === 0) return print(await callControl(base, 'GET', '/faults'));
			let patch: unknown;
			try {
				patch = JSON.parse(args.join(' '));
			} catch {
				throw new Error(
					`faults needs a JSON object, e.g. '{"errorRate5xx":0.1}', got ${args.join(' ')}`,
				);
			}
			return print(await callControl(base, 'POST', '/faults', patch));
		}
	}
}

export async function main(argv: string[]): Promise<void> {
	const { values, positionals } = parseArgs({
		args: argv,
		allowPositionals: true,
		options: {
			port: { type: 'string' },
			host: { type: 'string' },
			webhook: { type: 'string' },
			catalogue: { type: 'string' },
			token: { type: 'string' },
			'd360-key': { type: 'string' },
			'app-secret': { type: 'string' },
			'phone-number-id': { type: 'string' },
			'waba-id': { type: 'string' },
			throughput: { type: 'string' },
			latency: { type: 'string' },
			'status-delay': { type: 'string' },
			undeliverable: { type: 'string' },
			seed: { type: 'string' },
			'webhook-batch': { type: 'string' },
			'webhook-concurrency': { type: 'string' },
			url: { type: 'string' },
			to: { type: 'string' },
			help: { type: 'boolean', short: 'h' },
		},
	});
	const [command = 'start', ...args] = positionals;
	if (values.help || command === 'help') {
		console.log(USAGE);
		return;
	}
	if (!COMMANDS.includes(command)) throw new Error(`unknown command "${command}"\n\n${USAGE}`);
	const strings = values as Record<string, string | undefined>;
	if (command === 'start') await start(strings);
	else await control(command, args, strings);
}

if (require.main === module) {
	main(process.argv.slice(2)).catch((error: Error) => {
		console.error(`sandbox: ${error.message}`);
		process.exit(1);
	});
}
