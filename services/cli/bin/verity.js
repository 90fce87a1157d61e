#!/usr/bin/env node
// Thin launcher so the bin link exists before the first build.
require('../dist/main.js');
