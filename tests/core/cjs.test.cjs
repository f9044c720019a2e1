// The package as a CommonJS user loads it.
require('./suite.cjs')(require('huskyvoice-core'), 'require');
