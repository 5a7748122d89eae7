// Validates the event catalog's AsyncAPI export against the AsyncAPI 3.0 specification with the
// official parser: `eventide catalog asyncapi` (the shop) and `eventide inspect FILE --asyncapi`
// (a foreign log's inferred catalog) must print documents with no errors.
import { Parser } from '@asyncapi/parser';
import { execFileSync } from 'node:child_process';

const doc = execFileSync('cargo', ['run', '--quiet', '--bin', 'eventide', '--', 'catalog', 'asyncapi'], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const parsed = JSON.parse(doc);
const diagnostics = await new Parser().validate(doc);
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of errors.slice(0, 20)) {
  console.log(`asyncapi: error ${d.code}: ${d.message} at ${JSON.stringify(d.path)}`);
}
const checks = [
  ['the document is AsyncAPI 3.0', parsed.asyncapi === '3.0.0'],
  ['it has a channel per event type', Object.keys(parsed.channels).length >= 30],
  ['it has send and receive operations', Object.values(parsed.operations).some((o) => o.action === 'send')
    && Object.values(parsed.operations).some((o) => o.action === 'receive')],
  ['the AsyncAPI parser reports no error', errors.length === 0],
];
// A foreign log's inferred catalog: `eventide inspect FILE --asyncapi` on the shipped example.
const library = execFileSync('cargo', ['run', '--quiet', '--bin', 'eventide', '--', 'inspect', 'static/examples/library.ndjson', '--asyncapi'], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const libraryDoc = JSON.parse(library);
const libraryErrors = (await new Parser().validate(library)).filter((d) => d.severity === 0);
for (const d of libraryErrors.slice(0, 20)) {
  console.log(`asyncapi: error in the library's document ${d.code}: ${d.message} at ${JSON.stringify(d.path)}`);
}
checks.push(
  ["the library log's inferred catalog is AsyncAPI 3.0 with a channel per type", libraryDoc.asyncapi === '3.0.0'
    && Object.keys(libraryDoc.channels).length === 9],
  ["the AsyncAPI parser reports no error in the library's document", libraryErrors.length === 0],
);
let failed = 0;
for (const [name, ok] of checks) {
  console.log(`asyncapi: ${ok ? 'ok' : 'FAILED'} - ${name}`);
  if (!ok) failed += 1;
}
console.log(`${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
