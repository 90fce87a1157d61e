#!/usr/bin/env -S node --max-semi-space-size=128
// Thin launcher so the bin link exists before the first build. A rebuild, replay or export
// decodes a whole log, keeping a few batches alive at once: with 128 MB semi-spaces V8 copies
// them between scavenges far less often (measured on a rebuild: 64 MB 1.14–1.39× the default's
// events/s, 128 MB 1.10–1.23× 64 MB's, 256 MB no more than 128 MB).
require('../dist/main.js');
