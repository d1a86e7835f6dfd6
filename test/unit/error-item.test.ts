/**
 * errorItem, the one shape of a Continue On Fail item in every node: the message, the field as the editor shows
 * it, the fix, Meta's code, the input item; and only a bare error item goes to n8n's error output.
 */
import { NodeOperationError, type INode } from 'n8n-workflow';

import { GraphApiError } from '../../lib/cloud-api/client';
import { errorItem, errorItems, fieldError } from '../../nodes/common/error-item';
import { toNodeError } from '../../nodes/common/transport';

const node: INode = {
	id: 'n1',
	name: 'Bulk Campaign',
	type: 'n8n-nodes-whatsapp-hsm.bulkCampaign',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

describe('errorItem', () => {
	it('names the field and the fix of a field error, paired with its input item', () => {
		const error = fieldError(node, 'Options › Query ID', 'Item 2: Options › Query ID — empty', {
			itemIndex: 2,
			description: 'Map the ticket ID',
		});
		const item = errorItem(error, 2);
		expect(item.json).toEqual({
			error: 'Item 2: Options › Query ID — empty',
			field: 'Options › Query ID',
			fix: 'Map the ticket ID',
		});
		expect(item.pairedItem).toEqual({ item: 2 });
		// A bare error item carries the error, which sends it to the error output when that is enabled.
		expect(item.error).toBe(error);
	});

	it("gives a Graph API refusal's Meta code and body, and keeps the node's status fields", () => {
		const refusal = toNodeError(
			node,
			new GraphApiError({ code: 131026, httpStatus: 400, message: 'Message undeliverable' }),
			{ itemIndex: 0 },
		);
		const item = errorItem(refusal, 0, { status: 'failed', error: 'overwritten' });
		expect(item.json).toMatchObject({
			status: 'failed',
			error: expect.stringMatching(/^WhatsApp error 131026/),
			code: 131026,
			details: expect.objectContaining({ code: 131026 }),
		});
		expect(typeof item.json.fix).toBe('string');
		expect(item.json.field).toBeUndefined();
		// A result with status fields stays in its node's own output.
		expect(item.error).toBeUndefined();
	});

	it('reports one failure for several items, and a plain error by its message', () => {
		const items = errorItems(new Error('Redis is down'), [0, 3]);
		expect(items.map((item) => [item.pairedItem, item.json])).toEqual([
			[{ item: 0 }, { error: 'Redis is down' }],
			[{ item: 3 }, { error: 'Redis is down' }],
		]);
		expect(errorItem(new NodeOperationError(node, 'x'), 1).json).toEqual({ error: 'x' });
	});
});
