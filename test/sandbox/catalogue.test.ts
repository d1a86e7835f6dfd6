/** The default catalogue's contents, loading custom catalogues, and every approved template sendable from its own examples. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { MessageTemplate } from '../../lib/cloud-api/types';
import { DEFAULT_CATALOGUE_PATH, loadCatalogueFile, startSandbox } from '../../sandbox';
import { placeholdersOf } from '../../sandbox/template-catalogue';
import { graphError, reminder, send, templateSend } from './helpers';

const catalogue = loadCatalogueFile(DEFAULT_CATALOGUE_PATH);
const find = (name: string, language: string) =>
	catalogue.find((t) => t.name === name && t.language === language);
const component = (template: MessageTemplate | undefined, type: string) =>
	template?.components.find((c) => c.type === type);

describe('default catalogue', () => {
	test.each(['es', 'en'])('the seed scenarios exist in %s', (language) => {
		const reminderTemplate = find('appointment_reminder', language);
		expect(reminderTemplate).toMatchObject({ status: 'APPROVED', category: 'UTILITY' });
		expect(placeholdersOf(component(reminderTemplate, 'BODY')?.text)).toEqual(['1', '2']);
		expect(component(reminderTemplate, 'BUTTONS')?.buttons?.map((b) => [b.type, b.text])).toEqual(
			language === 'es'
				? [
						['QUICK_REPLY', 'Confirmar'],
						['QUICK_REPLY', 'Cancelar'],
					]
				: [
						['QUICK_REPLY', 'Confirm'],
						['QUICK_REPLY', 'Cancel'],
					],
		);
		expect(placeholdersOf(component(find('resume_contact', language), 'BODY')?.text)).toEqual([
			'1',
			'2',
		]);
		const taxi = find('taxi_discount', language);
		expect(taxi).toMatchObject({ category: 'MARKETING', status: 'APPROVED' });
		expect(component(taxi, 'HEADER')?.format).toBe('IMAGE');
		expect(component(taxi, 'BODY')?.text).toMatch(/10 ?%/);
		expect(component(taxi, 'BUTTONS')?.buttons?.[0]).toMatchObject({
			type: 'URL',
			url: expect.stringContaining('{{1}}'),
		});
		expect(find('order_update', language)).toMatchObject({ parameter_format: 'NAMED' });
		expect(component(find('coupon_code', language), 'BUTTONS')?.buttons?.[0].type).toBe(
			'COPY_CODE',
		);
		expect(find('verification_code', language)?.category).toBe('AUTHENTICATION');
		expect(component(find('branch_location', language), 'HEADER')?.format).toBe('LOCATION');
		expect(component(find('pre_visit_form', language), 'BUTTONS')?.buttons?.[0].type).toBe('FLOW');
		expect(find('payment_due', language)).toBeDefined();
	});

	test('PENDING, REJECTED, PAUSED and DISABLED templates are included', () => {
		expect(new Set(catalogue.map((t) => t.status))).toEqual(
			new Set(['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED']),
		);
	});

	test('every example matches its placeholders (count, or names for NAMED templates)', () => {
		for (const template of catalogue) {
			const body = component(template, 'BODY')!;
			const placeholders = placeholdersOf(body.text);
			if (placeholders.length === 0) continue;
			if (template.parameter_format === 'NAMED') {
				expect(body.example?.body_text_named_params?.map((p) => p.param_name).sort()).toEqual(
					[...placeholders].sort(),
				);
			} else {
				expect({ template: template.name, count: body.example?.body_text?.[0].length }).toEqual({
					template: template.name,
					count: placeholders.length,
				});
			}
		}
	});
});

/** A send built from the template's own examples, as a node would build it from user values. */
function exampleSend(template: MessageTemplate): Record<string, unknown> {
	const named = template.parameter_format === 'NAMED';
	const components: unknown[] = [];
	for (const part of template.components) {
		if (part.type === 'HEADER') {
			if (part.format === 'TEXT' && placeholdersOf(part.text).length > 0) {
				const parameters = named
					? part.example!.header_text_named_params!.map((p) => ({
							type: 'text',
							parameter_name: p.param_name,
							text: p.example,
						}))
					: part.example!.header_text!.map((value) => ({ type: 'text', text: value }));
				components.push({ type: 'header', parameters });
			} else if (part.format === 'LOCATION') {
				components.push({
					type: 'header',
					parameters: [{ type: 'location', location: { latitude: -34.6, longitude: -58.4 } }],
				});
			} else if (part.format && part.format !== 'TEXT') {
				const type = part.format.toLowerCase();
				components.push({
					type: 'header',
					parameters: [{ type, [type]: { link: part.example!.header_handle![0] } }],
				});
			}
		}
		if (part.type === 'BODY' && placeholdersOf(part.text).length > 0) {
			const parameters = named
				? part.example!.body_text_named_params!.map((p) => ({
						type: 'text',
						parameter_name: p.param_name,
						text: p.example,
					}))
				: part.example!.body_text![0].map((value) => ({ type: 'text', text: value }));
			components.push({ type: 'body', parameters });
		}
		if (part.type === 'BUTTONS') {
			part.buttons!.forEach((button, index) => {
				if (button.type === 'URL' && placeholdersOf(button.url).length > 0) {
					const example = String(
						Array.isArray(button.example) ? button.example[0] : button.example,
					);
					const prefix = button.url!.slice(0, button.url!.indexOf('{{'));
					components.push({
						type: 'button',
						sub_type: 'url',
						index: String(index),
						parameters: [{ type: 'text', text: example.slice(prefix.length) }],
					});
				}
				if (button.type === 'COPY_CODE') {
					components.push({
						type: 'button',
						sub_type: 'copy_code',
						index: String(index),
						parameters: [{ type: 'coupon_code', coupon_code: String(button.example) }],
					});
				}
			});
		}
	}
	return templateSend(template.name, template.language, components, '5491155551234');
}

