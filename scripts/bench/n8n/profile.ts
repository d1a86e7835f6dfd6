/**
 * Where n8n spends its CPU with our nodes inside: boots the pinned n8n under `--cpu-prof`, sends signed
 * status webhooks (one change per POST) to the WhatsApp HSM Trigger (Emit: none, so no execution starts) and,
 * with PROFILE_CAMPAIGN=<n>, runs one Bulk Campaign of n recipients at 1,000 msg/s; then summarises the
 * main process's profile: self time per package and the inclusive time of the suspects.
 *
 * PROFILE_STATUS_BATCH=<n> sends the campaign's status webhooks (sent, delivered, read) to that trigger in the
 * same n8n, n changes per POST, as the bench's campaign rows do.
 *
 *   npx ts-node --transpile-only scripts/bench/n8n/profile.ts
 *   (PROFILE_POSTS=3000 PROFILE_CAMPAIGN=0 PROFILE_STATUS_BATCH=0; PROFILE_LAZY=1 starts n8n with
 *   N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startSandbox } from '../../../sandbox';
import { SANDBOX_DEFAULTS } from '../../../sandbox';
import { createSandboxCredential, postLoad, startBenchN8n, statusBody } from './harness';
import { campaignWorkflow, CAMPAIGN, TRIGGER, triggerWorkflow } from './workflows';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
	children?: number[];
}

/** The package (or our dist folder, or node:internal) a script URL belongs to. */
function packageOf(url: string): string {
	if (!url) return '(native / GC / idle)';
	if (url.includes('n8n-nodes-whatsapp-hsm/dist/')) return 'n8n-nodes-whatsapp-hsm (ours)';
	const parts = url.split('/node_modules/');
	if (parts.length > 1) {
		const rest = parts[parts.length - 1].split('/');
		return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
	}
	if (url.startsWith('node:')) return 'node:internal';
	return url;
}

export function summariseProfile(file: string, suspects: string[]): string {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
	const idle = profile.nodes
		.filter((node) => node.callFrame.functionName === '(idle)')
		.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
	const busy = total - idle;
	const self = new Map<string, number>();
	for (const node of profile.nodes) {
		if (node.callFrame.functionName === '(idle)') continue;
		const key = packageOf(node.callFrame.url);
		self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0));
	}
	// Inclusive hits of a function name: its subtree, counted once even when it recurses.
	const inclusive = (name: string) => {
		let hits = 0;
		const walk = (node: ProfileNode, inside: boolean) => {
			const enters = !inside && node.callFrame.functionName === name;
			if (inside || enters) hits += node.hitCount ?? 0;
			for (const child of node.children ?? []) walk(byId.get(child)!, inside || enters);
		};
		walk(profile.nodes[0], false);
		return hits;
	};
	const pct = (hits: number) => `${((hits / busy) * 100).toFixed(1)} %`;
	const lines = [
		`busy samples ${busy} of ${total} (${pct(busy)} of busy = 100 %)`,
		'self time by package:',
	];
	for (const [key, hits] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12))
		lines.push(`  ${pct(hits).padStart(7)}  ${key}`);
	lines.push('inclusive time of suspects:');
	for (const name of suspects) lines.push(`  ${pct(inclusive(name)).padStart(7)}  ${name}`);
	return lines.join('\n');
}

async function main(): Promise<void> {
	const posts = Number(process.env.PROFILE_POSTS ?? 3000);
	const campaign = Number(process.env.PROFILE_CAMPAIGN ?? 0);
	const statusBatch = Number(process.env.PROFILE_STATUS_BATCH ?? 0);
	const profileDir = mkdtempSync(join(tmpdir(), 'n8n-profile-'));
	const sandbox = await startSandbox({
		throughputMps: 1000,
		latency: { minMs: 100, maxMs: 100 },
		// No statuses unless asked for: they would load the trigger during the campaign.
		statusDelayMs: statusBatch > 0 ? 100 : 600_000,
	});
	const n8n = await startBenchN8n({
		env: {
			NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}`,
			...(process.env.PROFILE_LAZY ? { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' } : {}),
		},
		log: (line) => console.log(line),
	});
	try {
		const { rest } = n8n.instance;
		const storeFile = join(n8n.instance.userFolder, 'bench-store.sqlite');
		const credential = await createSandboxCredential(n8n, sandbox);
		const trigger = await rest.importAndPublish(
			triggerWorkflow('profile trigger', { emit: [], storeFile }),
			{ credentials: { whatsAppCloudApi: credential } },
		);
		const url = await rest.productionWebhookUrl(trigger, TRIGGER);
		if (statusBatch > 0) {
			sandbox.control.configure({ webhookBatchSize: statusBatch });
			sandbox.control.setWebhookUrl(url);
		}
		if (posts > 0) {
			const bodies = Array.from({ length: posts }, (_, i) =>
				statusBody({
					wabaId: SANDBOX_DEFAULTS.wabaId,
					phoneNumberId: SANDBOX_DEFAULTS.phoneNumberId,
					wamid: `wamid.P${randomUUID()}`,
					recipient: `549115${String(i).padStart(7, '0')}`,
					status: 'delivered',
				}),
			);
			const result = await postLoad({
				url,
				bodies,
				secret: SANDBOX_DEFAULTS.appSecret,
				concurrency: 8,
				cpuMs: n8n.cpuMs,
			});
			console.log(
				`trigger, statuses one per POST: ${result.postsPerSecond.toFixed(1)} POSTs/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${result.cpuMsPerPost.toFixed(2)} ms n8n CPU per POST, statuses ${JSON.stringify(result.statuses)}`,
			);
		}
		if (campaign > 0) {
			const workflow = await rest.importAndPublish(
				campaignWorkflow('profile campaign', {
					path: 'profile-campaign',
					count: campaign,
					offset: 0,
					campaignName: 'profile',
					storeFile,
					maxRate: 1000,
				}),
				{
					credentials: { whatsAppCloudApi: credential },
				},
			);
			const started = Date.now();
			await fetch(`${n8n.instance.url}/webhook/profile-campaign`, { method: 'POST' });
			const execution = await rest.waitForExecution(workflow.id, { timeoutMs: 600_000 });
			console.log(
				`campaign of ${campaign}: ${execution.status} in ${((Date.now() - started) / 1000).toFixed(1)} s; sandbox ledger ${sandbox.control.ledger.all().length}; node ${CAMPAIGN}`,
			);
		}
	} finally {
		await n8n.stop();
		await sandbox.stop();
	}
	const files = readdirSync(profileDir)
		.filter((file) => file.endsWith('.cpuprofile'))
		.map((file) => join(profileDir, file))
		.sort((a, b) => statSync(b).size - statSync(a).size);
	if (files.length === 0) throw new Error(`no .cpuprofile written in ${profileDir}`);
	console.log(`profile: ${files[0]}`);
	console.log(
		summariseProfile(files[0], [
			'executeWebhook',
			'runWebhook',
			'webhook',
			'getCredentials',
			'applyDefaultsAndOverwrites',
			'getNodeParameter',
			'httpRequestWithAuthentication',
			'recordEvents',
			'receiveWebhook',
			'initialize',
			'loadVendorLibraries',
			'dispose',
			'acquire',
		]),
	);
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
