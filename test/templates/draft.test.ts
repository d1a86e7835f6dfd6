/** Meta's creation rules applied to a draft before anything is submitted: every problem named by its editor field. */
import {
	checkTemplateDraft,
	parseExamples,
	type TemplateDraft,
} from '../../lib/template-management';

const base: TemplateDraft = {
	name: 'lab_results_ready',
	category: 'UTILITY',
	language: 'es',
	body: 'Hola {{1}}, tus resultados del {{2}} ya están disponibles.',
	bodyExamples: ['Emilia', '12/10'],
};
const problems = (draft: Partial<TemplateDraft>) => {
	const result = checkTemplateDraft({ ...base, ...draft });
	return result.ok ? [] : result.problems.map((problem) => `${problem.field}: ${problem.message}`);
};

describe('checkTemplateDraft', () => {
	test("a valid positional draft becomes Meta's create request with examples", () => {
		const result = checkTemplateDraft({
			...base,
			header: { format: 'TEXT', text: 'Resultados de {{1}}', example: 'Emilia' },
			footer: 'SaludCenter',
			buttons: [
				{
					type: 'URL',
					text: 'Ver resultados',
					url: 'https://lab.example.com/r/{{1}}',
					example: 'https://lab.example.com/r/A17',
				},
				{ type: 'PHONE_NUMBER', text: 'Llamar', phoneNumber: '+54 9 11 4000-1000' },
			],
		});
		expect(result).toEqual({
			ok: true,
			request: {
				name: 'lab_results_ready',
				language: 'es',
				category: 'UTILITY',
				parameter_format: 'POSITIONAL',
				components: [
					{
						type: 'HEADER',
						format: 'TEXT',
						text: 'Resultados de {{1}}',
						example: { header_text: ['Emilia'] },
					},
					{ type: 'BODY', text: base.body, example: { body_text: [['Emilia', '12/10']] } },
					{ type: 'FOOTER', text: 'SaludCenter' },
					{
						type: 'BUTTONS',
						buttons: [
							{
								type: 'URL',
								text: 'Ver resultados',
								url: 'https://lab.example.com/r/{{1}}',
								example: ['https://lab.example.com/r/A17'],
							},
							{ type: 'PHONE_NUMBER', text: 'Llamar', phone_number: '+5491140001000' },
						],
					},
				],
			},
		});
	});

	test('named parameters take "name: example" lines', () => {
		const result = checkTemplateDraft({
			...base,
			body: 'Hola {{first_name}}, tu pedido {{order_id}} está listo.',
			bodyExamples: parseExamples('first_name: Emilia\norder_id: A-17'),
		});
		expect(result.ok && result.request).toMatchObject({
			parameter_format: 'NAMED',
			components: [
				{
					type: 'BODY',
					example: {
						body_text_named_params: [
							{ param_name: 'first_name', example: 'Emilia' },
							{ param_name: 'order_id', example: 'A-17' },
						],
					},
				},
			],
		});
	});

	test('name format, category, language', () => {
		expect(problems({ name: 'Lab Results' })).toEqual([
			'Name: Name "Lab Results" may only have lowercase letters, digits and underscores: e.g. lab_results',
		]);
		expect(problems({ category: 'AUTHENTICATION' })[0]).toMatch(
			/^Category: Authentication templates use Meta's fixed wording/,
		);
		expect(problems({ language: 'Spanish' })).toEqual([
			'Language: Language "Spanish" is not a WhatsApp language code: use es, en_US, pt_BR…',
		]);
	});

	test('body length, variables in order, not at the ends, an example for each', () => {
		expect(
			problems({ body: `Hola {{1}}, ${'x'.repeat(1030)} gracias.`, bodyExamples: ['E'] }),
		).toEqual(['Body: Body is 1051 characters; Meta allows 1024: shorten it']);
		expect(problems({ body: 'Hola {{2}}, resultados del {{1}} listos.' })[0]).toBe(
			'Body: Body numbers its variables {{2}}, {{1}}; they must appear in order starting at {{1}} with no gaps: {{1}}, {{2}}',
		);
		expect(
			problems({
				body: 'Hola {{1}}, resultados del {{3}} listos.',
				bodyExamples: ['a', 'b', 'c'],
			})[0],
		).toMatch(/in order starting at \{\{1\}\} with no gaps: \{\{1\}\}, \{\{2\}\}/);
		expect(problems({ body: '{{1}}, tus resultados están listos.', bodyExamples: ['E'] })).toEqual([
			'Body: Body starts or ends with a variable, which Meta rejects: put words before the first and after the last variable',
		]);
		expect(
			problems({ body: 'Tus resultados están listos, {{1}}.', bodyExamples: ['E'] })[0],
		).toMatch(/starts or ends with a variable/);
		expect(problems({ bodyExamples: ['Emilia'] })).toEqual([
			'Body Examples: Body Examples has no example for {{2}}: Meta reviews templates with an example for every variable (one per line)',
		]);
	});

	test('buttons: kinds, counts, grouping, labels, URL variable, coupon example', () => {
		const quick = (text: string) => ({ type: 'QUICK_REPLY', text });
		expect(problems({ buttons: Array.from({ length: 11 }, (_, i) => quick(`B${i}`)) })).toEqual(
			expect.arrayContaining(['Buttons: 11 buttons; Meta allows 10']),
		);
		expect(
			problems({
				buttons: [
					{ type: 'URL', text: 'A', url: 'https://a.example' },
					{ type: 'URL', text: 'B', url: 'https://b.example' },
					{ type: 'URL', text: 'C', url: 'https://c.example' },
				],
			}),
		).toEqual(['Buttons › 3: Buttons › 3: more than 2 url button(s); Meta allows 2']);
		expect(
			problems({
				buttons: [quick('Sí'), { type: 'URL', text: 'Web', url: 'https://a.example' }, quick('No')],
			}),
		).toEqual([
			'Buttons › 3: Buttons › 3: quick replies must be next to each other (all before or all after the other buttons)',
		]);
		expect(problems({ buttons: [quick('Confirmar mi turno de mañana por favor')] })).toEqual([
			'Buttons › 1 › Text: Buttons › 1 › Text is 38 characters; Meta allows 25',
		]);
		expect(
			problems({
				buttons: [{ type: 'URL', text: 'Ver', url: 'https://lab.example.com/{{1}}/x' }],
			})[0],
		).toMatch(/one variable, \{\{1\}\}, at its very end/);
		expect(
			problems({ buttons: [{ type: 'URL', text: 'Ver', url: 'https://lab.example.com/r/{{1}}' }] }),
		).toEqual([
			'Buttons › 1 › Example: Buttons › 1 › Example is empty: give a full example link for the {{1}} in the URL',
		]);
		expect(problems({ buttons: [{ type: 'COPY_CODE', example: 'SALUD-10' }] })[0]).toMatch(
			/sample coupon code of letters and digits/,
		);
		expect(problems({ buttons: [{ type: 'CALL_ME', text: 'x' }] })[0]).toMatch(
			/type "CALL_ME" is not Quick Reply, URL, Phone Number or Copy Code/,
		);
	});

	test('headers: text length and one variable with its example; media headers need a sample handle', () => {
		expect(
			problems({ header: { format: 'TEXT', text: 'Hola {{1}} y {{2}}', example: 'E' } }),
		).toEqual(expect.arrayContaining(['Header Text: Header Text has 2 variables; Meta allows 1']));
		expect(problems({ header: { format: 'TEXT', text: 'Resultados de {{1}}' } })).toEqual([
			'Header Example: Header Example is empty: give an example for {{1}}',
		]);
		expect(problems({ header: { format: 'DOCUMENT' } })[0]).toMatch(
			/^Header Example Handle: Header Example Handle is empty/,
		);
		expect(problems({ footer: 'Gracias {{1}}' })).toEqual([
			'Footer: Footer has a variable; footers are fixed text',
		]);
	});
});
