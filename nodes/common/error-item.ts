/**
 * The one shape of a Continue On Fail error item, for every node of the package: the same fields wherever an item
 * fails, so a workflow can route and report on failures from any of them alike.
 *
 * - `error`: the message, as the node would have thrown it (field named, what is wrong);
 * - `field`: the parameter at fault as the editor shows it ("Options › Query ID"), when one is;
 * - `fix`: the error's description, what to do about it;
 * - `code` and `details`: Meta's error code and its scrubbed body, for a Graph API refusal;
 * - `pairedItem`: the input item it stands for.
 *
 * A node adds its own status fields (e.g. `status: 'failed'`) through `extra`; the fields above always win.
 *
 * Which output it leaves by, with "On Error: Continue (using error output)": an item that is only an error (no
 * `extra`; Check Conversation Window, Bulk Campaign's Report) carries the error itself as n8n's own nodes do
 * (`item.error`), so n8n moves it to the error output; n8n recognises a plain-JSON error item only when its
 * fields are error, message and details alone, and ours have more. An item with status fields (`status:
 * 'failed'` from Send HSM Template, Bulk Campaign's Send, WhatsApp Templates) is one of its node's own results and
 * stays where the node puts it (the main output, Not Sent).
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

/**
 * A NodeOperationError that names the parameter at fault, so that `errorItem` can copy it into the item's `field`.
 * The message is passed whole: each node keeps its own wording ("Item 2: Template — …").
 */
export function fieldError(
	node: INode,
	field: string,
	message: string,
	options: { itemIndex?: number; description?: string } = {},
): NodeOperationError {
	return withField(new NodeOperationError(node, message, options), field);
}

/** Records the field (as the editor shows it) on an error built elsewhere; returns the same error. */
export function withField<T extends NodeOperationError | NodeApiError>(error: T, field: string): T {
	error.context.field = field;
	return error;
}

/** The Continue On Fail item for `error` at input item `itemIndex`. */
export function errorItem(
	error: unknown,
	itemIndex: number,
	extra: IDataObject = {},
): INodeExecutionData {
	const json: IDataObject = { ...extra, error: messageOf(error) };
	const field = (error as { context?: IDataObject }).context?.field;
	if (typeof field === 'string' && field !== '') json.field = field;
	const description = (error as { description?: unknown }).description;
	if (typeof description === 'string' && description !== '') json.fix = description;
	if (error instanceof NodeApiError) {
		const body = error.errorResponse as JsonObject | undefined;
		if (body && typeof body.code === 'number') json.code = body.code;
		if (body) json.details = body as IDataObject;
	}
	const item: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
	const onlyAnError = Object.keys(extra).length === 0;
	if (onlyAnError && (error instanceof NodeOperationError || error instanceof NodeApiError))
		item.error = error;
	return item;
}

/** The same error item for each of `indexes` (one failure that stops every item, e.g. an unreachable store). */
export function errorItems(
	error: unknown,
	indexes: Iterable<number>,
	extra: IDataObject = {},
): INodeExecutionData[] {
	return [...indexes].map((index) => errorItem(error, index, extra));
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
