// A stream subscriber for the integration tests, on Debian's `ws` module.
// Prints every message it receives as one JSON line, then a final line
// {"type":"_close","code":N,"reason":"..."} (or "_error"), and exits.
//
//   node ws_client.js URL [options]
//     --token T          send Authorization: Bearer T
//     --query-token T    send the token as ?token=T instead
//     --since N          ask for ?since=N
//     --no-protocol      offer no subprotocol (default: xiaoan.v1)
//     --protocol P       offer subprotocol P
//     --until-seq N      close (1000) once an event with seq >= N arrived
//     --count N          close after N messages
//     --timeout MS       close after MS milliseconds (default 20000)
//     --pause-ms MS      stop reading from the socket for MS ms after hello
//     --insecure         accept any TLS certificate (wss:// to a self-signed hub)
'use strict';
const WebSocket = require('ws');

const args = process.argv.slice(2);
let url = null;
const opt = { protocol: 'xiaoan.v1', timeout: 20000 };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const next = () => args[++i];
  if (a === '--token') opt.token = next();
  else if (a === '--query-token') opt.queryToken = next();
  else if (a === '--since') opt.since = next();
  else if (a === '--no-protocol') opt.protocol = null;
  else if (a === '--protocol') opt.protocol = next();
  else if (a === '--until-seq') opt.untilSeq = Number(next());
  else if (a === '--count') opt.count = Number(next());
  else if (a === '--timeout') opt.timeout = Number(next());
  else if (a === '--pause-ms') opt.pauseMs = Number(next());
  else if (a === '--insecure') opt.insecure = true;
  else url = a;
}
const q = [];
if (opt.since !== undefined) q.push('since=' + encodeURIComponent(opt.since));
if (opt.queryToken) q.push('token=' + encodeURIComponent(opt.queryToken));
if (q.length) url += (url.includes('?') ? '&' : '?') + q.join('&');

const headers = {};
if (opt.token) headers.Authorization = 'Bearer ' + opt.token;
const wsopt = { headers, rejectUnauthorized: !opt.insecure };
const ws = opt.protocol ? new WebSocket(url, opt.protocol, wsopt) : new WebSocket(url, wsopt);
let n = 0;
let done = false;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const finish = () => { if (!done) { done = true; ws.close(1000); } };
const timer = setTimeout(() => { out({ type: '_timeout' }); finish(); }, opt.timeout);

ws.on('message', (data) => {
  const text = data.toString('utf8');
  let m;
  try { m = JSON.parse(text); } catch (e) { out({ type: '_bad_json', text }); return; }
  process.stdout.write(text + '\n');
  n++;
  if (m.type === 'hello' && opt.pauseMs) {
    ws._socket.pause();
    setTimeout(() => ws._socket.resume(), opt.pauseMs);
  }
  if (opt.count && n >= opt.count) finish();
  if (opt.untilSeq !== undefined && m.type === 'event' && m.seq >= opt.untilSeq) finish();
});
ws.on('error', (e) => out({ type: '_error', message: e.message }));
ws.on('close', (code, reason) => {
  clearTimeout(timer);
  out({ type: '_close', code, reason: reason.toString() });
  process.exit(0);
});
