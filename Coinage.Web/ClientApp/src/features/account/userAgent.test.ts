import { describe, expect, it } from 'vitest';
import { describeUserAgent } from './userAgent';

describe('describeUserAgent', () => {
  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
      { browser: 'Firefox 133', system: 'Windows 10', kind: null, label: 'Firefox 133 on Windows 10' },
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
      { browser: 'Safari 17', system: 'Mac OS 10.15.7', kind: null, label: 'Safari 17 on Mac OS 10.15.7' },
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      { browser: 'Mobile Safari 17', system: 'iOS 17.5', kind: 'mobile', label: 'Mobile Safari 17 on iOS 17.5' },
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      { browser: 'Chrome 131', system: 'Android 14', kind: 'mobile', label: 'Chrome 131 on Android 14' },
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
      { browser: 'Chrome Headless 131', system: 'Linux', kind: null, label: 'Chrome Headless 131 on Linux' },
    ],
    // Programs are named by their product token, not the whole string.
    ['curl/8.4.0', { browser: 'curl 8.4.0', system: null, kind: null, label: 'curl 8.4.0' }],
    ['coinage-bot/1.2 (+https://example.test)', { browser: 'coinage-bot 1.2', system: null, kind: null, label: 'coinage-bot 1.2' }],
    // What the API stores when the request had no User-Agent.
    ['unknown', { browser: null, system: null, kind: null, label: 'Unknown device' }],
    ['', { browser: null, system: null, kind: null, label: 'Unknown device' }],
  ])('%s', (userAgent, expected) => {
    expect(describeUserAgent(userAgent)).toEqual(expected);
  });
});
