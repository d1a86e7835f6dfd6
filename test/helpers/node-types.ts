import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type {
	ICredentialType,
	IDataObject,
	INodeType,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';

const root = join(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-whatsapp-hsm';

interface PackageJson {
	n8n: { nodes: string[]; credentials: string[] };
}

/** `dist/nodes/X/X.node.js` → the TypeScript source, so engine tests run without a build. */
function sourceOf(distPath: string): string {
	return join(root, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
}

function loadClassInstance<T>(path: string): T {
	// A path known only at run time: loaded like n8n loads a listed file (CommonJS require).
	const exported = createRequire(__filename)(path) as Record<string, new () => T>;
	const Class = Object.values(exported).find((value) => typeof value === 'function');
	if (!Class) throw new Error(`${path} exports no class`);
	return new Class();
}

/** Every node and credential the package.json `n8n` section lists: the same list n8n loads. */
export function loadPackage(): {
	nodes: Record<string, INodeType>;
	credentials: Record<string, ICredentialType>;
} {
	const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
	const nodes: Record<string, INodeType> = {};
	for (const path of pkg.n8n.nodes) {
		const node = loadClassInstance<INodeType>(sourceOf(path));
		nodes[`${PACKAGE_NAME}.${node.description.name}`] = node;
	}
	const credentials: Record<string, ICredentialType> = {};
	for (const path of pkg.n8n.credentials) {
		const credential = loadClassInstance<ICredentialType>(sourceOf(path));
		credentials[credential.name] = credential;
	}
	return { nodes, credentials };
}

/** INodeTypes over our package's nodes plus any extra (test-only) node types. */
export class PackageNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType>) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		return this.getByNameAndVersion(nodeType);
	}

	getByNameAndVersion(nodeType: string): INodeType {
		const type = this.types[nodeType];
		if (!type)
			throw new Error(
				`Unknown node type ${nodeType}: known are ${Object.keys(this.types).join(', ')}`,
			);
		return type;
	}

	getKnownTypes(): IDataObject {
		return Object.fromEntries(
			Object.keys(this.types).map((name) => [name, { className: name, sourcePath: '' }]),
		);
	}
}
