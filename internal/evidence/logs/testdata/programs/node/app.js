// Writes the Node fixtures with the real loggers: "pino" uses pino 9
// (numeric levels, epoch-ms time, err serialised as {type, message,
// stack}), "bunyan" uses bunyan 1.8 with src: true (v: 0, ISO time,
// src {file, line, func}, err as {message, name, stack}). Both carry the
// dd.trace_id/dd.span_id fields Datadog's tracer injects (decimal 64-bit
// IDs). gen.sh installs the pinned packages into a temporary directory.
'use strict';

const kind = process.argv[2];
const dd = { trace_id: '1234567890123456789', span_id: '987654321', service: 'checkout' };

class PaymentError extends Error {
  constructor(msg, cause) {
    super(msg, { cause });
    this.name = 'PaymentError';
  }
}

function authorize(amount) {
  if (amount > 100) {
    throw new PaymentError('card declined', new Error('issuer timeout'));
  }
}

function checkout(log) {
  log.info({ cart: { items: 3, total: 250.5 } }, 'checkout started');
  try {
    authorize(250.5);
  } catch (err) {
    log.error({ err, dd }, 'payment failed');
  }
  log.warn({ dd, attempt: 2 }, 'retrying payment');
  log.fatal({ err: new TypeError("Cannot read properties of undefined (reading 'id')") }, 'worker crashed');
}

if (kind === 'pino') {
  const pino = require('pino');
  const log = pino({ level: 'trace', base: { pid: 4242, hostname: 'web-1' } }, pino.destination({ sync: true }));
  log.trace('boot');
  checkout(log.child({ name: 'checkout' }));
} else {
  const bunyan = require('bunyan');
  const log = bunyan.createLogger({
    name: 'checkout', hostname: 'web-1', src: true, level: 'trace',
    serializers: bunyan.stdSerializers,
  });
  log.debug('boot');
  checkout(log);
}
