// CommonJS entry: the wasm core (every function, Run, Pacers), the driver loop and the Node client (schedule, get, cancel, delete).
'use strict';
const core = require('./pkg/huskyvoice_core.js');
const { drive } = require('./pkg/driver.js');
const client = require('./pkg/client.js');

const { scheduleCall, scheduleCalls, getCall, getCalls, cancelCall, cancelCalls, deleteCall, deleteCalls } = client;
module.exports = { ...core, drive, scheduleCall, scheduleCalls, getCall, getCalls, cancelCall, cancelCalls, deleteCall, deleteCalls };
