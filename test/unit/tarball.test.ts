/**
 * The published package as n8n's installer receives it: the `npm pack` tarball, unpacked like n8n 2.40 unpacks
 * it. It must need nothing installed beside it (no runtime `dependencies`): n8n's own `npm install` step fetches
 * nothing even with the registry unreachable, and every node and credential loads with only what n8n itself
 * provides on NODE_PATH (n8n-workflow and luxon). Needs `npm run build` (global set-up does it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import {
	N8N_INSTALL_ARGS,
	npmEnv,
	packPackage,
	unpackLikeN8n,
} from '../../scripts/n8n/community-package';

const root = join(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'wa-tarball-'));
const packageDir = join(work, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-whatsapp-hsm');
let tarball: ReturnType<typeof packPackage>;

interface Manifest {
	dependencies?: Record<string, string>;
	devDependencies?: Record<string, string>;
	n8n: { nodes: string[]; credentials: string[] };
	bin: Record<string, string>;
}

beforeAll(() => {
	tarball = packPackage();
	unpackLikeN8n(tarball.file, packageDir);
});

afterAll(() => {
	rmSync(work, { recursive: true, force: true });
	rmSync(dirname(tarball.file), { recursive: true, force: true });
});

describe('the npm pack tarball, unpacked the way n8n installs community packages', () => {
	it('has no runtime dependencies and ships the bundle, the listed files, icons, README and LICENSE', () => {
		const source = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
		expect(source.dependencies ?? {}).toEqual({});
		const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Manifest;
		expect(manifest.devDependencies).toBeUndefined();
		const listed = [
			...manifest.n8n.nodes,
			...manifest.n8n.credentials,
			...Object.values(manifest.bin),
		];
		expect(tarball.files).toEqual(
			expect.arrayContaining([
				'LICENSE',
				'README.md',
				'package.json',
				'dist/package.js',
				'dist/sandbox/catalogue.json',
				...listed,
			]),
		);
		// Light and dark icons, one copy each: the WhatsApp logo (four nodes and the Cloud API credential point to
		// nodes/common), the window check's and the Redis credential's.
		expect(tarball.files.filter((file) => file.endsWith('.svg')).sort()).toEqual([
			'dist/credentials/whatsappStore.dark.svg',
			'dist/credentials/whatsappStore.svg',
			'dist/nodes/CheckConversationWindow/window.dark.svg',
			'dist/nodes/CheckConversationWindow/window.svg',
			'dist/nodes/common/whatsapp.dark.svg',
			'dist/nodes/common/whatsapp.svg',
		]);
		// Sources, tests and maps of the bundle's inputs stay out of the tarball.
		expect(
			tarball.files.filter(
				(file) =>
					!file.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json'].includes(file),
			),
		).toEqual([]);
	});

	it("n8n's own npm install step in the unpacked folder succeeds with the registry unreachable and installs nothing", () => {
		const result = spawnSync(
			'npm',
			[
				...N8N_INSTALL_ARGS,
				'--registry=http://127.0.0.1:9/',
				'--fetch-retries=0',
				'--loglevel=error',
			],
			{
				cwd: packageDir,
				env: npmEnv(),
				encoding: 'utf8',
				timeout: 60_000,
			},
		);
		expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
		expect(existsSync(join(packageDir, 'node_modules'))).toBe(false);
	});

	it('every node and credential loads with only n8n-workflow and luxon provided, as n8n provides them (NODE_PATH)', () => {
		// A NODE_PATH holding exactly what n8n's own node_modules would offer the package: no ioredis, no libphonenumber-js.
		const provided = join(work, 'n8n-provides', 'node_modules');
		mkdirSync(provided, { recursive: true });
		for (const name of ['n8n-workflow', 'luxon'])
			symlinkSync(join(root, 'node_modules', name), join(provided, name), 'dir');
		const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Manifest;
		const script = `
			const path = require('node:path');
			const loaded = {};
			for (const file of ${JSON.stringify([...manifest.n8n.nodes, ...manifest.n8n.credentials])}) {
				const className = path.basename(file).split('.')[0];
				const instance = new (require(path.join(${JSON.stringify(packageDir)}, file))[className])();
				loaded[className] = instance.description ? instance.description.name : instance.name;
			}
			for (const name of ['ioredis', 'libphonenumber-js']) {
				try { require.resolve(name); loaded[name] = 'resolvable'; } catch { loaded[name] = 'absent'; }
			}
			process.stdout.write(JSON.stringify(loaded));
		`;
		const output = execFileSync(process.execPath, ['-e', script], {
			cwd: work,
			env: { PATH: process.env.PATH ?? '', NODE_PATH: provided },
			encoding: 'utf8',
		});
		expect(JSON.parse(output)).toEqual({
			BulkCampaign: 'bulkCampaign',
			CheckConversationWindow: 'checkConversationWindow',
			SendHsmTemplate: 'sendHsmTemplate',
			WhatsAppHsmTrigger: 'whatsAppHsmTrigger',
			WhatsAppCloudApi: 'whatsAppCloudApi',
			WhatsAppStoreRedisApi: 'whatsAppStoreRedisApi',
			WhatsAppTemplates: 'whatsAppTemplates',
			ioredis: 'absent',
			'libphonenumber-js': 'absent',
		});
	});

	it('the sandbox bin runs from the unpacked package with nothing on NODE_PATH', () => {
		const result = spawnSync(
			process.execPath,
			[join(packageDir, 'dist', 'sandbox', 'cli.js'), '--help'],
			{
				cwd: work,
				env: { PATH: process.env.PATH ?? '' },
				encoding: 'utf8',
				timeout: 30_000,
			},
		);
		expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
		expect(result.stdout).toMatch(/sandbox/i);
	});
});
