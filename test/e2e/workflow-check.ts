/**
 * What n8n's editor would flag in an exported workflow, checked against the node type descriptions a real n8n
 * serves (`/types/nodes.json`): unknown node types or versions, parameters the node does not have (or does not
 * show with the other values), missing required parameters, connections to missing nodes or outputs, and
 * credentials not named as the examples' instructions say.
 */
import {
	NodeHelpers,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodeTypeDescription,
} from 'n8n-workflow';

import type { NodeTypeDescription, WorkflowJson } from '../../scripts/n8n/rest';

type Description = NodeTypeDescription & INodeTypeDescription;

function findDescription(
	types: NodeTypeDescription[],
	node: { type: string; typeVersion: number },
): Description | undefined {
	return types.find(
		(type) =>
			type.name === node.type &&
			(Array.isArray(type.version)
				? type.version.includes(node.typeVersion)
				: type.version === node.typeVersion),
	) as Description | undefined;
}

/** Keys of `collection` parameters that are not among the collection's options. */
function unknownCollectionKeys(
	properties: INodeProperties[],
	parameters: INodeParameters,
	shown: INodeParameters,
): string[] {
	const problems: string[] = [];
	for (const [name, value] of Object.entries(parameters)) {
		if (!(name in shown) || typeof value !== 'object' || value === null || Array.isArray(value))
			continue;
		const collections = properties.filter(
			(property) => property.name === name && property.type === 'collection',
		);
		if (collections.length === 0) continue;
		const allowed = new Set(
			collections.flatMap((property) =>
				(property.options ?? []).map((option) => (option as { name: string }).name),
			),
		);
		for (const key of Object.keys(value)) if (!allowed.has(key)) problems.push(`${name}.${key}`);
	}
	return problems;
}

function outputCount(description: Description): number | undefined {
	return Array.isArray(description.outputs) ? description.outputs.length : undefined;
}

export function checkWorkflow(
	workflow: WorkflowJson,
	types: NodeTypeDescription[],
	options: { credentialName?: string } = {},
): string[] {
	const problems: string[] = [];
	const names = new Set<string>();
	const descriptions = new Map<string, Description>();
	for (const node of workflow.nodes) {
		if (names.has(node.name)) problems.push(`two nodes are named "${node.name}"`);
		names.add(node.name);
		const description = findDescription(types, node);
		if (!description) {
			const known = types
				.filter((type) => type.name === node.type)
				.map((type) => JSON.stringify(type.version));
			problems.push(
				`"${node.name}": n8n has no node type ${node.type} version ${node.typeVersion}${known.length ? ` (versions: ${known.join(', ')})` : ''}`,
			);
			continue;
		}
		descriptions.set(node.name, description);
		const asNode = { ...node, parameters: node.parameters as INodeParameters } as unknown as INode;
		const shown =
			NodeHelpers.getNodeParameters(
				description.properties,
				asNode.parameters,
				true,
				false,
				asNode,
				description,
			) ?? {};
		for (const name of Object.keys(node.parameters)) {
			if (!(name in shown))
				problems.push(
					`"${node.name}": parameter "${name}" is unknown or hidden by the other values`,
				);
		}
		for (const key of unknownCollectionKeys(description.properties, asNode.parameters, shown))
			problems.push(`"${node.name}": option "${key}" is unknown`);
		const issues = NodeHelpers.getNodeParametersIssues(
			description.properties,
			{ ...asNode, parameters: shown },
			description,
		);
		for (const [parameter, messages] of Object.entries(issues?.parameters ?? {}))
			problems.push(`"${node.name}": ${parameter}: ${messages.join('; ')}`);
		for (const slot of Object.keys(node.credentials ?? {})) {
			const declared = (description.credentials ?? []).some(
				(credential) => credential.name === slot,
			);
			if (!declared)
				problems.push(
					`"${node.name}": credential slot "${slot}" is not one of the node's credentials`,
				);
			const name = node.credentials?.[slot]?.name;
			if (options.credentialName && name !== options.credentialName)
				problems.push(
					`"${node.name}": credential "${slot}" is named "${name}", expected "${options.credentialName}"`,
				);
		}
		const required = (description.credentials ?? []).filter(
			(credential) => credential.required && !credential.displayOptions,
		);
		for (const credential of required) {
			if (!node.credentials?.[credential.name])
				problems.push(`"${node.name}": the required credential "${credential.name}" is not set`);
		}
	}
	const connections = workflow.connections as Record<
		string,
		{ main?: Array<Array<{ node: string; index: number }> | null> }
	>;
	for (const [source, byType] of Object.entries(connections)) {
		if (!names.has(source)) problems.push(`connections start at a missing node "${source}"`);
		const description = descriptions.get(source);
		const outputs = description ? outputCount(description) : undefined;
		(byType.main ?? []).forEach((targets, output) => {
			if (outputs !== undefined && output >= outputs && (targets ?? []).length > 0)
				problems.push(`"${source}" has no output ${output}`);
			for (const target of targets ?? [])
				if (!names.has(target.node))
					problems.push(`"${source}" connects to a missing node "${target.node}"`);
		});
	}
	return problems;
}
