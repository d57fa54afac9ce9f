// Where `mindport scan` keeps its results by default: the user's cache folder of each platform.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { userCacheDir } from '../../server/src/cli/scanCache';

test('the scan cache lives in the user cache folder of each platform, never the project', () => {
  assert.equal(userCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u'), join('/x/cache', 'mindport', 'scan'));
  assert.equal(userCacheDir({}, 'linux', '/home/u'), join('/home/u', '.cache', 'mindport', 'scan'));
  assert.equal(userCacheDir({ XDG_CACHE_HOME: 'relative/cache' }, 'linux', '/home/u'), join('/home/u', '.cache', 'mindport', 'scan'), 'the XDG spec says a relative path is ignored');
  assert.equal(userCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'darwin', '/Users/u'), join('/Users/u', 'Library', 'Caches', 'mindport', 'scan'));
  assert.equal(userCacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u'), join('C:\\Users\\u\\AppData\\Local', 'mindport', 'scan'));
});
