/** What `git backlog lint` prints: lines a person (or an editor) jumps from, or GitHub Actions workflow commands. */

import type { LintFinding } from '../core/lint.js'

interface LintReport {
  errors: number
  warnings: number
  findings: readonly LintFinding[]
}

function counted(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

/**
 * One line per finding, `path:line: severity rule: message` as compilers print them, then a summary line.
 *
 * @example
 * renderLint(result) // '.backlog/tasks/2/bl-k3m9x2.md:4: error schema: status "doing" is not one of …\n1 error, 0 warnings'
 */
export function renderLint({ errors, warnings, findings }: LintReport): string {
  const lines = findings.map(
    (found) =>
      `${found.path}${found.line === undefined ? '' : `:${found.line}`}: ${found.severity} ${found.rule}: ${found.message}`,
  )
  lines.push(
    findings.length === 0
      ? 'The backlog is sound: no errors, no warnings.'
      : `${counted(errors, 'error')}, ${counted(warnings, 'warning')}`,
  )
  return lines.join('\n')
}

/** A message as GitHub requires it in a workflow command: `%`, CR and LF escaped. */
export function escapeGithubData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')
}

/** A property value (`file=`, `title=`) of a workflow command: also `:` and `,`, which separate properties. */
export function escapeGithubProperty(text: string): string {
  return escapeGithubData(text).replaceAll(':', '%3A').replaceAll(',', '%2C')
}

/**
 * GitHub Actions workflow commands, one per finding, which the pull request shows on the file and line; a plain
 * summary line last.
 *
 * @example
 * renderLintGithub(result) // '::error file=.backlog/tasks/2/bl-k3m9x2.md,line=4,title=schema::status "doing" is …'
 */
export function renderLintGithub({ errors, warnings, findings }: LintReport): string {
  const lines = findings.map((found) => {
    const properties = [
      `file=${escapeGithubProperty(found.path)}`,
      ...(found.line === undefined ? [] : [`line=${found.line}`]),
      `title=${escapeGithubProperty(found.rule)}`,
    ]
    return `::${found.severity} ${properties.join(',')}::${escapeGithubData(found.message)}`
  })
  lines.push(`git backlog lint: ${counted(errors, 'error')}, ${counted(warnings, 'warning')}`)
  return lines.join('\n')
}
