#!/usr/bin/env node
// Installs exactly the tree in package-lock.json (`npm ci`), and only when the
// installed tree differs from it, so `npm test` and `npm start` stay one command
// without reinstalling on every run. npm records what it installed in
// node_modules/.package-lock.json; its packages must equal the lockfile's.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const root = join(__dirname, '..');

function packagesOf(file) {
  try {
    const { packages } = JSON.parse(readFileSync(file, 'utf8'));
    const installed = {};
    for (const [path, entry] of Object.entries(packages ?? {})) {
      if (path === '' || (entry.optional && entry.os)) continue;
      installed[path] = entry.version ?? entry.resolved ?? '';
    }
    return installed;
  } catch {
    return undefined;
  }
}

function sameTree(locked, installed) {
  if (!locked || !installed) return false;
  for (const [path, version] of Object.entries(locked)) {
    if (path.startsWith('node_modules/') && installed[path] !== version) return false;
  }
  return true;
}

// @confluentinc/kafka-javascript builds librdkafka when no prebuilt binary can be downloaded
// (a closed network). Its default static build downloads OpenSSL and zlib sources: link the
// system's instead. node-gyp downloads Node's headers unless told where the running Node's are.
function buildEnv() {
  const env = { ...process.env, CKJS_LINKING: process.env.CKJS_LINKING ?? 'dynamic' };
  const prefix = dirname(dirname(process.execPath));
  if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix;
  return env;
}

const locked = packagesOf(join(root, 'package-lock.json'));
const installed = packagesOf(join(root, 'node_modules', '.package-lock.json'));
if (sameTree(locked, installed)) {
  process.stdout.write('install: node_modules matches package-lock.json\n');
  // `npm ci` applies patches/ (postinstall); a tree installed before a patch changed gets it here.
  execFileSync(join(root, 'node_modules', '.bin', 'patch-package'), [], { cwd: root, stdio: 'inherit' });
} else {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', env: buildEnv() });
}
