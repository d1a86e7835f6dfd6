/** templatePreview / templatePreviewLine: the template's text before values, as the editor's dropdowns show it. */

import { buildTemplateMessage } from '../../lib/templates';
import { templatePreview, templatePreviewLine } from '../../lib/templates/preview';
import * as fx from './fixtures';

describe('templatePreview', () => {
	test('header, body, footer and buttons in reading order, variables unfilled', () => {
		expect(templatePreview(fx.appointmentReminderEs)).toBe(
			'Recordatorio de turno\n\nHola {{1}}, te recordamos tu turno: {{2}}. ¿Confirmás tu asistencia?\n\nSaludCenter\n\n[Confirmar] [Cancelar]',
		);
	});

	test('a media header is named, not left out; named variables stay named', () => {
		expect(templatePreview(fx.taxiDiscount).split('\n\n')[0]).toBe('[Image]');
		expect(templatePreview(fx.orderUpdate)).toMatch(/\{\{first_name\}\}/);
	});

	test('it reads like the sent text with its values filled in (the same header / body / footer)', () => {
		const built = buildTemplateMessage({
			template: fx.appointmentReminderEs,
			to: fx.EMILIA,
			values: { 'body.1': 'Emilia', 'body.2': 'martes 14/05' },
		});
		if (!built.ok) throw new Error(JSON.stringify(built.errors));
		const unfilled = templatePreview(fx.appointmentReminderEs)
			.replace('{{1}}', 'Emilia')
			.replace('{{2}}', 'martes 14/05');
		expect(unfilled.startsWith(built.renderedText)).toBe(true);
	});

	test('one line for a dropdown: parts separated by " · ", long text cut with an ellipsis', () => {
		expect(templatePreviewLine(fx.appointmentReminderEs)).toBe(
			'Recordatorio de turno · Hola {{1}}, te recordamos tu turno: {{2}}. ¿Confirmás tu asistencia? · SaludCenter · [Confirmar] [Cancelar]',
		);
		const cut = templatePreviewLine(fx.appointmentReminderEs, 30);
		expect(cut.length).toBeLessThanOrEqual(30);
		expect(cut.endsWith('…')).toBe(true);
	});
});
