/**
 * ItemParameters asks n8n (getNodeParameter, the expression runtime) only where the answer can differ from a
 * direct read; the engine test in test/engine/bulk-campaign.test.ts shows the values equal n8n's.
 */
import type { IExecuteFunctions, INodeParameters } from 'n8n-workflow';

import { ItemParameters } from '../../nodes/common/item-parameters';

function context(parameters: INodeParameters, items: Array<Record<string, unknown>>) {
	const getNodeParameter = jest.fn(
		(name: string, index: number) => `n8n:${name}:${index}` as unknown,
	);
	const ctx = {
		getInputData: () => items.map((json) => ({ json })),
		getNode: () => ({ parameters }),
		getNodeParameter,
	} as unknown as IExecuteFunctions;
	return { ctx, getNodeParameter };
}

describe('ItemParameters', () => {
	it('reads bare $json fields from the item and a constant once, without the expression runtime', () => {
		const { ctx, getNodeParameter } = context(
			{ phone: '={{ $json.contact.phone }}', language: 'es', quoted: "={{ $json['a b'] }}" },
			[
				{ contact: { phone: '+5491100000001' }, 'a b': 1 },
				{ contact: { phone: 5491100000002 }, 'a b': true },
			],
		);
		const parameters = new ItemParameters(ctx);
		expect([0, 1].map((i) => parameters.get('phone', i, ''))).toEqual([
			'+5491100000001',
			5491100000002,
		]);
		expect([0, 1].map((i) => parameters.get('quoted', i, ''))).toEqual([1, true]);
		expect([0, 1].map((i) => parameters.get('language', i, ''))).toEqual([
			'n8n:language:0',
			'n8n:language:0',
		]);
		expect(getNodeParameter).toHaveBeenCalledTimes(1);
	});

	it('asks n8n per item for other expressions and for fields that are missing, null or objects', () => {
		const { ctx, getNodeParameter } = context(
			{ full: '={{ $json.first + " " + $json.last }}', name: '={{ $json.name }}' },
			[{ first: 'Ana', last: 'Gómez', name: { nested: true } }, { name: null }, {}],
		);
		const parameters = new ItemParameters(ctx);
		expect([0, 1, 2].map((i) => parameters.get('full', i, ''))).toEqual([
			'n8n:full:0',
			'n8n:full:1',
			'n8n:full:2',
		]);
		expect([0, 1, 2].map((i) => parameters.get('name', i, ''))).toEqual([
			'n8n:name:0',
			'n8n:name:1',
			'n8n:name:2',
		]);
		expect(getNodeParameter).toHaveBeenCalledTimes(6);
	});

	it('plans a resource mapper key by key, and hands it to n8n whole when one key needs n8n', () => {
		const direct = context(
			{
				variables: {
					mappingMode: 'defineBelow',
					value: { 'body.1': '={{ $json.name }}', 'body.2': 'Sofía' },
				},
			},
			[{ name: 'Ana' }, { name: 'Luis' }],
		);
		const parameters = new ItemParameters(direct.ctx);
		expect([0, 1].map((i) => parameters.mappedValues('variables', i))).toEqual([
			{ 'body.1': 'Ana', 'body.2': 'Sofía' },
			{ 'body.1': 'Luis', 'body.2': 'Sofía' },
		]);
		expect(direct.getNodeParameter).not.toHaveBeenCalled();

		const mixed = context(
			{
				variables: {
					mappingMode: 'defineBelow',
					value: { 'body.1': '={{ $json.name.toUpperCase() }}', 'body.2': 'Sofía' },
				},
			},
			[{ name: 'Ana' }],
		);
		mixed.getNodeParameter.mockReturnValue({ value: { 'body.1': 'ANA', 'body.2': 'Sofía' } });
		expect(new ItemParameters(mixed.ctx).mappedValues('variables', 0)).toEqual({
			'body.1': 'ANA',
			'body.2': 'Sofía',
		});
		expect(mixed.getNodeParameter).toHaveBeenCalledWith('variables', 0, { value: null });
	});

	it('a parameter that is not set reads n8n’s default once', () => {
		const { ctx, getNodeParameter } = context({}, [{}, {}]);
		const parameters = new ItemParameters(ctx);
		parameters.get('options.tags', 0, '');
		parameters.get('options.tags', 1, '');
		expect(getNodeParameter).toHaveBeenCalledTimes(1);
		expect(getNodeParameter).toHaveBeenCalledWith('options.tags', 0, '');
	});
});
