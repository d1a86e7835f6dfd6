/**
 * toNodeError, the one way errors leave a node (n8n's require-node-api-error rule): always one of n8n's node
 * errors, so the editor shows the node, the item and the fix, and never a secret.
 */
import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { GraphApiError } from '../../lib/cloud-api/client';
import { toNodeError } from '../../nodes/common/transport';

const node: INode = {
	id: 'n1',
	name: 'Send HSM Template',
	type: 'n8n-nodes-whatsapp-hsm.sendHsmTemplate',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

describe('toNodeError', () => {
	it('turns a Graph API refusal into a NodeApiError with Meta code and the fix, on its item', () => {
		const error = toNodeError(
			node,
			new GraphApiError({
				code: 132001,
				httpStatus: 404,
				message: 'Template name does not exist in the translation',
			}),
			{ itemIndex: 3 },
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/^WhatsApp error 132001/);
		expect(error.context.itemIndex).toBe(3);
	});

	it('passes n8n node errors through unchanged', () => {
		const original = new NodeOperationError(node, 'Contact — give a phone number', {
			itemIndex: 1,
		});
		expect(toNodeError(node, original, { itemIndex: 5 })).toBe(original);
	});

	it('wraps anything else (a store or file failure) in a NodeOperationError on its item, secrets removed', () => {
		const error = toNodeError(node, new Error('WRONGPASS for s3cr3t-redis-pass at 10.0.0.5'), {
			itemIndex: 2,
			secrets: ['s3cr3t-redis-pass'],
		});
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).not.toContain('s3cr3t-redis-pass');
		expect(error.message).toMatch(/^WRONGPASS for .+ at 10\.0\.0\.5$/);
		expect(error.context.itemIndex).toBe(2);
		expect(toNodeError(node, 'plain text thrown').message).toBe('plain text thrown');
	});
});
