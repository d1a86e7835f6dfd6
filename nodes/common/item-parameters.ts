import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/**
 * How one parameter is read for item i: the same answer for every item, a field of the item's JSON, or n8n's
 * own evaluation.
 */
type Plan =
	| { kind: 'constant'; value?: unknown; read: boolean }
	| { kind: 'field'; path: string[] }
	| { kind: 'record'; entries: Array<[string, Plan]> }
	| { kind: 'n8n' };

/** `={{ $json.a.b }}`, `={{ $json["a b"] }}`, `={{ $json['x'].y }}` and nothing else. */
const SIMPLE_FIELD =
	/^=\{\{\s*\$json((?:\.[A-Za-z_$][\w$]*|\[\s*(?:"[^"\\]*"|'[^'\\]*')\s*\])+)\s*\}\}$/;
const PATH_PART = /\.([A-Za-z_$][\w$]*)|\[\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*\]/g;

const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('=');

function holdsExpression(value: unknown): boolean {
	if (isExpression(value)) return true;
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (value && typeof value === 'object') return Object.values(value).some(holdsExpression);
	return false;
}

function fieldPath(expression: string): string[] | undefined {
	const match = SIMPLE_FIELD.exec(expression);
	if (!match) return undefined;
	return Array.from(match[1].matchAll(PATH_PART), (part) => part[1] ?? part[2] ?? part[3]);
}

/** The value a plan resolves to from the item's JSON, or undefined when n8n must answer instead. */
function fromItem(item: INodeExecutionData | undefined, path: string[]): unknown {
	let value: unknown = item?.json;
	for (const key of path) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

/** Values n8n hands back unchanged from a whole-field expression; anything else goes through n8n. */
const isPlain = (value: unknown) =>
	typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/**
 * Per-item parameter reads for a node's hot loop, with n8n's answer and without n8n's cost where the answer
 * cannot differ. In n8n 2.40 every `getNodeParameter(name, i)` evaluates in an isolated-vm expression runtime:
 * measured inside n8n, a 5,000-recipient campaign spent 34 % of n8n's CPU there, most of it for parameters
 * that are a constant or a bare `{{ $json.field }}`. So, per parameter, once:
 * - no expression inside: n8n reads it once (item 0) and every item gets that value;
 * - exactly `={{ $json.<field path> }}`: the item's own JSON field, read directly (what `$json` means for
 *   item i of a single-input node) when it holds a string, number or boolean; anything else (missing field,
 *   object, null) still asks n8n, so edge cases keep n8n's exact behaviour;
 * - any other expression: n8n evaluates it per item, as before.
 * A resource mapper's `value` record is planned key by key, so `Body {{1}}` = `{{ $json.name }}` beside a
 * fixed `Body {{2}}` never reaches the expression runtime.
 * Only for parameters without `validateType` (n8n validates those after evaluating; none of ours has one).
 */
export class ItemParameters {
	private readonly plans = new Map<string, Plan>();
	private readonly items: INodeExecutionData[];

	constructor(private readonly ctx: IExecuteFunctions) {
		this.items = ctx.getInputData();
	}

	/** The parameter at `name` (a dotted path, as for getNodeParameter) for item `index`. */
	get(name: string, index: number, fallback: unknown): unknown {
		let plan = this.plans.get(name);
		if (!plan) {
			plan = this.planFor(name);
			this.plans.set(name, plan);
		}
		return this.resolve(plan, name, index, fallback);
	}

	/**
	 * A resource mapper's mapped values for item `index` (`{ value: {...} }` as the editor saves it), as a new
	 * object the caller may change.
	 */
	mappedValues(name: string, index: number): Record<string, unknown> {
		const key = `${name}\u0000mapped`;
		let plan = this.plans.get(key);
		if (!plan) {
			plan = this.mappedPlanFor(name);
			this.plans.set(key, plan);
		}
		if (plan.kind === 'record') {
			const values: Record<string, unknown> = {};
			for (const [field, entry] of plan.entries) {
				const value = this.resolve(entry, undefined, index, undefined);
				if (value === FALLBACK) return this.mappedByN8n(name, index);
				values[field] = value;
			}
			return values;
		}
		return this.mappedByN8n(name, index);
	}

	private mappedByN8n(name: string, index: number): Record<string, unknown> {
		const mapped = this.ctx.getNodeParameter(name, index, { value: null }) as {
			value?: Record<string, unknown> | null;
		};
		return { ...(mapped?.value ?? {}) };
	}

	private raw(name: string): { found: boolean; value: unknown } {
		let value: unknown = this.ctx.getNode().parameters;
		for (const key of name.split('.')) {
			if (value === null || typeof value !== 'object' || !(key in value))
				return { found: false, value: undefined };
			value = (value as Record<string, unknown>)[key];
		}
		return { found: true, value };
	}

	private planFor(name: string): Plan {
		const { found, value } = this.raw(name);
		// Not set: n8n's fallback, the same for every item.
		if (!found || !holdsExpression(value)) return { kind: 'constant', read: false };
		return this.planForValue(value);
	}

	private planForValue(value: unknown): Plan {
		if (!holdsExpression(value)) return { kind: 'constant', value, read: true };
		const path = typeof value === 'string' ? fieldPath(value) : undefined;
		return path ? { kind: 'field', path } : { kind: 'n8n' };
	}

	private mappedPlanFor(name: string): Plan {
		const { value } = this.raw(name);
		const mapper = value as { mappingMode?: unknown; value?: unknown } | undefined;
		if (
			!mapper ||
			mapper.mappingMode !== 'defineBelow' ||
			!mapper.value ||
			typeof mapper.value !== 'object'
		)
			return { kind: 'n8n' };
		const entries = Object.entries(mapper.value as Record<string, unknown>).map(
			([field, entry]): [string, Plan] => [field, this.planForValue(entry)],
		);
		return entries.some(([, plan]) => plan.kind === 'n8n')
			? { kind: 'n8n' }
			: { kind: 'record', entries };
	}

	private resolve(plan: Plan, name: string | undefined, index: number, fallback: unknown): unknown {
		switch (plan.kind) {
			case 'constant':
				if (!plan.read) {
					// Read once through n8n, so defaults and n8n's clean-up apply exactly as before.
					plan.value =
						name === undefined ? undefined : this.ctx.getNodeParameter(name, 0, fallback);
					plan.read = true;
				}
				return plan.value;
			case 'field': {
				const value = fromItem(this.items[index], plan.path);
				if (isPlain(value)) return value;
				return name === undefined ? FALLBACK : this.ctx.getNodeParameter(name, index, fallback);
			}
			default:
				return name === undefined ? FALLBACK : this.ctx.getNodeParameter(name, index, fallback);
		}
	}
}

/** Marks a record entry that n8n must evaluate: the whole record is then read through n8n. */
const FALLBACK = Symbol('ask n8n');
