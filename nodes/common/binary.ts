import { isBinaryValue, type IBinaryData, type IExecuteFunctions } from 'n8n-workflow';

import { base64Bytes } from '../../lib/media/file';
import type { BinaryResolver } from '../../lib/templates';

/**
 * A media slot's binary reference → the item's file, through n8n's own binary helpers (assertBinaryData,
 * getBinaryDataBuffer), so every binary data mode (memory, filesystem, database, S3) works. The file is read
 * only when it is uploaded; its size is known before from n8n's `bytes` (or the base64 length).
 */
export function binaryResolver(ctx: IExecuteFunctions, itemIndex: number): BinaryResolver {
	return (given) => {
		let reference = given;
		if (typeof reference !== 'string' && !isBinaryValue(reference)) {
			// {{ $binary.data }} leaves out the file's bytes in memory mode: find the property it describes.
			const own = ctx.getInputData()[itemIndex]?.binary ?? {};
			const described = reference;
			const match = Object.entries(own).find(([, data]) =>
				Object.entries(described).every(
					([key, value]) => (data as Record<string, unknown>)[key] === value,
				),
			);
			if (!match)
				return {
					ok: false,
					message:
						"the binary file object is not one of this item's binary properties: map the binary property's name instead, e.g. data",
				};
			reference = match[0];
		}
		const named = typeof reference === 'string';
		let data: IBinaryData;
		try {
			data = ctx.helpers.assertBinaryData(itemIndex, reference as string | IBinaryData);
		} catch {
			if (!named)
				return {
					ok: false,
					message:
						"the binary file object is incomplete (no mimeType or data): map the binary property's name instead, e.g. data",
				};
			const names = Object.keys(ctx.getInputData()[itemIndex]?.binary ?? {});
			if (names.length === 0) return undefined;
			return {
				ok: false,
				message: `the item has no binary property "${reference}"; its binary properties are ${names.map((name) => `"${name}"`).join(', ')}: map one of those names`,
			};
		}
		const source = named ? `binary property "${reference}"` : 'the binary file';
		const bytes =
			typeof data.bytes === 'number'
				? data.bytes
				: data.id
					? undefined
					: base64Bytes(String(data.data ?? ''));
		return {
			ok: true,
			file: {
				source,
				mimeType: data.mimeType,
				fileName: data.fileName,
				bytes,
				identity: data.id,
				load: () =>
					ctx.helpers.getBinaryDataBuffer(itemIndex, named ? (reference as string) : data),
			},
		};
	};
}
