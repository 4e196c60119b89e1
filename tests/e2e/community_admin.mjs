// community_admin.mjs: browser tests of the community setup page, run by run.mjs against its
// server: a co-ordinator opens it from the nav, adds an area through its form and sees it
// listed; a refused form keeps what was typed and shows the error next to its field.

export async function communityAdminTests({ browser, base, test, check, signIn, watchConsole, consoleErrors, timeoutMs }) {
  const ctx = await browser.newContext({ baseURL: base });
  const page = await ctx.newPage();
  page.setDefaultTimeout(timeoutMs);
  watchConsole(page, consoleErrors);
  try {
    await signIn(page, base, 'coordinator');

    await test('D. a co-ordinator adds an area through the setup page and sees it listed', async () => {
      await page.goto(base + '/');
      await Promise.all([page.waitForNavigation(), page.click('header.top a[href="/admin/community"]')]);
      check(new URL(page.url()).pathname === '/admin/community', `the nav leads to the setup page, got ${page.url()}`);
      const code = 'KG-O-KS-' + (Date.now() % 100000);
      // Refused first: no name. The values stay and the error is next to the name.
      await page.fill('#f-area-code', code);
      await page.selectOption('#f-area-level', 'subdistrict');
      await page.selectOption('#f-area-parent', 'KG-O-KS');
      await page.fill('#f-area-country', 'KG');
      let [resp] = await Promise.all([page.waitForNavigation(), page.click('form#area button[type=submit]')]);
      check(resp.status() === 422, `an area without a name is refused with 422, got ${resp.status()}`);
      const error = await page.textContent('#f-area-name-error');
      check(error.includes('This field is required.'), `the error is next to the name, got ${error}`);
      check(await page.inputValue('#f-area-code') === code, 'the code typed is kept');
      check(await page.inputValue('#f-area-parent') === 'KG-O-KS', 'the parent chosen is kept');
      // Then with a name: saved, back on the page with a notice, and listed.
      await page.fill('#f-area-name', 'Kyzyl-Kyshtak');
      [resp] = await Promise.all([page.waitForNavigation(), page.click('form#area button[type=submit]')]);
      check(resp.status() === 200, `the saved form lands on the page, got ${resp.status()}`);
      const u = new URL(page.url());
      check(u.pathname === '/admin/community' && u.searchParams.get('done') === 'area', `redirected after the post, got ${page.url()}`);
      check((await page.textContent('main [role=status]')).includes('The area was added.'), 'the notice shows');
      const rows = await page.$$eval('#areas-list tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
      const row = rows.find((r) => r[0] === code);
      check(row && row[1] === 'Kyzyl-Kyshtak' && row[3] === 'KG-O-KS', `the new area is listed: ${JSON.stringify(row)}`);
      const api = await page.request.get(base + '/api/v1/areas');
      check((await api.json()).items.some((a) => a.code === code && a.parent === 'KG-O-KS'), 'the API lists it too');
    });
  } finally {
    await ctx.close();
  }
}
