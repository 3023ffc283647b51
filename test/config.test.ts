import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('defaults: no token, the public API, info logs', () => {
    const config = loadConfig({});
    expect(config.token).toBeUndefined();
    expect(config.tokenVariable).toBeUndefined();
    expect(config.apiUrl.href).toBe('https://api.digitalocean.com/');
    expect(config.logLevel).toBe('info');
  });

  it('takes the token from DIGITALOCEAN_API_TOKEN, then ACCESS_TOKEN, then TOKEN', () => {
    const all = { DIGITALOCEAN_API_TOKEN: 'a', DIGITALOCEAN_ACCESS_TOKEN: 'b', DIGITALOCEAN_TOKEN: 'c' };
    expect(loadConfig(all)).toMatchObject({ token: 'a', tokenVariable: 'DIGITALOCEAN_API_TOKEN' });
    expect(loadConfig({ ...all, DIGITALOCEAN_API_TOKEN: '' })).toMatchObject({ token: 'b', tokenVariable: 'DIGITALOCEAN_ACCESS_TOKEN' });
    expect(loadConfig({ DIGITALOCEAN_TOKEN: ' c \n' })).toMatchObject({ token: 'c', tokenVariable: 'DIGITALOCEAN_TOKEN' });
  });

  it('accepts http(s) API URLs with a path prefix, without the trailing slash', () => {
    expect(loadConfig({ DIGITALOCEAN_API_URL: 'http://127.0.0.1:8080' }).apiUrl.origin).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ DIGITALOCEAN_API_URL: 'https://proxy.example/do/' }).apiUrl.pathname).toBe('/do');
  });

  it.each([
    ['ftp://api.digitalocean.com', /must use http or https/],
    ['not a url', /is not a URL/],
    ['https://user:secret@api.digitalocean.com', /must not carry credentials/],
    ['https://api.digitalocean.com/?x=1', /query or fragment/],
  ])('refuses DIGITALOCEAN_API_URL=%s', (url, message) => {
    expect(() => loadConfig({ DIGITALOCEAN_API_URL: url })).toThrow(ConfigError);
    expect(() => loadConfig({ DIGITALOCEAN_API_URL: url })).toThrow(message);
  });

  it('reads LOG_LEVEL and refuses unknown levels', () => {
    expect(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of debug, info, warn, error/);
  });
});
