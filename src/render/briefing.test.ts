import { describe, expect, it } from 'vitest'
import { cutToBytes, fitBriefing, oneLine } from './briefing.js'

describe('cutting text to bytes', () => {
  it('never splits a character, and marks a cut with …', () => {
    expect(cutToBytes('héllo wörld', 9)).toBe('héllo…')
    expect(cutToBytes('héllo wörld', 8)).toBe('héll…')
    expect(cutToBytes('short', 8)).toBe('short')
    // 🙂 is four bytes (two UTF-16 units): a cut falls before it, never inside.
    for (let max = 3; max < 20; max++) {
      const cut = cutToBytes('ab🙂🙂中é', max)
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(max)
      expect(Buffer.from(cut).toString()).toBe(cut)
      expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/)
    }
  })

  it('drops whole lines only, and reads control characters as spaces', () => {
    expect(fitBriefing(['one', 'two', 'three'], [], [], 8).text).toBe('one\ntwo')
    expect(fitBriefing(['one', 'two'], [], [], 100).text).toBe('one\ntwo')
    expect(oneLine('a\tb\r\nc')).toBe('a b c')
  })
})

describe('fitting the briefing', () => {
  const section = (key: string, count: number) => ({
    key,
    title: `${key} (${count}):`,
    lines: Array.from({ length: Math.min(count, 20) }, (_, index) => `${key} line ${index} ${'x'.repeat(60)}`),
    total: count,
    more: `see ${key}`,
  })

  it('gives up changes first and the work in progress last, saying how many more there are', () => {
    const fitted = fitBriefing(
      ['Header'],
      [section('in_progress', 30), section('ready', 30), section('blocked', 30), section('changes', 30)],
      ['Footer'],
      1200,
    )
    expect(Buffer.byteLength(fitted.text)).toBeLessThanOrEqual(1200)
    expect(fitted.shown.in_progress).toBeGreaterThan(fitted.shown.changes as number)
    expect(fitted.trimmed).toEqual(['in_progress', 'ready', 'blocked', 'changes'])
    expect(fitted.text).toContain(`  … ${30 - (fitted.shown.changes as number)} more: see changes`)
    expect(fitted.text.endsWith('Footer')).toBe(true)
  })

  it('keeps everything when it fits, and leaves out empty sections unless asked to keep them', () => {
    const fitted = fitBriefing(
      ['Header'],
      [section('ready', 2), { ...section('blocked', 0) }, { ...section('changes', 0), keep: true }],
      [],
      3072,
    )
    expect(fitted.text).toBe(
      `Header\nready (2):\n- ready line 0 ${'x'.repeat(60)}\n- ready line 1 ${'x'.repeat(60)}\nchanges (0):`,
    )
    expect(fitted.trimmed).toEqual([])
  })
})

describe('fitting a briefing to the smallest budget', () => {
  it('never ends on a section title with nothing under it', () => {
    const header = ['H'.repeat(199), 'Second header line.']
    const sections = [
      { key: 'in_progress', title: 'In progress (30):', lines: ['bl-1 One', 'bl-2 Two'], total: 30, more: 'see it' },
      { key: 'ready', title: 'Ready (4):', lines: ['bl-3 Three'], total: 4, more: 'see ready' },
    ]
    for (let max = 256; max < 320; max++) {
      const { text } = fitBriefing(header, sections, ['Footer'], max)
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(max)
      expect(text, `at ${max} bytes`).not.toMatch(/:$/)
    }
    expect(fitBriefing(header, sections, [], 240).text).toBe(header.join('\n'))
  })
})
