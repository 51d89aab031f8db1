// An OTLP/HTTP test receiver that decodes with OpenTelemetry's own codec:
// the protobufjs root generated from opentelemetry-proto and shipped in the
// npm package @opentelemetry/otlp-transformer (installed by .ci/deps.sh).
//
//   node otlp_receiver.js serve OUT.jsonl PORTFILE [FAIL_FIRST]
//       POST /v1/traces: decode each body as ExportTraceServiceRequest and
//       append it (toObject: ids as hex, 64-bit numbers as strings) as one
//       JSON line to OUT.jsonl; the first FAIL_FIRST requests get
//       503 with "Retry-After: 0" (and are recorded as {"refused":true}).
//       Writes the port it listens on to PORTFILE.
//   node otlp_receiver.js decode FILE
//       decode FILE (lotrace export --format otlp) and print it as JSON.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');

const dir = process.env.OTLP_NODE_DIR || '/opt/lotrace-otlp';
const root = require(path.join(dir, 'node_modules/@opentelemetry/otlp-transformer/build/src/generated/root'));
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

function decode(buf) {
	const msg = Request.decode(buf); // throws on anything that is not one
	const obj = Request.toObject(msg, {longs: String, enums: Number, bytes: String, defaults: false});
	// ids as lowercase hex, as OTLP/JSON has them
	for (const rs of obj.resourceSpans || [])
		for (const ss of rs.scopeSpans || [])
			for (const s of ss.spans || [])
				for (const k of ['traceId', 'spanId', 'parentSpanId'])
					if (s[k] !== undefined)
						s[k] = Buffer.from(s[k], 'base64').toString('hex');
	return obj;
}

const [mode, a1, a2, a3] = process.argv.slice(2);
if (mode === 'decode') {
	process.stdout.write(JSON.stringify(decode(fs.readFileSync(a1))) + '\n');
} else if (mode === 'serve') {
	let failFirst = Number(a3 || 0);
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			if (req.method !== 'POST' || req.url !== '/v1/traces' ||
			    req.headers['content-type'] !== 'application/x-protobuf') {
				fs.appendFileSync(a1, JSON.stringify({bad: req.method + ' ' + req.url + ' ' + req.headers['content-type']}) + '\n');
				res.writeHead(400);
				res.end();
				return;
			}
			if (failFirst > 0) {
				failFirst--;
				fs.appendFileSync(a1, JSON.stringify({refused: true}) + '\n');
				res.writeHead(503, {'Retry-After': '0'});
				res.end();
				return;
			}
			let line;
			try {
				line = JSON.stringify(decode(Buffer.concat(chunks)));
			} catch (e) {
				line = JSON.stringify({undecodable: String(e)});
			}
			fs.appendFileSync(a1, line + '\n');
			res.writeHead(200, {'Content-Type': 'application/x-protobuf'});
			res.end();
		});
	});
	server.listen(0, '127.0.0.1', () => fs.writeFileSync(a2, String(server.address().port)));
} else {
	console.error('usage: otlp_receiver.js serve OUT PORTFILE [FAIL_FIRST] | decode FILE');
	process.exit(1);
}
