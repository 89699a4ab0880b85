import { describe, expect, it } from 'vitest';
import { parseSuspensionDays, resetLinkToHashRoute } from '../src/routes';

describe('resetLinkToHashRoute', () => {
  it('turns the mail link into the hash route on the same root', () => {
    expect(resetLinkToHashRoute('http://127.0.0.1:5080/reset-password?token=abc_DEF-123'))
      .toBe('/#/reset-password?token=abc_DEF-123');
  });

  it('keeps a client served under a folder in that folder', () => {
    expect(resetLinkToHashRoute('https://example.com/app/reset-password/?token=t')).toBe('/app/#/reset-password?token=t');
  });

  it('encodes the token once, whatever it holds', () => {
    const route = resetLinkToHashRoute('http://h/reset-password?token=a%2Bb%3D%26c');
    expect(route).toBe('/#/reset-password?token=a%2Bb%3D%26c');
    expect(new URLSearchParams(route!.split('?')[1]).get('token')).toBe('a+b=&c');
  });

  it('leaves a missing token for the screen to explain, and every other address alone', () => {
    expect(resetLinkToHashRoute('http://h/reset-password')).toBe('/#/reset-password?token=');
    expect(resetLinkToHashRoute('http://h/')).toBeNull();
    expect(resetLinkToHashRoute('http://h/#/reset-password?token=x')).toBeNull();
    expect(resetLinkToHashRoute('http://h/reset-passwords?token=x')).toBeNull();
  });
});

describe('parseSuspensionDays', () => {
  it('reads blank as without end and whole days from 1 to 3650', () => {
    expect(parseSuspensionDays('')).toEqual({ days: undefined });
    expect(parseSuspensionDays('  ')).toEqual({ days: undefined });
    expect(parseSuspensionDays('7')).toEqual({ days: 7 });
    expect(parseSuspensionDays(' 3650 ')).toEqual({ days: 3650 });
  });

  it('refuses anything else with words for the field', () => {
    for (const text of ['0', '3651', '-1', '1.5', 'seven', '1e3']) {
      expect(parseSuspensionDays(text)).toHaveProperty('error');
    }
  });
});
