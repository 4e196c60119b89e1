// activities.mjs: browser tests of the activities pages, run by run.mjs against its server
// (demo data): the list's filters, facet counts and pager; creating, editing and deleting
// an activity through the form with errors next to their fields; the overlap panel live
// (overlaps.js) and without script ("Check for overlaps"); Russian labels; the annual
// report without script, its print styles and a PDF.

// The SPMU regional workshop for Central Asia in 2012 (priorities CT and OC, Kyrgyzstan
// among its beneficiaries); a Bishkek workshop on the same subject in May 2012 overlaps it.
const SPMU = 'SPMU-2012-0001';
const DUPLICATE_TITLE = 'Regional workshop on international co-operation in criminal matters in Kyrgyzstan';
const FILLERS = 60;

export async function activityTests({ browser, base, test, check, signIn, watchConsole, consoleErrors, timeoutMs }) {
  // A signed-in context for login (JavaScript on unless script is false).
  async function session(login, { script = true } = {}) {
    const ctx = await browser.newContext({ baseURL: base, javaScriptEnabled: script });
    const page = await ctx.newPage();
    page.setDefaultTimeout(timeoutMs);
    watchConsole(page, consoleErrors);
    await signIn(page, base, login);
    return { ctx, page };
  }

  // The public ids in the results table.
  const rowIds = (page) => page.$$eval('#activities tbody tr.activity td.id a', (as) => as.map((a) => a.textContent.trim()));
  // {value: count} of one facet list.
  const facet = (page, name) => page.$$eval(`#facet-${name} li`, (lis) =>
    Object.fromEntries(lis.map((li) => [li.dataset.value, Number(li.dataset.count)])));
  const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);

  // Activities of org through the JSON API, with the context's session.
  async function apiCount(ctx, query) {
    const r = await ctx.request.get(`${base}/api/v1/activities?limit=1000&${query}`);
    check(r.status() === 200, `GET /api/v1/activities?${query}: ${r.status()}`);
    return (await r.json()).items.length;
  }

  // Fills the create form with a draft that duplicates SPMU's workshop (no title yet).
  async function fillDuplicateFields(page) {
    await page.fill('#f-host_country', 'KG');
    await page.fill('#f-beneficiary_countries', 'KG');
    await page.check('#f-priorities-OC');
    await page.fill('#f-planned_end', '2012-05-16');
    await page.fill('#f-planned_start', '2012-05-14');
  }

  const bishkek = await session('officer.bishkek');
  try {
    await test('k. activities list: two filters change the facet counts, which match the rows', async () => {
      const page = bishkek.page;
      await page.goto(base + '/activities');
      const all = await rowIds(page);
      const allTypes = await facet(page, 'type');
      check(all.length === 20 && sum(allTypes) === all.length, `20 demo activities, facets ${JSON.stringify(allTypes)} rows ${all.length}`);
      check(sum(await facet(page, 'status')) === all.length, 'status counts add up to the rows');

      await page.selectOption('#f-priority', 'CYBER');
      await Promise.all([page.waitForNavigation(), page.click('#activity-filters button[type=submit]')]);
      const cyber = await rowIds(page);
      const cyberTypes = await facet(page, 'type');
      check(cyber.length === 5, `5 cybercrime activities, got ${cyber.join(',')}`);
      check(sum(cyberTypes) === cyber.length && sum(await facet(page, 'status')) === cyber.length,
        `facet counts ${JSON.stringify(cyberTypes)} match ${cyber.length} rows`);
      check(cyberTypes.training === 3 && allTypes.training > 3, `training count narrows: ${JSON.stringify(cyberTypes)}`);
      check(await page.inputValue('#f-priority') === 'CYBER', 'the filter form keeps the priority');

      await page.selectOption('#f-type', 'training');
      await Promise.all([page.waitForNavigation(), page.click('#activity-filters button[type=submit]')]);
      const q = new URL(page.url()).searchParams;
      check(q.get('priority') === 'CYBER' && q.get('type') === 'training', `both filters in ${page.url()}`);
      const both = await rowIds(page);
      const bothTypes = await facet(page, 'type');
      const bothStatus = await facet(page, 'status');
      check(both.length === 3, `3 cybercrime trainings, got ${both.join(',')}`);
      check(JSON.stringify(bothTypes) === JSON.stringify({ training: 3 }), `type facet ${JSON.stringify(bothTypes)}`);
      check(sum(bothStatus) === 3, `status facet ${JSON.stringify(bothStatus)} adds up to 3`);
      check(both.every((id) => cyber.includes(id)), 'the second filter narrows the first');
      check(await apiCount(bishkek.ctx, 'priority=CYBER&type=training') === 3, 'the API agrees');

      // A facet link adds its filter to the ones already set.
      await page.goto(base + '/activities?priority=CYBER');
      await Promise.all([page.waitForNavigation(), page.click('#facet-status li[data-value="completed"] a')]);
      const completed = await rowIds(page);
      const n = (await facet(page, 'status')).completed;
      check(completed.length === n && n === 2, `completed cybercrime: ${completed.length} rows, facet ${n}`);
    });

    await test('l. activities list: the pager walks every row of a filter once', async () => {
      const page = bishkek.page;
      await page.goto(base + '/activities/new');
      const fillers = Array.from({ length: FILLERS }, (_, i) => ({
        title: { en: `Pager filler ${String(i + 1).padStart(2, '0')}` }, type: 'survey', status: 'planned',
        lead_org: 'BISHKEK', planned_start: `2031-02-${String((i % 28) + 1).padStart(2, '0')}`, priorities: ['PDR'],
      }));
      const status = await page.evaluate(async (body) => {
        const csrf = document.querySelector('meta[name="csrf-token"]').content;
        const r = await fetch('/api/v1/activities/import', {
          method: 'POST', body: JSON.stringify(body),
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        });
        return r.status;
      }, fillers);
      check(status === 201, `import of ${FILLERS} fillers answered ${status}`);

      await page.goto(base + '/activities?org=BISHKEK&sort=title');
      const total = sum(await facet(page, 'status'));
      check(total === FILLERS + 4, `BISHKEK has ${FILLERS + 4} activities, facets say ${total}`);
      const first = await rowIds(page);
      check(first.length === 50, `a page holds 50 rows, got ${first.length}`);
      await Promise.all([page.waitForNavigation(), page.click('nav.pager a.next')]);
      const q = new URL(page.url()).searchParams;
      check(q.get('org') === 'BISHKEK' && q.get('sort') === 'title' && q.get('cursor'), `the next page keeps the filters: ${page.url()}`);
      const second = await rowIds(page);
      check(second.length === total - 50, `second page: ${second.length} rows, expected ${total - 50}`);
      check(!(await page.$('nav.pager a.next')), 'no next link on the last page');
      const seen = new Set([...first, ...second]);
      check(seen.size === total, `each row once: ${seen.size} distinct of ${total}`);
      check([...seen].every((id) => id.startsWith('BISHKEK-')), 'only BISHKEK rows');
      const titles = await page.$$eval('#activities td.title', (tds) => tds.map((t) => t.textContent));
      check(titles.join('|') === [...titles].sort().join('|'), 'sorted by title on the second page too');
    });

    let created = null;
    await test('m. create with errors next to their fields, fix, save; detail, edit, delete', async () => {
      const page = bishkek.page;
      await page.goto(base + '/activities/new');
      await page.fill('#f-title_en', 'E2E workshop on community policing in Osh');
      await page.selectOption('#f-type', 'workshop');
      await page.fill('#f-host_country', 'KG');
      await page.check('#f-priorities-PDR');
      await page.fill('#f-planned_start', '2033-05-10');
      await page.fill('#f-planned_end', '2033-05-01');
      await page.fill('#f-participants_total', '10');
      await page.fill('#f-participants_women', '12');
      await page.fill('#f-participants_men', '0');
      let [resp] = await Promise.all([page.waitForNavigation(), page.click('#activity-form button.primary')]);
      check(resp.status() === 422, `an end before the start is refused with 422, got ${resp.status()}`);
      let invalid = await page.$$eval('.field.invalid', (fs) => fs.map((f) => f.querySelector('input,select,textarea').name));
      check(invalid.join() === 'planned_end', `the error is on planned_end: ${invalid}`);
      check((await page.textContent('#f-planned_end-error')).includes('The end is before the start.'), 'the end error text');
      check(await page.getAttribute('#f-planned_end', 'aria-describedby') === 'f-planned_end-error', 'the field points at its error');
      check(await page.inputValue('#f-title_en') === 'E2E workshop on community policing in Osh', 'the title is kept');
      check(await page.inputValue('#f-participants_women') === '12', 'the figures are kept');
      check(await page.isChecked('#f-priorities-PDR'), 'the checked priority is kept');

      await page.fill('#f-planned_end', '2033-05-12');
      [resp] = await Promise.all([page.waitForNavigation(), page.click('#activity-form button.primary')]);
      check(resp.status() === 422, `women over the total is refused, got ${resp.status()}`);
      invalid = await page.$$eval('.field.invalid', (fs) => fs.map((f) => f.querySelector('input').name));
      check(invalid.join() === 'participants_women', `the error is on participants_women: ${invalid}`);
      check((await page.textContent('#f-participants_women-error')).includes('more than the total'), 'the figures error text');
      check(await page.inputValue('#f-planned_end') === '2033-05-12', 'the corrected end is kept');

      await page.fill('#f-participants_women', '4');
      await page.fill('#f-participants_men', '6');
      [resp] = await Promise.all([page.waitForNavigation(), page.click('#activity-form button.primary')]);
      check(resp.ok(), `saved, got ${resp.status()}`);
      const m = new URL(page.url()).pathname.match(/^\/activities\/(BISHKEK-2033-\d{4})$/);
      check(m, `lands on the new activity's page, got ${page.url()}`);
      created = m[1];
      check((await page.textContent('main h1')).trim() === 'E2E workshop on community policing in Osh', 'detail heading');
      check((await page.textContent('#activity dd.planned')).trim() === '2033-05-10 – 2033-05-12', 'detail dates');
      check((await page.textContent('#activity dd.host-country')).trim() === 'KG', 'detail host country');

      await Promise.all([page.waitForNavigation(), page.click('main .actions a[href$="/edit"]')]);
      check(await page.inputValue('#f-participants_women') === '4', 'the edit form is filled from the record');
      await page.fill('#f-title_en', 'E2E workshop on community policing in Osh and Jalal-Abad');
      await page.selectOption('#f-status', 'ongoing');
      [resp] = await Promise.all([page.waitForNavigation(), page.click('#activity-form button.primary')]);
      check(new URL(page.url()).pathname === `/activities/${created}`, `back on the detail page, got ${page.url()}`);
      check((await page.textContent('main h1')).trim() === 'E2E workshop on community policing in Osh and Jalal-Abad', 'the edit is saved');
      check((await page.textContent('#activity dd.status')).trim() === 'Ongoing', 'the status is saved');

      let asked = 0;
      page.once('dialog', (d) => { asked++; d.accept(); });
      await Promise.all([page.waitForNavigation(), page.click('main .actions form[action$="/delete"] button')]);
      check(asked === 1, 'deleting asks first');
      check(new URL(page.url()).pathname === '/activities', `back on the list, got ${page.url()}`);
      const gone = await page.goto(`${base}/activities/${created}`);
      check(gone.status() === 404, `the deleted activity is 404, got ${gone.status()}`);
    });

    await test('n. overlap panel, live: overlaps.js lists the SPMU workshop while the form is filled', async () => {
      const page = bishkek.page;
      const before = await apiCount(bishkek.ctx, 'org=BISHKEK');
      const checks = [];
      page.on('request', (r) => { if (r.url().endsWith('/api/v1/activities/overlaps-check')) checks.push(r); });
      await page.goto(base + '/activities/new');
      check(!(await page.isVisible('#overlaps')), 'the panel is hidden before anything is checked');
      await fillDuplicateFields(page);
      await page.click('#f-title_en');
      await page.keyboard.type(DUPLICATE_TITLE, { delay: 5 });
      await page.waitForSelector(`#overlaps li.overlap[data-id="${SPMU}"]`, { state: 'visible' });
      await page.waitForTimeout(600);
      check(checks.length >= 1 && checks.length <= 4, `typing is debounced: ${checks.length} checks for ${DUPLICATE_TITLE.length} keys`);
      const last = checks[checks.length - 1];
      check(last.headers()['x-csrf-token'], 'the check carries the CSRF header');
      const sent = JSON.parse(last.postData());
      check(sent.title.en === DUPLICATE_TITLE && sent.priorities.join() === 'OC' && sent.host_country === 'KG',
        `the draft sent: ${last.postData()}`);
      const item = await page.$eval(`#overlaps li.overlap[data-id="${SPMU}"]`, (li) => ({
        href: li.querySelector('a.overlap-id').getAttribute('href'),
        title: li.querySelector('.overlap-title').textContent,
        org: li.querySelector('.overlap-org').textContent,
        dates: li.querySelector('.overlap-dates').textContent,
        score: li.querySelector('.overlap-score').textContent,
        reasons: [...li.querySelectorAll('.overlap-reasons li')].map((r) => r.textContent),
      }));
      check(item.href === `/activities/${SPMU}`, `links to the activity: ${item.href}`);
      check(item.title.startsWith('Regional workshop on international co-operation'), `title: ${item.title}`);
      check(item.org === 'Lead organisation: SPMU' && item.dates === 'Dates: 2012-01-01 – 2012-12-31', `${item.org} / ${item.dates}`);
      check(/^Score: 0\.\d\d$/.test(item.score), item.score);
      check(item.reasons.includes('Shared thematic priorities: OC') && item.reasons.includes('Shared countries: KG') &&
        item.reasons.includes('The planned periods overlap') && item.reasons.some((r) => /^Similar title: \d+%$/.test(r)),
      `reasons: ${item.reasons.join(' | ')}`);
      const ids = await page.$$eval('#overlaps li.overlap', (lis) => lis.map((li) => li.dataset.id));
      check(ids[0] === SPMU && ids.every((id) => !id.startsWith('BISHKEK-')), `candidates ${ids}`);
      check(await apiCount(bishkek.ctx, 'org=BISHKEK') === before, 'checking saved nothing');

      // Clearing the start makes the draft incomplete: the panel keeps what it showed.
      const sentBefore = checks.length;
      await page.fill('#f-planned_start', '');
      await page.waitForTimeout(600);
      check(checks.length === sentBefore, 'no check without a planned start');
      check(await page.isVisible(`#overlaps li.overlap[data-id="${SPMU}"]`), 'the panel stays quiet');
      // A draft unlike anything empties and hides the panel.
      await page.fill('#f-planned_start', '2044-01-01');
      await page.waitForResponse((r) => r.url().endsWith('/overlaps-check') && r.status() === 200);
      await page.waitForSelector('#overlaps', { state: 'hidden' });

      // Saved anyway: the detail page lists the candidate, and the edit form checks once on
      // load, leaving the activity itself out.
      await page.fill('#f-planned_start', '2012-05-14');
      await Promise.all([page.waitForNavigation(), page.click('#activity-form button.primary')]);
      const id = new URL(page.url()).pathname.split('/').pop();
      check(/^BISHKEK-2012-\d{4}$/.test(id), `saved as ${page.url()}`);
      check(await page.isVisible(`#overlaps li.overlap[data-id="${SPMU}"]`), 'the detail page shows the overlap');
      const onLoad = checks.length;
      await page.goto(`${base}/activities/${id}/edit`);
      await page.waitForSelector(`#overlaps li.overlap[data-id="${SPMU}"]`, { state: 'visible' });
      check(checks.length === onLoad + 1 && JSON.parse(checks[onLoad].postData()).id === id,
        'the edit form checks once on load, naming itself');
      const editIds = await page.$$eval('#overlaps li.overlap', (lis) => lis.map((li) => li.dataset.id));
      check(!editIds.includes(id), `the activity is not its own duplicate: ${editIds}`);
      const del = await bishkek.ctx.request.delete(`${base}/api/v1/activities/${id}`, {
        headers: { 'X-CSRF-Token': await page.getAttribute('meta[name="csrf-token"]', 'content') },
      });
      check(del.status() === 204, `clean-up delete answered ${del.status()}`);
    });

    await test('o. overlap panel without script: "Check for overlaps" shows it, keeps the values, saves nothing', async () => {
      const noscript = await session('officer.bishkek', { script: false });
      try {
        const page = noscript.page;
        const before = await apiCount(noscript.ctx, 'org=BISHKEK');
        await page.goto(base + '/activities/new');
        await page.fill('#f-title_en', DUPLICATE_TITLE);
        await fillDuplicateFields(page);
        await page.fill('#f-participants_total', '25');
        const [resp] = await Promise.all([page.waitForNavigation(), page.click('#check-overlaps')]);
        check(resp.status() === 200, `the check answered ${resp.status()}`);
        check(await page.isVisible(`#overlaps li.overlap[data-id="${SPMU}"]`), 'the SPMU workshop is listed');
        const reasons = await page.$$eval(`#overlaps li.overlap[data-id="${SPMU}"] .overlap-reasons li`, (l) => l.map((r) => r.textContent));
        check(reasons.includes('Shared thematic priorities: OC') && reasons.includes('Shared countries: KG'), `reasons ${reasons}`);
        check(await page.inputValue('#f-title_en') === DUPLICATE_TITLE, 'the title is kept');
        check(await page.inputValue('#f-planned_start') === '2012-05-14' && await page.inputValue('#f-participants_total') === '25', 'the other values are kept');
        check(await page.isChecked('#f-priorities-OC'), 'the priority stays checked');
        check(await apiCount(noscript.ctx, 'org=BISHKEK') === before, 'nothing was saved');
        // Save from there: the form is sent with the same values.
        await Promise.all([page.waitForNavigation(), page.click('#activity-form button.primary')]);
        const id = new URL(page.url()).pathname.split('/').pop();
        check(/^BISHKEK-2012-\d{4}$/.test(id), `saved as ${page.url()}`);
        check(await apiCount(noscript.ctx, 'org=BISHKEK') === before + 1, 'Save stores it');
        check(await page.isVisible(`#overlaps li.overlap[data-id="${SPMU}"]`), 'the detail page shows the overlap');
        await Promise.all([page.waitForNavigation(), page.click('main .actions form[action$="/delete"] button')]);
        check(await apiCount(noscript.ctx, 'org=BISHKEK') === before, 'deleted without a confirmation dialog (no script)');
      } finally {
        await noscript.ctx.close();
      }
    });

    await test('p. in Russian the list and the form are labelled in Russian', async () => {
      const page = bishkek.page;
      await page.goto(base + '/activities');
      await Promise.all([page.waitForNavigation(), page.click('header.top a.lang-switch')]);
      try {
        check(await page.getAttribute('html', 'lang') === 'ru', 'html lang="ru"');
        check((await page.textContent('main h1')).trim() === 'Мероприятия', 'list heading');
        check((await page.textContent('label[for="f-q"]')).trim() === 'Поиск', 'search label');
        check((await page.textContent('label[for="f-priority"]')).trim() === 'Тематический приоритет', 'priority label');
        check((await page.textContent('#activity-filters button[type=submit]')).trim() === 'Отобрать', 'filter button');
        const heads = await page.$$eval('#activities thead th', (th) => th.map((t) => t.textContent));
        check(heads.includes('Вид'), `table head in Russian: ${heads}`);
        await page.goto(base + '/activities/new');
        check((await page.textContent('main h1')).trim() === 'Новое мероприятие', 'form heading');
        check((await page.textContent('label[for="f-title_en"]')).trim() === 'Название на английском', 'title label');
        check((await page.textContent('label[for="f-planned_start"]')).trim() === 'Плановое начало', 'start label');
        check((await page.textContent('#activity-form button.primary')).trim() === 'Сохранить', 'save button');
        check((await page.textContent('#check-overlaps')).trim() === 'Проверить пересечения', 'check button');
        await fillDuplicateFields(page);
        await page.fill('#f-title_en', DUPLICATE_TITLE);
        await page.waitForSelector(`#overlaps li.overlap[data-id="${SPMU}"]`, { state: 'visible' });
        check((await page.textContent('#overlaps h2')).trim() === 'Возможные пересечения', 'panel heading');
        const reasons = await page.$$eval(`#overlaps li.overlap[data-id="${SPMU}"] .overlap-reasons li`, (l) => l.map((r) => r.textContent));
        check(reasons.includes('Общие тематические приоритеты: OC'), `live reasons in Russian: ${reasons}`);
      } finally {
        await page.goto(base + '/activities');
        await Promise.all([page.waitForNavigation(), page.click('header.top a.lang-switch')]);
      }
    });
  } finally {
    await bishkek.ctx.close();
  }

  await test('q. annual report 2012: works without script, SVG charts, print styles, PDF', async () => {
    const { ctx, page } = await session('coordinator', { script: false });
    try {
      const resp = await page.goto(base + '/reports/annual?year=2012');
      check(resp.status() === 200, `GET /reports/annual answered ${resp.status()}`);
      check((await page.title()).startsWith('Annual report 2012'), `title ${await page.title()}`);
      const h1 = await page.$$eval('h1', (hs) => hs.map((h) => h.textContent.trim()));
      check(h1.join() === 'Annual report 2012', `one heading: ${h1.join(' | ')}`);
      // Bar charts draw rects; the yearly series is a line chart.
      const charts = await page.$$eval('main svg[role="img"]', (svgs) => svgs.map((s) =>
        s.querySelectorAll('rect, polyline, path, circle').length));
      check(charts.length >= 2 && charts.every((n) => n > 0), `SVG charts with marks: ${charts}`);
      const tables = await page.$$('main table.report-table');
      check(tables.length >= 3, `report tables: ${tables.length}`);
      const display = (sel) => page.$eval(sel, (e) => getComputedStyle(e).display);
      check(await display('header.top') !== 'none', 'the navigation shows on screen');

      await page.emulateMedia({ media: 'print' });
      check(await display('header.top') === 'none', 'print hides the header');
      // A nav inside the hidden header keeps its own display value but is not rendered.
      const navs = await page.$$eval('nav', (ns) => ns.map((n) => n.getClientRects().length));
      check(navs.length > 0 && navs.every((n) => n === 0), `print hides every nav: ${navs}`);
      const hidden = [await display('.report-form'), await display('.print-hint')];
      check(hidden.every((d) => d === 'none'), `print hides the year form and the hint: ${hidden}`);
      const shown = await page.$$eval('table.report-table, svg.chart', (els) => els.map((e) => {
        const s = getComputedStyle(e);
        const r = e.getBoundingClientRect();
        return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0;
      }));
      check(shown.length >= 5 && shown.every(Boolean), `tables and charts visible in print: ${shown}`);

      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      check(pdf.subarray(0, 5).toString('latin1') === '%PDF-', 'a PDF');
      check(pdf.length > 20 * 1024, `the PDF has content: ${pdf.length} bytes`);
      const utf16 = Buffer.from('\ufeffAnnual report 2012', 'utf16le').swap16();
      check(pdf.includes('Annual report 2012') || pdf.includes(utf16.subarray(2)) ||
        pdf.includes(Buffer.from(utf16.toString('hex').toUpperCase().slice(4))),
      'the PDF carries the report title');
      await page.emulateMedia({ media: 'screen' });
    } finally {
      await ctx.close();
    }
  });
}
