import * as core from './pkg/huskyvoice_core.js';
export * from './pkg/huskyvoice_core.js';
export default core;
