/**
 * A template's text as the recipient will read it, before any value is filled in ({{1}}, {{first_name}} stay as
 * they are): what the editor shows while a template and its language are being chosen. The filled-in text of
 * one send is a build's `renderedText` (build.ts), which uses the same header / body / footer order.
 */
import type { MessageTemplate } from '../cloud-api/types';
import { renderedToText, type RenderedTemplate } from './build';

/** What stands for a header that is not text (the recipient sees the media or the map there). */
const MEDIA_HEADER_LABELS: Readonly<Record<string, string>> = {
	IMAGE: '[Image]',
	VIDEO: '[Video]',
	DOCUMENT: '[Document]',
	LOCATION: '[Location]',
};

/** Header (its text, or a label for a media or location header), body, footer and button labels, unfilled. */
export function templateParts(template: MessageTemplate): RenderedTemplate {
	const component = (type: string) =>
		template.components.find((part) => String(part.type ?? '').toUpperCase() === type);
	const header = component('HEADER');
	const format = String(header?.format ?? 'TEXT').toUpperCase();
	const headerText = header
		? format === 'TEXT'
			? header.text || undefined
			: (MEDIA_HEADER_LABELS[format] ?? `[${format}]`)
		: undefined;
	const footer = component('FOOTER')?.text || undefined;
	return {
		...(headerText !== undefined ? { header: headerText } : {}),
		body: component('BODY')?.text ?? '',
		...(footer !== undefined ? { footer } : {}),
		buttons: (component('BUTTONS')?.buttons ?? [])
			.map((button) => button.text ?? '')
			.filter((text) => text !== ''),
	};
}

/** The unfilled text on several lines: header, body and footer blank-line separated, then the buttons. */
export function templatePreview(template: MessageTemplate): string {
	const parts = templateParts(template);
	const buttons = parts.buttons.map((text) => `[${text}]`).join(' ');
	return [renderedToText(parts), buttons].filter((part) => part !== '').join('\n\n');
}

/** The same on one line (a dropdown description): the parts separated by " · ", long text cut at `maxLength`. */
export function templatePreviewLine(template: MessageTemplate, maxLength = 300): string {
	const line = templatePreview(template)
		.split(/\n\n+/)
		.map((part) => part.replace(/\s+/g, ' ').trim())
		.filter((part) => part !== '')
		.join(' · ');
	return line.length > maxLength ? `${line.slice(0, maxLength - 1).trimEnd()}…` : line;
}
