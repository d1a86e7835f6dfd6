import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { resolveStorePath } from '../../lib/store/paths';
import { SqliteStore } from '../../lib/store/sqlite';
import { describeStoreContract, type ContractHarness } from './store.contract';

const dirs: string[] = [];

function tempDir(): string {
	const dir = mkdtempSync(join(tmpdir(), 'wa-store-'));
	dirs.push(dir);
	return dir;
}

afterAll(() => {
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describeStoreContract(
	'SQLite (two connections on one file)',
	async (): Promise<ContractHarness> => {
		const path = join(tempDir(), 'store.sqlite');
		const clock = { now: Date.now() };
		return {
			clock,
			open: async () => new SqliteStore({ path, now: () => clock.now }),
			advance: async (ms) => {
				clock.now += ms;
			},
			close: async () => undefined,
		};
	},
);

describe('SQLite store: file, schema and processes', () => {
	it('creates the folder, keeps data across reopen, uses WAL and a busy timeout', async () => {
		const path = join(tempDir(), 'nested', 'deeper', 'store.sqlite');
		const store = new SqliteStore({ path });
		await store.recordInbound({ businessNumberId: 'pn', waId: '1', at: 1_700_000_000_000 });
		await store.close();
		const again = new SqliteStore({ path });
		expect((await again.getContact('pn', '1'))?.lastInboundAt).toBe(1_700_000_000_000);
		await again.close();
		const raw = new DatabaseSync(path);
		expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
		expect(
			Number((raw.prepare('PRAGMA user_version').get() as { user_version: number }).user_version),
		).toBeGreaterThanOrEqual(1);
		raw.close();
		await expect(again.getContact('pn', '1')).rejects.toThrow(/closed/);
	});

	it("writes a POST's statuses in one transaction: a failure at the last one leaves none of them written", async () => {
		const path = join(tempDir(), 'statuses.sqlite');
		const store = new SqliteStore({ path });
		const ids = Array.from({ length: 300 }, (_, i) => `549110${String(i).padStart(4, '0')}`);
		await store.claimRecipients(
			'c',
			ids.map((recipientId) => ({ recipientId })),
		);
		await store.recordResults(
			'c',
			ids.map((recipientId) => ({
				recipientId,
				state: 'sent' as const,
				wamid: `w.${recipientId}`,
			})),
		);
		const statuses = ids.map((recipientId, i) => ({
			wamid: `w.${recipientId}`,
			status: 'delivered' as const,
			at: 1_700_000_000_000 + i,
			campaignId: 'c',
			recipientId,
		}));
		const raw = new DatabaseSync(path);
		raw.exec(
			`CREATE TRIGGER refuse_last BEFORE UPDATE ON recipients WHEN NEW.recipient = '${ids[299]}' BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
		);
		await expect(store.recordStatuses(statuses)).rejects.toThrow(/disk full/);
		const none = await store.getRecipients('c', ids);
		expect([...none.values()].filter((record) => record.status !== undefined)).toHaveLength(0);
		raw.exec('DROP TRIGGER refuse_last');
		raw.close();
		const results = await store.recordStatuses(statuses);
		expect(results.every((result) => result.matched && result.advanced)).toBe(true);
		const all = await store.getRecipients('c', ids);
		expect([...all.values()].map((record) => record.status)).toEqual(ids.map(() => 'delivered'));
		await store.close();
	});

	it('refuses a file written by a newer schema, naming the fix', () => {
		const path = join(tempDir(), 'future.sqlite');
		const raw = new DatabaseSync(path);
		raw.exec('PRAGMA user_version = 999');
		raw.close();
		expect(() => new SqliteStore({ path })).toThrow(
			/schema version 999.*update n8n-nodes-whatsapp-hsm or use another Store File/,
		);
	});

	it('says which file it cannot open', () => {
		const dir = tempDir();
		expect(() => new SqliteStore({ path: join(dir) })).toThrow(
			new RegExp(`Cannot open the conversation store file ${dir}`),
		);
	});

	it('resolves the file: option, then WHATSAPP_HSM_STORE_PATH, then the n8n user folder', () => {
		expect(resolveStorePath('', { N8N_USER_FOLDER: '/srv/n8n' })).toBe(
			'/srv/n8n/.n8n/whatsapp-hsm-store.sqlite',
		);
		expect(resolveStorePath(undefined, {})).toBe(
			join(homedir(), '.n8n', 'whatsapp-hsm-store.sqlite'),
		);
		expect(
			resolveStorePath('  ', {
				WHATSAPP_HSM_STORE_PATH: '/data/wa.sqlite',
				N8N_USER_FOLDER: '/srv/n8n',
			}),
		).toBe('/data/wa.sqlite');
		expect(resolveStorePath('/tmp/x.sqlite', { WHATSAPP_HSM_STORE_PATH: '/data/wa.sqlite' })).toBe(
			'/tmp/x.sqlite',
		);
		expect(resolveStorePath('~/wa.sqlite', {})).toBe(join(homedir(), 'wa.sqlite'));
		expect(resolveStorePath('stores/wa.sqlite', { N8N_USER_FOLDER: '/srv/n8n' })).toBe(
			'/srv/n8n/.n8n/stores/wa.sqlite',
		);
	});

	it('gives every recipient and recontact to exactly one of several OS processes sharing the file', async () => {
		const path = join(tempDir(), 'race.sqlite');
		new SqliteStore({ path }).close(); // create the schema once, so the racers only race on claims
		const count = 300;
		const children = Array.from({ length: 4 }, (_, i) =>
			spawn(
				process.execPath,
				[
					'-r',
					'ts-node/register/transpile-only',
					join(__dirname, 'helpers', 'claimer.ts'),
					path,
					'race',
					`p${i}`,
					String(count),
					'pn',
				],
				{
					cwd: join(__dirname, '..', '..'),
					stdio: ['pipe', 'pipe', 'pipe'],
				},
			),
		);
		const outputs = children.map(
			(child) =>
				new Promise<{ owner: string; won: string[]; recontacts: string[] }>((resolve, reject) => {
					let out = '';
					let err = '';
					child.stdout.on('data', (chunk) => {
						out += chunk;
					});
					child.stderr.on('data', (chunk) => {
						err += chunk;
					});
					child.on('exit', (code) =>
						code === 0
							? resolve(JSON.parse(out.trim().split('\n').pop() as string))
							: reject(new Error(`claimer exited ${code}: ${err}`)),
					);
				}),
		);
		// Start them together once all have loaded, so the claims really overlap.
		await Promise.all(
			children.map(
				(child) =>
					new Promise<void>((resolve) => {
						const onData = (chunk: Buffer) => {
							if (chunk.toString().includes('ready')) {
								child.stdout.off('data', onData);
								resolve();
							}
						};
						child.stdout.on('data', onData);
					}),
			),
		);
		for (const child of children) child.stdin.end('go\n');
		const results = await Promise.all(outputs);
		const won = results.flatMap((r) => r.won);
		expect(won).toHaveLength(count);
		expect(new Set(won).size).toBe(count);
		const recontacts = results.flatMap((r) => r.recontacts);
		expect(recontacts).toHaveLength(count / 10);
		expect(new Set(recontacts).size).toBe(count / 10);
		const store = new SqliteStore({ path });
		const records = await store.getRecipients('race', won);
		for (const result of results)
			for (const id of result.won) expect(records.get(id)?.owner).toBe(result.owner);
		await store.close();
	});
});
