// The Catalog tab exports the catalog as AsyncAPI 3.0, as a user downloads it: valid by the
// official parser, and with each type's newest registered schema (what its consumers read).

import { readFile } from 'node:fs/promises';
import { Parser } from '@asyncapi/parser';
import { TIMEOUT, fail, openApp, tid, until } from '../lib/app.mjs';

export const catalogExportsAsyncapi = {
  name: 'catalog-asyncapi',
  title: 'the Catalog tab downloads an AsyncAPI 3.0 document with the newest schemas',
  timeout: 120_000,
  async run({ page, base }) {
    await openApp(page, base, '#fresh');
    await page.locator(tid('center-catalog')).first().click({ timeout: TIMEOUT });
    // A new version of OrderPlaced: `total` no longer required (compatible, no upcaster).
    const draft = page.locator(tid('schema-draft')).first();
    const schema = JSON.parse(await draft.inputValue({ timeout: TIMEOUT }));
    if (!schema.required?.includes('total')) fail('the OrderPlaced draft does not require total to begin with');
    await draft.fill(JSON.stringify({ ...schema, required: schema.required.filter((f) => f !== 'total') }), { timeout: TIMEOUT });
    await page.locator(tid('schema-register')).first().click({ timeout: TIMEOUT });
    await until(async () => (await page.locator(tid('notices')).first().innerText()).includes('registered'), 'the new version to be registered');

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.locator(tid('asyncapi-export')).first().click({ timeout: TIMEOUT }),
    ]);
    if (download.suggestedFilename() !== 'eventide-asyncapi.json') fail(`downloaded as ${download.suggestedFilename()}`);
    const text = await readFile(await download.path(), 'utf8');
    const doc = JSON.parse(text);
    const errors = (await new Parser().validate(text)).filter((d) => d.severity === 0);
    if (errors.length) fail(`the AsyncAPI parser reports ${errors.length} error(s), the first: ${errors[0].message} at ${JSON.stringify(errors[0].path)}`);
    if (doc.asyncapi !== '3.0.0') fail(`not AsyncAPI 3.0: ${doc.asyncapi}`);
    const placed = doc.components?.messages?.OrderPlaced?.payload;
    if (!placed) fail('no OrderPlaced message');
    if (placed.required?.includes('total')) fail('the export has the old OrderPlaced schema, not the version registered');
    return `${Object.keys(doc.channels).length} channels, valid AsyncAPI 3.0, OrderPlaced at its registered version 2`;
  },
};
