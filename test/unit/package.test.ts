import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { loadPackage } from '../helpers/node-types';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	keywords: string[];
	files: string[];
	peerDependencies: Record<string, string>;
	n8n: { n8nNodesApiVersion: number; nodes: string[]; credentials: string[] };
};

describe('the package as n8n loads it', () => {
	it('is a community node package', () => {
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.files).toEqual(['dist']);
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
	});

	it('lists the five nodes and both credentials', () => {
		const { nodes, credentials } = loadPackage();
		expect(Object.keys(nodes).sort()).toEqual(
			[
				'bulkCampaign',
				'checkConversationWindow',
				'sendHsmTemplate',
				'whatsAppHsmTrigger',
				'whatsAppTemplates',
			].map((name) => `n8n-nodes-whatsapp-hsm.${name}`),
		);
		expect(Object.keys(credentials).sort()).toEqual(['whatsAppCloudApi', 'whatsAppStoreRedisApi']);
	});

	it('dist/ (npm run build) holds every file the n8n section names, their codex files and their icons', () => {
		const { nodes, credentials } = loadPackage();
		// Themed icons ({ light, dark }, n8n's icon-prefer-themed-variants): both files must ship.
		const icons = new Map<string, string[]>();
		const iconFiles = (icon: unknown): string[] =>
			typeof icon === 'object' && icon !== null
				? [String((icon as { light: string }).light), String((icon as { dark: string }).dark)]
				: [String(icon)];
		for (const path of pkg.n8n.nodes) {
			const node = Object.values(nodes).find((candidate) =>
				path.endsWith(`/${candidate.constructor.name}.node.js`),
			);
			expect(node).toBeDefined();
			icons.set(path, iconFiles(node!.description.icon));
		}
		for (const path of pkg.n8n.credentials) {
			const credential = Object.values(credentials).find((candidate) =>
				path.endsWith(`/${candidate.constructor.name}.credentials.js`),
			);
			expect(credential).toBeDefined();
			icons.set(path, iconFiles(credential!.icon));
		}
		const missing: string[] = [];
		for (const [path, files] of icons) {
			const file = join(root, path);
			if (!existsSync(file)) missing.push(path);
			if (path.endsWith('.node.js') && !existsSync(file.replace(/\.js$/, '.json')))
				missing.push(path.replace(/\.js$/, '.json'));
			expect([path, files.length]).toEqual([path, 2]);
			for (const icon of files) {
				const iconFile = join(dirname(file), icon.replace(/^file:/, ''));
				if (!existsSync(iconFile)) missing.push(iconFile.slice(root.length + 1));
			}
		}
		expect({ missing, hint: 'run `npm run build` first (.ci/run does)' }).toEqual({
			missing: [],
			hint: expect.any(String),
		});
	});
});
