// A producer that never gives up on an alert: it POSTs alerts PREFIX-1..N
// (CONCURRENCY at a time) and retries each, with the same source_id, after
// any answer that is not 2xx or a failed connection, until it gets a 2xx or
// DEADLINE_MS passes. Prints one JSON line per alert:
//   {"source_id":..., "status":201, "case_id":..., "attempts":N, "statuses":[503, ...]}
//
//   node producer.js HOST:PORT TOKEN PREFIX N [CONCURRENCY] [DEADLINE_MS]
'use strict';
const http = require('http');

const [hostport, token, prefix, nstr, cstr, dstr] = process.argv.slice(2);
const [host, port] = hostport.split(':');
const n = Number(nstr);
const concurrency = Number(cstr || 4);
const deadline = Date.now() + Number(dstr || 60000);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let next = 1;

function post(body) {
  return new Promise((resolve) => {
    const req = http.request({ host, port, path: '/v1/alerts', method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
                 Authorization: 'Bearer ' + token } }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.setTimeout(10000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(body);
  });
}

async function one(i) {
  const id = `${prefix}-${i}`;
  const body = JSON.stringify({ source_id: id, type: 'panic_alarm', school: `S${String(1 + (i % 120)).padStart(3, '0')}`,
    occurred_at: new Date().toISOString(), summary: `一键报警测试 ${i}` });
  const statuses = [];
  for (;;) {
    const r = await post(body);
    statuses.push(r.status);
    if (r.status === 200 || r.status === 201) {
      const j = JSON.parse(r.body);
      return { source_id: id, status: r.status, case_id: j.case_id, attempts: statuses.length, statuses };
    }
    if (Date.now() > deadline) return { source_id: id, status: r.status, attempts: statuses.length, statuses };
    await new Promise((res) => setTimeout(res, 100 + Math.random() * 200));
  }
}

async function worker() {
  while (next <= n) {
    const i = next++;
    process.stdout.write(JSON.stringify(await one(i)) + '\n');
  }
}

Promise.all(Array.from({ length: concurrency }, worker)).then(() => agent.destroy());
