import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SearchInput, normalize } from '../src/searchInput';

describe('SearchInput', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const make = () => {
    const queries: string[] = [];
    const input = new SearchInput({ delayMs: 200, onQuery: (q) => queries.push(q) });
    return { input, queries };
  };

  it('emits once, after the last keystroke', () => {
    const { input, queries } = make();
    input.input('k');
    vi.advanceTimersByTime(100);
    input.input('ki');
    vi.advanceTimersByTime(100);
    input.input('kim');
    expect(queries).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(queries).toEqual(['kim']);
  });

  it('does not emit partial syllables while composing, emits on compositionend', () => {
    const { input, queries } = make();
    input.compositionStart();
    input.input('ㄱ', true);
    input.input('기', true);
    input.input('김', true);
    vi.advanceTimersByTime(1000);
    expect(queries).toEqual([]);
    input.compositionEnd('김');
    vi.advanceTimersByTime(200);
    expect(queries).toEqual(['김']);
  });

  it('handles input after compositionend (Chromium order) without a second search', () => {
    const { input, queries } = make();
    input.compositionStart();
    input.input('김', true);
    input.compositionEnd('김');
    input.input('김');
    vi.advanceTimersByTime(200);
    expect(queries).toEqual(['김']);
  });

  it('ignores the isComposing flag of input events even without compositionstart', () => {
    const { input, queries } = make();
    input.input('ㅋ', true);
    vi.advanceTimersByTime(500);
    expect(queries).toEqual([]);
  });

  it('clears at once, skips unchanged queries, trims, flushes on Enter', () => {
    const { input, queries } = make();
    input.input(' kim ');
    input.flush();
    expect(queries).toEqual(['kim']);
    input.input('kim');
    vi.advanceTimersByTime(200);
    expect(queries).toEqual(['kim']);
    input.input('');
    expect(queries).toEqual(['kim', '']);
  });

  it('cuts queries to 50 characters', () => {
    expect(normalize('가'.repeat(60))).toBe('가'.repeat(50));
  });
});
