'use strict';
/**
 * Prints the entries of lib/campaign/country-zones.ts: every country (tzdb's zone.tab) whose IANA zones (CLDR's
 * zones per region, from the ICU data of the Node running this) keep one UTC offset at every 3rd hour of the
 * next two years, mapped to the first zone zone.tab lists for it. Run with Node 22+ (Intl.Locale#getTimeZones):
 *   node scripts/country-zones.js [/usr/share/zoneinfo/zone.tab]
 * Paste the output into the table and keep the documented additions (CN, UA).
 */
const fs = require('node:fs');

const tab = fs
	.readFileSync(process.argv[2] || '/usr/share/zoneinfo/zone.tab', 'utf8')
	.split('\n')
	.filter((line) => line && !line.startsWith('#'))
	.map((line) => line.split('\t'));
const first = new Map();
for (const [country, , zone] of tab) if (!first.has(country)) first.set(country, zone);

const formats = new Map();
function offset(zone, at) {
	let format = formats.get(zone);
	if (!format)
		formats.set(
			zone,
			(format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })),
		);
	return format.formatToParts(at).find((part) => part.type === 'timeZoneName').value;
}

const start = Date.UTC(new Date().getUTCFullYear(), 0, 1);
const single = {};
const several = [];
for (const country of [...first.keys()].sort()) {
	let zones = [];
	try {
		zones = new Intl.Locale(`und-${country}`).getTimeZones() || [];
	} catch {
		zones = [];
	}
	if (zones.length === 0) zones = tab.filter((row) => row[0] === country).map((row) => row[2]);
	let same = true;
	for (let hour = 0; hour < 2 * 366 * 24 && same; hour += 3) {
		const at = start + hour * 3_600_000;
		const reference = offset(zones[0], at);
		same = zones.every((zone) => offset(zone, at) === reference);
	}
	if (same) single[country] = first.get(country);
	else several.push(country);
}
for (const [country, zone] of Object.entries(single))
	process.stdout.write(`\t${country}: '${zone}',\n`);
process.stderr.write(
	`${Object.keys(single).length} single-zone countries; several zones: ${several.join(' ')}\n`,
);
