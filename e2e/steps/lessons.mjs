// A lesson, opened by its address, notices what the user does.

import { TIMEOUT, openApp, tid, until } from '../lib/app.mjs';

export const lessonByAddress = {
  name: 'lesson-by-address',
  title: 'open a lesson by its address and do its first step',
  async run({ page, base }) {
    // A fresh page: loading the address is enough (no reload needed).
    await openApp(page, base, '#lesson=immutable-facts');
    await page.locator(tid('lesson')).first().waitFor({ timeout: TIMEOUT });
    // The question comes first; answering it unlocks the steps.
    await page.locator(tid('lesson-option')).first().check({ timeout: TIMEOUT });
    await page.locator(tid('cmd-place-order')).first().click({ timeout: TIMEOUT });
    await until(
      async () => (await page.locator(`${tid('lesson-step')}.done`).count()) >= 1,
      'the lesson to notice the first step',
    );
    return 'the lesson noticed its first step';
  },
};
