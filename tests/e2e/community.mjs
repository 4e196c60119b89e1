// community.mjs: browser tests of community policing, run by run.mjs against its server
// (demo data: the Community Security Initiative): the reception screen records three
// concerns with the network switched off, still loads from the service worker while
// offline, and when the network returns sends exactly three; a queued retry of a concern
// already sent records nothing new; a citizen follows a concern by tracking code and sees
// only public events; a complaint about police conduct is invisible to the named unit; the
// chosen service's questions are shown alone and their answers reach the server from the
// citizens' form and from the reception queue.

export async function communityTests({ browser, base, test, check, signIn, watchConsole, consoleErrors, timeoutMs }) {
  async function session(login) {
    const ctx = await browser.newContext({ baseURL: base });
    const page = await ctx.newPage();
    page.setDefaultTimeout(timeoutMs);
    watchConsole(page, consoleErrors);
    await signIn(page, base, login);
    return { ctx, page };
  }
  const csrfOf = (page) => page.getAttribute('meta[name="csrf-token"]', 'content');
  // Concerns the coordinator's API lists whose description starts with prefix.
  async function listed(page, prefix) {
    const r = await page.request.get(base + '/api/v1/concerns?limit=1000');
    check(r.ok(), `list: ${r.status()}`);
    return (await r.json()).items.filter((c) => c.description.startsWith(prefix));
  }

  const coord = await session('coordinator');
  try {
    await test('A. reception offline: three concerns queued, sent exactly once when back online', async () => {
      const page = coord.page;
      await page.goto(base + '/officer/reception');
      // The service worker takes control, then a reload puts the page in its cache.
      await page.evaluate(() => navigator.serviceWorker.ready);
      await page.reload();
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
      await page.waitForFunction(() => document.getElementById('queue-status').dataset.count === '0');
      const tag = 'Offline test ' + Date.now();
      await coord.ctx.setOffline(true);
      try {
        for (let i = 1; i <= 3; i++) {
          await page.selectOption('#f-service', 'public_order');
          await page.fill('#f-description', `${tag} #${i}: noise from the tea house at night`);
          await page.click('form.reception button[type=submit]');
          await page.waitForFunction((n) => document.getElementById('queue-status').dataset.count === String(n), i);
        }
        check((await page.inputValue('#f-description')) === '', 'the form is empty for the next citizen');
        // The screen still opens without a network, and keeps its queue.
        await page.reload();
        await page.waitForFunction(() => document.getElementById('queue-status').dataset.count === '3');
      } finally {
        await coord.ctx.setOffline(false);
      }
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      await page.waitForFunction(() => document.getElementById('queue-status').dataset.count === '0', null, { timeout: 20000 });
      const sent = await page.$$eval('#queue-sent li.sent', (lis) => lis.map((li) => li.textContent));
      check(sent.length === 3, `three sent, got ${sent.length}`);
      const got = await listed(page, tag);
      check(got.length === 3, `exactly three concerns on the server, got ${got.length}`);
      check(got.every((c) => c.channel === 'reception'), 'recorded as reception concerns');

      // A retry of one already sent (the reply was lost): same client id, nothing new.
      const again = await page.evaluate(async (t) => {
        await window.polisReception.put({ client_id: 'e2e-retry-' + t, channel: 'reception', service_code: 'water', description: t + ' retry' });
        await window.polisReception.flush();
        await window.polisReception.put({ client_id: 'e2e-retry-' + t, channel: 'reception', service_code: 'water', description: t + ' retry' });
        await window.polisReception.flush();
        return (await window.polisReception.all()).length;
      }, tag);
      check(again === 0, `the queue is empty after the retry, got ${again}`);
      check((await listed(page, tag + ' retry')).length === 1, 'the retried concern is recorded once');
    });

    await test('B. a citizen follows a concern by code and sees only public events', async () => {
      const page = coord.page;
      const csrf = await csrfOf(page);
      const r = await page.request.post(base + '/api/v1/concerns', {
        headers: { 'X-CSRF-Token': csrf },
        data: { service_code: 'water', description: 'Pipe broken near the school', contact: { name: 'Gulnara', phone: '+996 700 222 333' } },
      });
      check(r.status() === 201, `create: ${r.status()}`);
      const code = (await r.json()).tracking_code;
      for (const step of [{ status: 'acknowledged', note: 'Water board called', public: true },
                          { note: 'Neighbour of the duty officer', public: false }]) {
        const s = await page.request.post(`${base}/api/v1/concerns/${code}/events`, { headers: { 'X-CSRF-Token': csrf }, data: step });
        check(s.ok(), `step: ${s.status()}`);
      }
      const citizen = await browser.newContext({ baseURL: base });
      try {
        const cp = await citizen.newPage();
        cp.setDefaultTimeout(timeoutMs);
        watchConsole(cp, consoleErrors);
        await cp.goto(base + '/concerns/status');
        await cp.fill('#f-code', code.slice(0, 5).toLowerCase() + '-' + code.slice(5).toLowerCase());
        await Promise.all([cp.waitForNavigation(), cp.click('main form button[type=submit]')]);
        const text = await cp.textContent('main');
        check(text.includes('Water board called'), 'the public step shows');
        check(!text.includes('Neighbour of the duty officer'), 'the internal note does not');
        check(!text.includes('Gulnara') && !text.includes('222 333'), 'no contact details');
        check(!text.includes('Pipe broken'), 'no description');
      } finally {
        await citizen.close();
      }
    });

    await test('C. a complaint about police conduct is invisible to the named unit', async () => {
      // The demo's conduct complaint names the Kara-Suu station; inspector.osh works there.
      const all = await coord.page.request.get(base + '/api/v1/concerns?service_code=police_conduct&limit=100');
      const items = (await all.json()).items;
      check(items.length >= 1, 'the coordinator sees the complaint');
      const code = items[0].tracking_code;
      const officer = await session('inspector.osh');
      try {
        const r = await officer.page.request.get(`${base}/api/v1/concerns/${code}`);
        check(r.status() === 404, `the named unit's officer gets 404, got ${r.status()}`);
        await officer.page.goto(base + '/officer/concerns');
        check(!(await officer.page.textContent('main')).includes(code), 'not in the officer\'s list');
        const page = await officer.page.goto(`${base}/officer/concerns/${code}`);
        check(page.status() === 404, `its page is 404, got ${page.status()}`);
        const own = await officer.page.request.get(base + '/api/v1/concerns?limit=100');
        check((await own.json()).items.length > 0, 'the officer still sees the concerns of the area');
      } finally {
        await officer.ctx.close();
      }
    });

    await test('F. the chosen service\'s questions: shown alone, answered, sent by the form and by the reception queue', async () => {
      const ctx = await browser.newContext({ baseURL: base });
      const page = await ctx.newPage();
      page.setDefaultTimeout(timeoutMs);
      watchConsole(page, consoleErrors);
      try {
        await page.goto(base + '/concerns/new');
        const visible = () => page.$$eval('fieldset.questions', (fs) => fs.filter((f) => !f.hidden).map((f) => f.dataset.service));
        await page.selectOption('#f-service', 'criminal');
        check((await visible()).length === 0, 'a service without questions shows none');
        await page.selectOption('#f-service', 'domestic_violence');
        const shown = await visible();
        check(shown.length === 1 && shown[0] === 'domestic_violence', `only its questions: ${shown}`);
        check(await page.isDisabled('select[name="attr.bride_kidnapping.danger_now"]'), 'the others are disabled');
        await page.selectOption('select[name="attr.domestic_violence.danger_now"]', 'yes');
        const tag = 'Questions test ' + Date.now();
        await page.fill('#f-description', tag + ': shouting next door');
        await Promise.all([page.waitForNavigation(), page.click('form.record-form button[type=submit]')]);
        const code = (await page.textContent('.tracking-code')).replace('-', '').trim();
        const rec = await (await coord.page.request.get(`${base}/api/v1/concerns/${code}`)).json();
        check(JSON.stringify(rec.attributes) === '{"danger_now":"yes"}', `answers stored: ${JSON.stringify(rec.attributes)}`);
      } finally {
        await ctx.close();
      }
      const rp = coord.page;
      await rp.goto(base + '/officer/reception');
      await rp.waitForFunction(() => document.getElementById('queue-status').dataset.count === '0');
      await rp.selectOption('#f-service', 'water');
      await rp.fill('input[name="attr.water.households"]', '12');
      const tag = 'Reception questions ' + Date.now();
      await rp.fill('#f-description', tag + ': no water on the hill');
      await rp.click('form.reception button[type=submit]');
      await rp.waitForFunction(() => document.querySelectorAll('#queue-sent li.sent').length > 0 && document.getElementById('queue-status').dataset.count === '0');
      const got = await listed(rp, tag);
      check(got.length === 1, `one concern, got ${got.length}`);
      check(JSON.stringify(got[0].attributes) === '{"households":"12"}', `reception answers: ${JSON.stringify(got[0].attributes)}`);
    });
  } finally {
    await coord.ctx.close();
  }
}
