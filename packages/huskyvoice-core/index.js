// CommonJS entry: the wasm core (every function, Run, Pacers), the driver loop and the Node client.
'use strict';
const core = require('./pkg/huskyvoice_core.js');
const { drive } = require('./pkg/driver.js');
const { cancelCall, cancelCalls } = require('./pkg/client.js');

module.exports = { ...core, drive, cancelCall, cancelCalls };
