// library.mjs: browser tests of the library pages, run by run.mjs against its server (demo
// data: ten guidebooks, English and Russian bodies, other editions with titles only): a
// Russian search with its highlighted word forms and Russian labels; Serbian in Latin
// finding Cyrillic titles; facet links and the pager; a malformed query; the librarian's
// document form, upload, search, download and deletes; a reader without the editing
// actions; an abstract with markup shown as text.

const UPLOAD_WORD = 'quillworthy';
const UPLOAD_TEXT = `Community safety audits in small towns.\nA ${UPLOAD_WORD} checklist helps the police and the municipality walk the streets together.\n`;
const CATALOGUE_FILLERS = 52;
const HOSTILE_WORD = 'xylographic';
const HOSTILE = `${HOSTILE_WORD} <img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> <mark>not a highlight</mark> & more`;

export async function libraryTests({ browser, base, test, check, signIn, watchConsole, consoleErrors, timeoutMs }) {
  async function session(login) {
    const ctx = await browser.newContext({ baseURL: base });
    const page = await ctx.newPage();
    page.setDefaultTimeout(timeoutMs);
    watchConsole(page, consoleErrors);
    await signIn(page, base, login);
    return { ctx, page };
  }

  // Submits the search form with q (and the language, when given); returns the response.
  async function search(page, q, lang = '') {
    await page.fill('#f-q', q);
    await page.selectOption('#f-lang', lang);
    const [resp] = await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
    return resp;
  }

  // The total the page states ("Results: 8" or "Найдено: 8").
  const stated = async (page) => {
    const t = await page.textContent('section.results p.count');
    const m = t.match(/:\s*(\d+)$/);
    check(m, `a count line, got "${t}"`);
    return Number(m[1]);
  };
  const results = (page) => page.$$eval('ol.results li.result', (lis) => lis.map((li) => ({
    lang: li.getAttribute('lang'),
    href: li.querySelector('h3 a').getAttribute('href'),
    title: li.querySelector('h3 a').textContent,
    meta: [...li.querySelectorAll('p.meta')].map((m) => m.textContent),
    marks: [...li.querySelectorAll('p.snippet mark')].map((m) => m.textContent),
    snippet: li.querySelector('p.snippet').textContent,
  })));
  const csrf = (page) => page.getAttribute('meta[name="csrf-token"]', 'content');

  const reader = await session('officer.bishkek');
  try {
    await test('r. library in Russian: "полиция" finds its word forms, highlighted; Russian labels', async () => {
      const page = reader.page;
      await page.goto(base + '/library');
      await Promise.all([page.waitForNavigation(), page.click('header.top a.lang-switch')]);
      try {
        check(await page.getAttribute('html', 'lang') === 'ru', 'html lang="ru"');
        const nav = page.locator('header.top nav a[href="/library"]');
        check((await nav.textContent()).trim() === 'Библиотека', 'the nav names the library in Russian');
        check(await nav.getAttribute('aria-current') === 'page', 'the nav marks the library as the current page');
        check((await page.textContent('main h1')).trim() === 'Библиотека', 'page heading');
        check((await page.textContent('main h2')).trim() === 'Каталог', 'the catalogue when nothing is searched');
        check((await page.textContent('label[for="f-q"]')).trim() === 'Поиск в библиотеке', 'search label');
        check((await page.textContent('label[for="f-lang"]')).trim() === 'Язык', 'language label');
        check((await page.textContent('label[for="f-priority"]')).trim() === 'Тематический приоритет', 'priority label');
        check((await page.textContent('label[for="f-year"]')).trim() === 'Год', 'year label');
        check((await page.textContent('form.filters button[type=submit]')).trim() === 'Поиск', 'search button');
        check((await page.textContent('p.hint')).includes('кавычки'), 'the query hint in Russian');

        const resp = await search(page, 'полиция');
        check(resp.status() === 200, `search answered ${resp.status()}`);
        const items = await results(page);
        const total = await stated(page);
        check((await page.textContent('section.results p.count')).startsWith('Найдено:'), 'count line in Russian');
        check(items.length === total && total >= 5, `${items.length} results shown, ${total} stated`);
        check(items.every((r) => r.lang === 'ru'), `Russian editions only: ${items.map((r) => r.lang)}`);
        const marks = items.flatMap((r) => r.marks.map((m) => m.toLowerCase()));
        check(marks.length > 0 && marks.every((m) => m.startsWith('полиц')), `highlighted forms of полиция: ${marks}`);
        check(marks.includes('полиции') && marks.includes('полицией'), `полиции and полицией highlighted: ${[...new Set(marks)]}`);
        const roma = items.find((r) => r.title.startsWith('Полиция и рома и синти'));
        check(roma && roma.marks.some((m) => m === 'полицией'), 'the Roma and Sinti guidebook matches by "полицией"');
        check(roma.meta.some((m) => m.includes('т. 9')), `the volume in Russian: ${roma.meta}`);
        const facetHeads = await page.$$eval('aside.facets h3', (hs) => hs.map((h) => h.textContent));
        check(facetHeads.includes('Язык') && facetHeads.includes('Серия') && facetHeads.includes('Год'), `facet headings: ${facetHeads}`);
        const downloads = await page.$$eval('ol.results a[href$="/file"]', (as) => as.map((a) => a.textContent));
        check(downloads.length > 0 && downloads.every((t) => t === 'Скачать'), `download links in Russian: ${downloads}`);
        await search(page, 'police AND "unclosed');
        const qerr = (await page.textContent('#f-q-error')).trim();
        check(qerr === 'фраза не закрыта: добавьте закрывающую " (символ 12)', `the query error in Russian: ${qerr}`);
        await search(page, 'полиция');

        // The document page of a result, in Russian.
        await Promise.all([page.waitForNavigation(), page.click(`ol.results a[href="${roma.href}"]`)]);
        const heads = await page.$$eval('table.editions thead th', (th) => th.map((t) => t.textContent));
        check(heads.join('|') === 'Язык|Название|Файл|Текст', `editions table head: ${heads}`);
        const terms = await page.$$eval('dl.record dt', (dt) => dt.map((t) => t.textContent));
        check(['Серия', 'Том', 'Год', 'Место издания', 'Состояние'].every((t) => terms.includes(t)), `record terms: ${terms}`);
        check((await page.textContent('main h2')).trim() === 'Издания', 'editions heading');
        check((await page.textContent('table.editions tbody')).includes('Доступен для поиска'), 'text status in Russian');
      } finally {
        await page.goto(base + '/library');
        await Promise.all([page.waitForNavigation(), page.click('header.top a.lang-switch')]);
      }
      check(await page.getAttribute('html', 'lang') === 'en', 'back in English');
    });

    await test('s. Serbian in Latin finds the Cyrillic-titled edition, and Cyrillic finds Latin', async () => {
      const page = reader.page;
      await page.goto(base + '/library');
      await search(page, 'policije', 'sr');
      let items = await results(page);
      let titles = items.map((r) => r.title);
      check(items.every((r) => r.lang === 'sr'), `Serbian editions only: ${items.map((r) => r.lang)}`);
      check(titles.includes('Водич за демократски рад полиције'), `the Cyrillic title is found: ${titles.join(' | ')}`);
      check(titles.includes('Dobra praksa u izgradnji partnerstva policije i javnosti'), `the Latin title too: ${titles.join(' | ')}`);
      check(await stated(page) === items.length, 'the count matches the results');
      check(await page.inputValue('#f-lang') === 'sr', 'the language filter is kept');

      await search(page, 'полиције', 'sr');
      titles = (await results(page)).map((r) => r.title);
      check(titles.includes('Dobra praksa u izgradnji partnerstva policije i javnosti') &&
        titles.includes('Водич за демократски рад полиције'), `Cyrillic finds both scripts: ${titles.join(' | ')}`);
    });

    await test('t. a facet link narrows the results to its count; the pager walks them all once', async () => {
      const page = reader.page;
      await page.goto(base + '/library');
      await search(page, 'police');
      const total = await stated(page);
      check(total > 20, `"police" finds more than a page: ${total}`);
      const first = await results(page);
      check(first.length === 20, `a page holds 20 results, got ${first.length}`);
      check(!(await page.$('nav.pager a[rel=prev]')), 'no previous link on the first page');
      await Promise.all([page.waitForNavigation(), page.click('nav.pager a[rel=next]')]);
      check(new URL(page.url()).searchParams.get('page') === '2' && new URL(page.url()).searchParams.get('q') === 'police',
        `page 2 keeps the query: ${page.url()}`);
      const second = await results(page);
      check(second.length === total - 20, `second page: ${second.length}, expected ${total - 20}`);
      check(!(await page.$('nav.pager a[rel=next]')), 'no next link on the last page');
      const seen = new Set([...first, ...second].map((r) => `${r.href} ${r.lang}`));
      check(seen.size === total, `each edition once: ${seen.size} distinct of ${total}`);
      await Promise.all([page.waitForNavigation(), page.click('nav.pager a[rel=prev]')]);
      check((await results(page)).map((r) => r.href + r.lang).join() === first.map((r) => r.href + r.lang).join(), 'previous leads back to the first page');

      // The Russian language facet: its link narrows the search to the count it states.
      const link = page.locator('aside.facets a[href*="lang=ru"]');
      const n = Number((await link.locator('xpath=..').textContent()).match(/\((\d+)\)\s*$/)[1]);
      check(n > 0 && n < total, `the Russian facet states ${n} of ${total}`);
      await Promise.all([page.waitForNavigation(), link.click()]);
      const ru = await results(page);
      check(ru.length === n && await stated(page) === n, `${ru.length} results, ${await stated(page)} stated, facet said ${n}`);
      check(ru.every((r) => r.lang === 'ru'), 'only Russian editions');
      check(await page.inputValue('#f-lang') === 'ru' && await page.inputValue('#f-q') === 'police', 'the form shows the query and the filter');
      // A second facet adds to the first.
      const y = page.locator('aside.facets a[href*="year=2008"]');
      const ny = Number((await y.locator('xpath=..').textContent()).match(/\((\d+)\)\s*$/)[1]);
      await Promise.all([page.waitForNavigation(), y.click()]);
      const q = new URL(page.url()).searchParams;
      check(q.get('lang') === 'ru' && q.get('year') === '2008', `both filters: ${page.url()}`);
      const both = await results(page);
      check(both.length === ny && ny < n && both.every((r) => r.lang === 'ru' && r.meta.some((m) => m.endsWith('2008'))),
        `${both.length} Russian results of 2008, facet said ${ny}`);

      // The series has no box in the form: the page says it is set and how to drop it.
      await page.goto(`${base}/library?q=police`);
      check(!(await page.$('p.active-filter')), 'no series set yet');
      const series = page.locator('aside.facets a[href*="series=TNTD"]');
      const ns = Number((await series.locator('xpath=..').textContent()).match(/\((\d+)\)\s*$/)[1]);
      await Promise.all([page.waitForNavigation(), series.click()]);
      const tntd = await results(page);
      check(tntd.length === ns && tntd.every((r) => r.meta.some((m) => m.startsWith('TNTD/SPMU Publication Series'))),
        `${tntd.length} results of the TNTD series, facet said ${ns}`);
      check((await page.textContent('p.active-filter')).startsWith('Series: TNTD/SPMU Publication Series'), 'the series is shown');
      await Promise.all([page.waitForNavigation(), page.click('p.active-filter a')]);
      check(!new URL(page.url()).searchParams.has('series') && await stated(page) === total, `"All series" drops it: ${page.url()}`);
    });

    await test('u. a malformed query shows its error next to the search box, not a server error', async () => {
      const page = reader.page;
      await page.goto(base + '/library');
      for (const bad of ['"unclosed', '(police OR', 'NOT']) {
        const resp = await search(page, bad);
        check(resp.status() >= 400 && resp.status() < 500, `${bad}: answered ${resp.status()}`);
        const invalid = await page.$$eval('.field.invalid input', (is) => is.map((i) => i.name));
        check(invalid.join() === 'q', `${bad}: the error is on the search box: ${invalid}`);
        const msg = (await page.textContent('#f-q-error')).trim();
        check(msg.length > 0, `${bad}: an error message`);
        check(await page.getAttribute('#f-q', 'aria-describedby') === 'f-q-error', 'the box points at its error');
        check(await page.inputValue('#f-q') === bad, `${bad}: the query is kept`);
        check(!(await page.$('section.results')), 'no results');
      }
      await search(page, '"unclosed');
      check((await page.textContent('#f-q-error')).includes('"'), 'the unclosed phrase names the quote');

      // A year out of range is refused next to its field, with or without a query.
      for (const q of ['police', '']) {
        await page.fill('#f-q', q);
        await page.fill('#f-year', '1800');
        const [resp] = await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
        check(resp.status() === 400, `year 1800 ${q ? 'with' : 'without'} a query answered ${resp.status()}`);
        const invalid = await page.$$eval('.field.invalid input', (is) => is.map((i) => i.name));
        check(invalid.join() === 'year', `the error is on the year: ${invalid}`);
        check((await page.textContent('#f-year-error')).includes('1900'), 'the year error says the range');
        check(await page.inputValue('#f-year') === '1800' && await page.inputValue('#f-q') === q, 'the values are kept');
        check(!(await page.$('section.results')) && !(await page.$('ul.catalogue')), 'neither results nor an unfiltered catalogue');
      }
      // A filter without a box of its own (a hand-made URL) still shows its error.
      const resp = await page.goto(`${base}/library?q=police&lang=zz`);
      check(resp.status() === 400, `an unknown language answered ${resp.status()}`);
      check((await page.textContent('main [role=alert]')).includes('lang'), 'the error is shown above the results');
    });

    await test('v. a reader sees no editing actions; the librarian\'s pages answer 403', async () => {
      const page = reader.page;
      await page.goto(base + '/library');
      check(!(await page.$('main a[href="/library/documents/new"]')), 'no "New document" on the search page');
      await page.goto(base + '/library/documents/1');
      check((await page.textContent('main h1')).trim() === 'Guidebook on Democratic Policing', 'the document page reads');
      check((await page.$$('main form[method=post]')).length === 0, 'no forms on the document page');
      check(!(await page.$('main a[href$="/edit"]')), 'no edit link');
      check(!(await page.$('main input[type=file]')), 'no upload');
      check((await page.$$('table.editions a[download]')).length > 0, 'the files can be downloaded');
      const similar = await page.$$eval('section.similar li a', (as) => as.map((a) => a.getAttribute('href')));
      check(similar.length > 0 && !similar.includes('/library/documents/1'), `similar documents, not itself: ${similar}`);
      for (const where of ['/library/documents/new', '/library/documents/1/edit']) {
        const resp = await page.goto(base + where);
        check(resp.status() === 403, `${where} answered ${resp.status()}`);
        check((await page.textContent('main h1')).trim() === 'Not allowed', `${where}: the 403 page`);
        check(!(await page.$('main form.record-form')), `${where}: no form`);
      }
      const resp = await reader.ctx.request.post(base + '/library/documents/1/delete', {
        form: { csrf: await page.getAttribute('meta[name="csrf-token"]', 'content') }, maxRedirects: 0,
      });
      check(resp.status() === 403, `deleting answered ${resp.status()}`);
      check((await page.goto(base + '/library/documents/1')).status() === 200, 'the document is still there');
    });
  } finally {
    await reader.ctx.close();
  }

  const librarian = await session('librarian');
  try {
    await test('w. librarian: create with an error, fix; upload a file, search it, download; delete', async () => {
      const page = librarian.page;
      const dialogs = [];
      page.on('dialog', (d) => { dialogs.push(d.message()); d.accept(); });
      await page.goto(base + '/library');
      await Promise.all([page.waitForNavigation(), page.click('main a[href="/library/documents/new"]')]);
      check((await page.textContent('main h1')).trim() === 'New document', 'form heading');
      const title = 'E2E handbook on community safety audits';
      const abstract = 'How police and municipalities audit the safety of a neighbourhood together.';
      await page.fill('#f-title', title);
      await page.fill('#f-series', 'E2E Series');
      await page.fill('#f-volume', '3');
      await page.fill('#f-year', '1800');
      await page.fill('#f-place', 'Vienna');
      await page.fill('#f-abstract', abstract);
      await page.check('#f-pri-PDR');
      let [resp] = await Promise.all([page.waitForNavigation(), page.click('form.record-form button[type=submit]')]);
      check(resp.status() === 422, `a year of 1800 is refused with 422, got ${resp.status()}`);
      const invalid = await page.$$eval('.field.invalid', (fs) => fs.map((f) => f.querySelector('input,textarea,select').name));
      check(invalid.join() === 'year', `the error is on the year: ${invalid}`);
      const msg = await page.textContent('#f-year-error');
      check(/year/i.test(msg) && /1900|between|range/i.test(msg), `the year error says why: ${msg}`);
      check(await page.inputValue('#f-title') === title && await page.inputValue('#f-abstract') === abstract, 'the texts are kept');
      check(await page.inputValue('#f-year') === '1800' && await page.inputValue('#f-volume') === '3', 'the numbers are kept as typed');
      check(await page.isChecked('#f-pri-PDR') && !(await page.isChecked('#f-pri-THB')), 'the priorities are kept');

      await page.fill('#f-year', '2024');
      [resp] = await Promise.all([page.waitForNavigation(), page.click('form.record-form button[type=submit]')]);
      const m = new URL(page.url()).pathname.match(/^\/library\/documents\/(\d+)$/);
      check(resp.ok() && m, `saved, on the document page: ${resp.status()} ${page.url()}`);
      const id = m[1];
      check((await page.textContent('main h1')).trim() === title, 'document heading');
      check((await page.textContent('p.abstract')).trim() === abstract, 'the abstract');
      check((await page.$$('table.editions tbody tr')).length === 0, 'no editions yet');

      // Edit: the form comes filled from the record.
      await Promise.all([page.waitForNavigation(), page.click(`main a[href="/library/documents/${id}/edit"]`)]);
      check((await page.textContent('main h1')).trim() === 'Edit document', 'edit heading');
      check(await page.inputValue('#f-year') === '2024' && await page.inputValue('#f-series') === 'E2E Series' &&
        await page.isChecked('#f-pri-PDR'), 'the edit form is filled from the record');
      await page.fill('#f-subtitle', 'a practical guide');
      [resp] = await Promise.all([page.waitForNavigation(), page.click('form.record-form button[type=submit]')]);
      check(new URL(page.url()).pathname === `/library/documents/${id}`, `back on the document: ${page.url()}`);
      check((await page.textContent('p.subtitle')).trim() === 'a practical guide', 'the edit is saved');

      // A Russian edition with a title only.
      await page.selectOption('#f-ed-lang', 'ru');
      await page.fill('#f-ed-title', 'Аудит безопасности сообществ');
      await Promise.all([page.waitForNavigation(), page.click(`form[action="/library/documents/${id}/editions"] button[type=submit]`)]);
      let rows = await page.$$eval('table.editions tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      check(JSON.stringify(rows) === JSON.stringify([['Русский', 'Аудит безопасности сообществ', '—', 'No file']]), `the Russian edition: ${JSON.stringify(rows)}`);

      // A file that is none of the accepted types is refused with its reason; nothing is added.
      await page.selectOption('#f-up-lang', 'en');
      await page.setInputFiles('#f-up-file', { name: 'photo.txt', mimeType: 'text/plain',
        buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 0)]) });
      [resp] = await Promise.all([page.waitForNavigation(), page.click(`form[action="/library/documents/${id}/upload"] button[type=submit]`)]);
      check(resp.status() >= 400 && resp.status() < 500, `a PNG named .txt is refused with 4xx, got ${resp.status()}`);
      check((await page.textContent('main h1')).trim() === 'The request was refused', `the error page's heading: ${await page.textContent('main h1')}`);
      check(await page.$('main [role=alert]') && await page.$('main a[href="/library"]'), 'an error page with the reason and a way back');
      await page.goto(`${base}/library/documents/${id}`);
      check((await page.$$('table.editions tbody tr')).length === 1, 'no edition was added');

      // Upload a text file as the English edition.
      await page.selectOption('#f-up-lang', 'en');
      await page.fill('#f-up-title', 'Community safety audits');
      await page.setInputFiles('#f-up-file', { name: 'safety-audits.txt', mimeType: 'text/plain', buffer: Buffer.from(UPLOAD_TEXT) });
      [resp] = await Promise.all([page.waitForNavigation(), page.click(`form[action="/library/documents/${id}/upload"] button[type=submit]`)]);
      check(resp.ok() && new URL(page.url()).pathname === `/library/documents/${id}`, `back on the document: ${resp.status()} ${page.url()}`);
      rows = await page.$$eval('table.editions tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      const row = rows.filter((r) => r[0] === 'English');
      check(rows.length === 2 && row.length === 1 && row[0][1] === 'Community safety audits' && row[0][2].startsWith('safety-audits.txt'),
        `the edition with its file: ${JSON.stringify(rows)}`);

      // The worker extracts the text: poll the search until the word is found.
      let found = [];
      const deadline = Date.now() + 15000;
      while (Date.now() < deadline) {
        await page.goto(`${base}/library?q=${UPLOAD_WORD}`);
        found = await results(page);
        if (found.length) break;
        await page.waitForTimeout(250);
      }
      check(found.length === 1 && found[0].href === `/library/documents/${id}`, `the file's text is searchable: ${JSON.stringify(found)}`);
      check(found[0].marks.join() === UPLOAD_WORD, `the word is highlighted: ${found[0].marks}`);
      check(found[0].meta.some((x) => x === 'E2E Series, vol. 3 · 2024'), `catalogue line: ${found[0].meta}`);
      const dl = await page.getAttribute('ol.results a[href$="/file"]', 'href');
      check(dl === `/api/v1/documents/${id}/editions/en/file`, `download link ${dl}`);
      const file = await librarian.ctx.request.get(base + dl);
      check(file.status() === 200 && (await file.text()) === UPLOAD_TEXT, `the download gives the file back: ${file.status()}`);
      check((file.headers()['content-type'] || '').startsWith('text/plain'), `content type ${file.headers()['content-type']}`);
      await page.goto(`${base}/library/documents/${id}`);
      check((await page.textContent('table.editions tbody')).includes('Searchable'), 'the edition is marked searchable');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('table.editions a[download]')]);
      check(download.suggestedFilename() === 'safety-audits.txt', `the link downloads ${download.suggestedFilename()}`);

      // Delete the edition (confirmed), then the document.
      await Promise.all([page.waitForNavigation(), page.click(`form[action="/library/documents/${id}/editions/en/delete"] button`)]);
      check(dialogs.length === 1 && dialogs[0].includes('cannot be undone'), `deleting an edition asks first: ${dialogs}`);
      rows = await page.$$eval('table.editions tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
      check(rows.join() === 'Русский', `the English edition is gone, the Russian stays: ${rows}`);
      check((await librarian.ctx.request.get(base + dl)).status() === 404, 'its file is gone');
      await page.goto(`${base}/library?q=${UPLOAD_WORD}`);
      check(await stated(page) === 0 && (await page.textContent('p.empty')).trim() === 'No documents match.', 'its text is no longer found');

      await page.goto(`${base}/library/documents/${id}`);
      await Promise.all([page.waitForNavigation(), page.click(`form[action="/library/documents/${id}/delete"] button`)]);
      check(dialogs.length === 2, 'deleting the document asks first');
      check(new URL(page.url()).pathname === '/library', `back on the library: ${page.url()}`);
      const gone = await page.goto(`${base}/library/documents/${id}`);
      check(gone.status() === 404, `the deleted document is 404, got ${gone.status()}`);
    });

    await test('x. the document form in Russian: its labels and its errors', async () => {
      const page = librarian.page;
      await page.goto(base + '/library/documents/new');
      await Promise.all([page.waitForNavigation(), page.click('header.top a.lang-switch')]);
      try {
        check((await page.textContent('main h1')).trim() === 'Новый документ', 'form heading');
        const labels = await page.$$eval('form.record-form label, form.record-form legend', (ls) => ls.map((l) => l.textContent));
        for (const l of ['Название', 'Подзаголовок', 'Серия', 'Том', 'Год', 'Опубликовано (ГГГГ-ММ)', 'Аннотация', 'Тематические приоритеты'])
          check(labels.includes(l), `label ${l} in ${labels.join(' | ')}`);
        check((await page.textContent('form.record-form button[type=submit]')).trim() === 'Сохранить', 'save button');
        await page.fill('#f-title', 'Черновик');
        await page.fill('#f-volume', '2');
        await page.fill('#f-year', '1800');
        let [resp] = await Promise.all([page.waitForNavigation(), page.click('form.record-form button[type=submit]')]);
        check(resp.status() === 422, `refused: ${resp.status()}`);
        check((await page.textContent('#f-year-error')).trim() === 'Введите год от 1900 до 2100.', `year error: ${await page.textContent('#f-year-error')}`);
        await page.fill('#f-year', '2020');
        [resp] = await Promise.all([page.waitForNavigation(), page.click('form.record-form button[type=submit]')]);
        check(resp.status() === 422, `refused again: ${resp.status()}`);
        check((await page.textContent('#f-volume-error')).trim() === 'Том указывается только вместе с серией.', `volume error: ${await page.textContent('#f-volume-error')}`);
        check(await page.inputValue('#f-title') === 'Черновик', 'the title is kept');
      } finally {
        await page.goto(base + '/library');
        await Promise.all([page.waitForNavigation(), page.click('header.top a.lang-switch')]);
      }
      check(await page.getAttribute('html', 'lang') === 'en', 'back in English');
    });

    await test('y. the catalogue: the filters of the form without a query; its next page keeps them', async () => {
      const page = librarian.page;
      await page.goto(base + '/library');
      const headers = { 'X-CSRF-Token': await csrf(page) };
      const ids = [];
      try {
        for (let i = 1; i <= CATALOGUE_FILLERS; i++) {
          const r = await librarian.ctx.request.post(base + '/api/v1/documents', {
            headers, data: { title: `Drug precursor control notes ${i}`, series: 'E2E Catalogue Series', volume: i, year: 2019, priorities: ['DRUGS'] },
          });
          check(r.status() === 201, `filler ${i} answered ${r.status()}`);
          ids.push((await r.json()).id);
        }
        await page.selectOption('#f-priority', 'DRUGS');
        await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
        const links = () => page.$$eval('ul.catalogue li > a', (as) => as.map((a) => a.getAttribute('href')));
        const first = await links();
        check(first.length === 50, `the catalogue's page holds 50 documents, got ${first.length}`);
        check(await page.inputValue('#f-priority') === 'DRUGS', 'the form keeps the priority');
        await Promise.all([page.waitForNavigation(), page.click('main a[rel=next]')]);
        const u = new URL(page.url()).searchParams;
        check(u.get('priority') === 'DRUGS' && u.get('cursor'), `the next page keeps the filter: ${page.url()}`);
        const second = await links();
        const all = new Set([...first, ...second]);
        const expected = ids.map((id) => `/library/documents/${id}`);
        check(second.length === CATALOGUE_FILLERS - 50 && all.size === CATALOGUE_FILLERS && expected.every((h) => all.has(h)),
          `the two pages hold the ${CATALOGUE_FILLERS} DRUGS documents once: ${first.length} + ${second.length}, ${all.size} distinct`);
        check(!(await page.$('main a[rel=next]')), 'no next link on the last page');
      } finally {
        for (const id of ids) {
          const del = await librarian.ctx.request.delete(`${base}/api/v1/documents/${id}`, { headers });
          check(del.status() === 204, `clean-up delete answered ${del.status()}`);
        }
      }
    });

    await test('z. markup in an abstract and titles is shown as text, in the snippet and on the page', async () => {
      const page = librarian.page;
      await page.goto(base + '/library');
      const headers = { 'X-CSRF-Token': await csrf(page) };
      const created = await librarian.ctx.request.post(base + '/api/v1/documents', {
        headers, data: { title: 'Hostile <b>title</b>', year: 2020, abstract: HOSTILE, priorities: ['PDR'] },
      });
      check(created.status() === 201, `create answered ${created.status()}`);
      const id = (await created.json()).id;
      try {
        const ed = await librarian.ctx.request.put(`${base}/api/v1/documents/${id}/editions/en`, {
          headers, data: { title: 'Edition <i onmouseover="window.__pwned=3">title</i>' },
        });
        check(ed.status() === 200 || ed.status() === 201, `edition answered ${ed.status()}`);
        await page.goto(`${base}/library?q=${HOSTILE_WORD}`);
        const items = await results(page);
        check(items.length === 1, `one result, got ${items.length}`);
        check(items[0].snippet.includes('<img src=x onerror="window.__pwned=1">') && items[0].snippet.includes('<script>'),
          `the markup is text in the snippet: ${items[0].snippet}`);
        check(items[0].marks.join('|') === HOSTILE_WORD, `only the matched word is highlighted: ${items[0].marks}`);
        check(items[0].title === 'Edition <i onmouseover="window.__pwned=3">title</i>', `title as text: ${items[0].title}`);
        const injected = await page.$$eval('main img, main script, main i, main b', (els) => els.length);
        check(injected === 0, `no injected elements in the page: ${injected}`);
        await page.goto(`${base}/library/documents/${id}`);
        check((await page.textContent('p.abstract')) === HOSTILE, 'the abstract as text on the document page');
        check((await page.textContent('main h1')) === 'Hostile <b>title</b>', 'the heading as text');
        check((await page.$$eval('main img, main script, main i, main b', (els) => els.length)) === 0, 'no injected elements');
        check(await page.evaluate(() => window.__pwned) === undefined, 'no injected script ran');
      } finally {
        const del = await librarian.ctx.request.delete(`${base}/api/v1/documents/${id}`, { headers });
        check(del.status() === 204, `clean-up delete answered ${del.status()}`);
      }
    });
  } finally {
    await librarian.ctx.close();
  }
}