test('every APPROVED template is accepted when sent with its own example values; the others are refused', async () => {
	const sandbox = await startSandbox({
		throughputMps: 1000,
		pairRate: { burst: 100, perSecond: 1 },
	});
	try {
		for (const template of catalogue) {
			const reply = await send(sandbox.url, exampleSend(template));
			const expected =
				template.status === 'APPROVED'
					? 200
					: template.status === 'PAUSED' || template.status === 'DISABLED'
						? 400
						: 404;
			expect({
				template: `${template.name}/${template.language}`,
				status: reply.status,
				body: reply.status === 200 ? 'ok' : reply.body,
			}).toMatchObject({
				status: expected,
			});
		}
	} finally {
		await sandbox.stop();
	}
});

describe('custom catalogues', () => {
	const mine: MessageTemplate = {
		id: '42',
		name: 'hello_world',
		language: 'en_US',
		status: 'APPROVED',
		category: 'UTILITY',
		components: [{ type: 'BODY', text: 'Hello {{1}}', example: { body_text: [['Ana']] } }],
	};

	test('from an array', async () => {
		const sandbox = await startSandbox({ catalogue: [mine] });
		try {
			expect(sandbox.control.templates()).toEqual([mine]);
			expect(
				(
					await send(
						sandbox.url,
						templateSend('hello_world', 'en_US', [
							{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] },
						]),
					)
				).status,
			).toBe(200);
			expect(graphError(await send(sandbox.url, reminder())).code).toBe(132001);
		} finally {
			await sandbox.stop();
		}
	});

	test('from a file, either an array or a saved message_templates answer ({data: [...]})', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'sandbox-catalogue-'));
		writeFileSync(join(dir, 'list.json'), JSON.stringify([mine]));
		writeFileSync(
			join(dir, 'answer.json'),
			JSON.stringify({ data: [mine], paging: { cursors: {} } }),
		);
		expect(loadCatalogueFile(join(dir, 'list.json'))).toEqual([mine]);
		expect(loadCatalogueFile(join(dir, 'answer.json'))).toEqual([mine]);
	});

	test('mistakes are named: missing file, bad JSON, bad status, duplicate name and language', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'sandbox-catalogue-'));
		expect(() => loadCatalogueFile(join(dir, 'missing.json'))).toThrow(
			/cannot read .*missing\.json \(ENOENT\)/,
		);
		writeFileSync(join(dir, 'bad.json'), '[{');
		expect(() => loadCatalogueFile(join(dir, 'bad.json'))).toThrow(/is not valid JSON/);
		await expect(startSandbox({ catalogue: [{ ...mine, status: 'OK' as never }] })).rejects.toThrow(
			'template #1 (hello_world): "status" must be one of APPROVED',
		);
		await expect(startSandbox({ catalogue: [mine, { ...mine }] })).rejects.toThrow(
			'hello_world in en_US appears twice',
		);
		await expect(startSandbox({ catalogue: [{ ...mine, components: [] }] })).rejects.toThrow(
			'"components" must be an array with a BODY component',
		);
	});
});
