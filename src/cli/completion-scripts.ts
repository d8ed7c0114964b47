/**
 * Shell completion scripts for bash, zsh and fish, written from a description of the commands (completion.ts derives
 * it from the commander program, so a new command or option is completed without a line here). Subcommands, options
 * and option values are in the script; item ids, statuses and tags are asked of `git-backlog __complete` at each
 * TAB (`ids`, `statuses`, `tags`), in the repository the command line is in.
 */

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell code, where ${...} is the shell's own

/** What an option's value completes to. */
export type ValueKind =
  | { kind: 'none' }
  | { kind: 'text' }
  | { kind: 'id' }
  | { kind: 'file' }
  /** The statuses of the repository's config, asked of `__complete statuses`. */
  | { kind: 'status' }
  /** The tags in use in the repository, asked of `__complete tags`. */
  | { kind: 'tag' }
  | { kind: 'words'; words: string[] }

export interface OptionSpec {
  /** `-t`, when it has a short form. */
  short?: string
  /** `--type`, when it has a long form. */
  long?: string
  description: string
  value: ValueKind
}

/** What a positional argument completes to: ids (of archived items for unarchive), command names, or nothing. */
export type ArgumentKind = 'id' | 'archived-id' | 'command' | 'other'

/** A positional argument: its kind, or the words it takes (`import <source>`, `hook <event>`). */
export type ArgumentSpec =
  | { kind: ArgumentKind; variadic: boolean }
  | { kind: 'words'; variadic: boolean; words: string[] }

export interface CommandSpec {
  name: string
  aliases: string[]
  summary: string
  options: OptionSpec[]
  /** The positional arguments in order; `variadic` when the last one repeats. */
  args: ArgumentSpec[]
}

export interface CompletionSpec {
  commands: CommandSpec[]
  /** Options before the command: `-C <path>`, `-h`, `-V`. */
  global: OptionSpec[]
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

/** A word in single quotes for bash and zsh. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/** A word in single quotes for fish, where a backslash and a quote are escaped inside. */
function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, (char) => `\\${char}`)}'`
}

const flagsOf = (option: OptionSpec) => [option.short, option.long].filter((flag): flag is string => Boolean(flag))
const valued = (command: CommandSpec) =>
  command.options.filter((option) => option.value.kind !== 'none').flatMap(flagsOf)
const namesOf = (command: CommandSpec) => [command.name, ...command.aliases]
/** The kinds of a command's arguments as the scripts read them; an argument of words is `words@<index>`. */
const argWords = (command: CommandSpec) =>
  command.args
    .map((arg, index) => `${arg.kind === 'words' ? `words@${index}` : arg.kind}${arg.variadic ? '...' : ''}`)
    .join(' ')

/** What a value completes to, as the scripts say it: `@id`, `@file`, `@status`, `@tag`, or the words. */
function valueWords(value: ValueKind): string {
  if (value.kind === 'id' || value.kind === 'file' || value.kind === 'status' || value.kind === 'tag') {
    return `@${value.kind}`
  }
  return value.kind === 'words' ? value.words.join(' ') : ''
}

/**
 * The values of `$1 $2` as a case pattern: (command, option) for each option with values worth completing, and
 * (command, `@<index>`) for each argument of words.
 */
function valueCases(spec: CompletionSpec, indent: string, line: (values: string) => string): string[] {
  const lines: string[] = []
  for (const command of spec.commands) {
    const keyed: Array<[string[], string]> = [
      ...command.options.map((option): [string[], string] => [flagsOf(option), valueWords(option.value)]),
      ...command.args.map((arg, index): [string[], string] => [
        [`@${index}`],
        arg.kind === 'words' ? arg.words.join(' ') : '',
      ]),
    ]
    for (const [keys, values] of keyed) {
      if (!values) continue
      const patterns = namesOf(command).flatMap((name) => keys.map((key) => quote(`${name} ${key}`)))
      lines.push(`${indent}${patterns.join('|')}) ${line(values)} ;;`)
    }
  }
  return lines
}

const HEADER = (shell: Shell) => [
  `# ${shell} completion for git-backlog, written by \`git backlog completion ${shell}\` from its commands: do not edit;`,
  '# write it again after an upgrade. It completes `git-backlog ...` and `git backlog ...`; item ids are asked of',
  '# `git-backlog __complete` (ids, statuses, tags), in the repository the command line is in.',
]

// ── bash ───────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * The bash script: `complete -F` for `git-backlog`, and `_git_backlog`, which git's own bash completion calls for
 * `git backlog` (it calls `_git_<command>` for a command it does not know). Plain bash 3.2 (macOS): no associative
 * arrays.
 */
export function bashScript(spec: CompletionSpec): string {
  const commands = spec.commands.flatMap(namesOf).join(' ')
  const global = spec.global.flatMap(flagsOf).join(' ')
  const specCases = spec.commands.map((command) => {
    const options = command.options.flatMap(flagsOf).join(' ')
    return `    ${namesOf(command).join('|')}) __gb_opts=${quote(options)} __gb_valued=${quote(valued(command).join(' '))} __gb_args=${quote(argWords(command))} ;;`
  })
  return [
    ...HEADER('bash'),
    '',
    `__git_backlog_commands=${quote(commands)}`,
    '',
    '# Sets __gb_opts (the options of a command), __gb_valued (those that take a value) and __gb_args (its arguments).',
    '__git_backlog_spec() {',
    "  __gb_opts='-h --help' __gb_valued='' __gb_args=''",
    '  case "$1" in',
    ...specCases,
    '  esac',
    '}',
    '',
    '# The values of an option of a command (or of its argument @<index>): words, @id, @status, @tag or @file.',
    '__git_backlog_value() {',
    '  case "$1 $2" in',
    ...valueCases(spec, '    ', (values) => `echo ${quote(values)}`),
    '  esac',
    '}',
    '',
    '# What `__complete $3` answers for $2 (ids, statuses, tags), in the folder $1 (-C) when given; $4: --archived.',
    '__git_backlog_ask() {',
    '  local run=("${__gb_runner[@]}") dir="$1"',
    '  [[ $dir == "~"* ]] && dir="$HOME${dir:1}"',
    '  [[ -n $dir ]] && run+=(-C "$dir")',
    '  run+=(__complete "$3" ${4:+"$4"} -- "$2")',
    "  local IFS=$'\\n'",
    '  COMPREPLY=($("${run[@]}" 2>/dev/null))',
    '}',
    '',
    '# Item ids starting with $2, in the folder $1 (-C) when given; $3: --archived for archived items.',
    '__git_backlog_ids() { __git_backlog_ask "$1" "$2" ids "$3"; }',
    '',
    '# Fills COMPREPLY with the values $3 (from __git_backlog_value) that start with $2, in the folder $1.',
    '__git_backlog_values() {',
    '  case "$3" in',
    '    @id) __git_backlog_ids "$1" "$2" ;;',
    '    @status) __git_backlog_ask "$1" "$2" statuses ;;',
    '    @tag)',
    '      __git_backlog_ask "$1" "$2" tags',
    '      # A tag may hold a space (needs review): quoted, it stays one word on the line.',
    '      local i',
    '      for i in "${!COMPREPLY[@]}"; do printf -v "COMPREPLY[$i]" %q "${COMPREPLY[$i]}"; done',
    '      ;;',
    '    @file) __gb_files=1; COMPREPLY=($(compgen -f -- "$2")) ;;',
    '    *) COMPREPLY=($(compgen -W "$3" -- "$2")) ;;',
    '  esac',
    '}',
    '',
    '# Fills COMPREPLY for word $1 of the words after it, the first of which is the command (git-backlog, or backlog).',
    '__git_backlog_complete() {',
    '  local cword=$1',
    '  shift',
    '  local w=("$@") i=1 sub="" dir="" positional=0 dashdash="" kind="" values',
    '  local cur="${w[cword]}" prev="${w[cword-1]}"',
    '  __gb_files=""',
    '  while ((i < cword)); do',
    '    case "${w[i]}" in',
    '      -C) dir="${w[i+1]}"; ((i += 2)); continue ;;',
    '      -*) ((i++)); continue ;;',
    '    esac',
    '    sub="${w[i]}"',
    '    break',
    '  done',
    '  if [[ -z $sub ]]; then',
    '    if [[ $prev == -C ]]; then',
    '      __gb_files=1',
    '      COMPREPLY=($(compgen -d -- "$cur"))',
    '    elif [[ $cur == -* ]]; then',
    `      COMPREPLY=($(compgen -W ${quote(global)} -- "$cur"))`,
    '    else',
    '      COMPREPLY=($(compgen -W "$__git_backlog_commands" -- "$cur"))',
    '    fi',
    '    return',
    '  fi',
    '  __git_backlog_spec "$sub"',
    '  local j=$((i + 1))',
    '  while ((j < cword)); do',
    '    if [[ -n $dashdash ]]; then ((positional++))',
    '    elif [[ ${w[j]} == -- ]]; then dashdash=1',
    '    elif [[ " $__gb_valued " == *" ${w[j]} "* ]]; then ((j++))',
    '    elif [[ ${w[j]} != -?* ]]; then ((positional++))',
    '    fi',
    '    ((j++))',
    '  done',
    '  if [[ -z $dashdash ]] && ((cword - 1 > i)) && [[ " $__gb_valued " == *" $prev "* ]]; then',
    '    __git_backlog_values "$dir" "$cur" "$(__git_backlog_value "$sub" "$prev")"',
    '    return',
    '  fi',
    '  if [[ -z $dashdash && $cur == -* ]]; then',
    '    COMPREPLY=($(compgen -W "$__gb_opts" -- "$cur"))',
    '    return',
    '  fi',
    '  local kinds=($__gb_args)',
    '  if ((positional < ${#kinds[@]})); then kind="${kinds[positional]}"',
    '  elif ((${#kinds[@]})); then',
    '    kind="${kinds[${#kinds[@]}-1]}"',
    '    [[ $kind == *... ]] || kind=""',
    '  fi',
    '  kind="${kind%...}"',
    '  case "$kind" in',
    '    id) __git_backlog_ids "$dir" "$cur" ;;',
    '    archived-id) __git_backlog_ids "$dir" "$cur" --archived ;;',
    '    command) COMPREPLY=($(compgen -W "$__git_backlog_commands" -- "$cur")) ;;',
    '    words@*) __git_backlog_values "$dir" "$cur" "$(__git_backlog_value "$sub" "${kind#words}")" ;;',
    '    *) COMPREPLY=() ;;',
    '  esac',
    '}',
    '',
    '# `git-backlog <TAB>`: words as bash split them, with = and : kept inside words where bash-completion can.',
    '__git_backlog_bash() {',
    '  local __gb_runner=(git-backlog) __gb_files words cword',
    '  if declare -F _get_comp_words_by_ref >/dev/null; then',
    '    _get_comp_words_by_ref -n =: words cword',
    '  else',
    '    words=("${COMP_WORDS[@]}")',
    '    cword=$COMP_CWORD',
    '  fi',
    '  __git_backlog_complete "$cword" "${words[@]}"',
    '}',
    'complete -o default -F __git_backlog_bash git-backlog',
    '',
    "# `git backlog <TAB>`: git's completion calls this with its words, cword and the index of `backlog`.",
    '_git_backlog() {',
    '  local start=${__git_cmd_idx:-0} __gb_files',
    '  if ((start == 0)); then',
    '    start=1',
    '    while ((start < cword)) && [[ ${words[start]} != backlog ]]; do ((start++)); done',
    '  fi',
    '  local __gb_runner=(git ${__git_C_args:+"${__git_C_args[@]}"} backlog)',
    '  __git_backlog_complete "$((cword - start))" "${words[@]:start}"',
    "  # git's completion runs with -o nospace: a whole word ends with a space, a folder or file name does not.",
    '  if [[ -z $__gb_files ]] && ((${#COMPREPLY[@]})); then COMPREPLY=("${COMPREPLY[@]/%/ }"); fi',
    '}',
    '',
  ].join('\n')
}

// ── zsh ────────────────────────────────────────────────────────────────────────────────────────────────────────

/** `name:description` for zsh's _describe, the colon in a name escaped. */
function described(name: string, description: string): string {
  return quote(`${name.replace(/:/g, '\\:')}:${description}`)
}

/**
 * The zsh script, a `#compdef` function: put in a folder of `$fpath` as `_git-backlog`, it completes `git-backlog`,
 * and zsh's git completion calls `_git-backlog` for `git backlog`. Sourced instead, it registers itself with compdef.
 */
export function zshScript(spec: CompletionSpec): string {
  const commands = spec.commands.flatMap((command) => namesOf(command).map((name) => described(name, command.summary)))
  const specCases = spec.commands.map((command) => {
    const options = command.options
      .flatMap((option) => flagsOf(option).map((flag) => described(flag, option.description)))
      .join(' ')
    return `    (${namesOf(command).join('|')}) opts=(${options}); valued=(${valued(command).join(' ')}); args=(${argWords(command)}) ;;`
  })
  const global = spec.global.flatMap((option) => flagsOf(option).map((flag) => described(flag, option.description)))
  return [
    '#compdef git-backlog',
    ...HEADER('zsh'),
    '',
    '__git_backlog_spec() {',
    '  opts=() valued=() args=()',
    '  case $1 in',
    ...specCases,
    '  esac',
    '}',
    '',
    '__git_backlog_value() {',
    '  case "$1 $2" in',
    ...valueCases(spec, '    (', (values) => `reply=(${values})`),
    '    (*) reply=() ;;',
    '  esac',
    '}',
    '',
    '__git_backlog_ids() {',
    '  local dir=$1 line',
    '  shift',
    '  local -a lines ids',
    '  lines=(${(f)"$(git-backlog ${dir:+-C} ${dir:+${~dir}} __complete ids --describe "$@" -- "$PREFIX" 2>/dev/null)"})',
    "  for line in $lines; do ids+=(\"${${line%%$'\\t'*}//:/\\\\:}:${line#*$'\\t'}\"); done",
    "  _describe -t ids 'item' ids",
    '}',
    '',
    '# The statuses ($2 = statuses) or tags ($2 = tags) of the repository, in the folder $1 (-C) when given.',
    '__git_backlog_words() {',
    '  local -a found',
    '  found=(${(f)"$(git-backlog ${1:+-C} ${1:+${~1}} __complete $2 -- "$PREFIX" 2>/dev/null)"})',
    '  compadd -- $found',
    '}',
    '',
    '# Offers the values in $reply (from __git_backlog_value), in the folder $1 (-C) when given.',
    '__git_backlog_values() {',
    '  case $reply[1] in',
    '    (@id) __git_backlog_ids "$1" ;;',
    '    (@status) __git_backlog_words "$1" statuses ;;',
    '    (@tag) __git_backlog_words "$1" tags ;;',
    '    (@file) _files ;;',
    "    ('') _message 'a value' ;;",
    '    (*) compadd -- $reply ;;',
    '  esac',
    '}',
    '',
    '_git-backlog() {',
    `  local -a commands=(${commands.join(' ')})`,
    `  local -a global=(${global.join(' ')})`,
    '  local -a opts valued args reply',
    '  local i=2 sub= dir= positional=0 dashdash= kind=',
    '  local cur=$words[CURRENT] prev=$words[CURRENT-1]',
    '  while (( i < CURRENT )); do',
    '    case $words[i] in',
    '      (-C) dir=$words[i+1]; (( i += 2 )); continue ;;',
    '      (-*) (( i++ )); continue ;;',
    '    esac',
    '    sub=$words[i]',
    '    break',
    '  done',
    '  if [[ -z $sub ]]; then',
    '    if [[ $prev == -C ]]; then _directories',
    "    elif [[ $cur == -* ]]; then _describe -t options 'option' global",
    "    else _describe -t commands 'git-backlog command' commands",
    '    fi',
    '    return',
    '  fi',
    '  __git_backlog_spec $sub',
    '  local j=$(( i + 1 ))',
    '  while (( j < CURRENT )); do',
    '    if [[ -n $dashdash ]]; then (( positional++ ))',
    '    elif [[ $words[j] == -- ]]; then dashdash=1',
    '    elif (( ${valued[(Ie)$words[j]]} )); then (( j++ ))',
    '    elif [[ $words[j] != -?* ]]; then (( positional++ ))',
    '    fi',
    '    (( j++ ))',
    '  done',
    '  if [[ -z $dashdash ]] && (( CURRENT - 1 > i )) && (( ${valued[(Ie)$prev]} )); then',
    '    __git_backlog_value $sub $prev',
    '    __git_backlog_values "$dir"',
    '    return',
    '  fi',
    '  if [[ -z $dashdash && $cur == -* ]]; then',
    "    _describe -t options 'option' opts",
    '    return',
    '  fi',
    '  if (( positional < $#args )); then kind=$args[positional+1]',
    '  elif (( $#args )) && [[ $args[-1] == *... ]]; then kind=$args[-1]',
    '  fi',
    '  kind=${kind%...}',
    '  case $kind in',
    '    (id) __git_backlog_ids "$dir" ;;',
    '    (archived-id) __git_backlog_ids "$dir" --archived ;;',
    "    (command) _describe -t commands 'git-backlog command' commands ;;",
    '    (words@*) __git_backlog_value $sub ${kind#words}; __git_backlog_values "$dir" ;;',
    '    (*) _default ;;',
    '  esac',
    '}',
    '',
    'if [[ $funcstack[1] == _git-backlog ]]; then',
    '  _git-backlog "$@"',
    'else',
    '  compdef _git-backlog git-backlog',
    'fi',
    '',
  ].join('\n')
}

// ── fish ───────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * The fish script, for `~/.config/fish/completions/git-backlog.fish`. fish's git completion hands `git backlog ...`
 * to the completions of `git-backlog`, so the one file serves both.
 */
export function fishScript(spec: CompletionSpec): string {
  const lines = [
    ...HEADER('fish'),
    '',
    '# The command typed after git-backlog (and its global options), if any.',
    'function __git_backlog_command',
    '    set -l words (commandline -opc)',
    '    set -l i 2',
    '    while test $i -le (count $words)',
    '        switch $words[$i]',
    '            case -C',
    '                set i (math $i + 2)',
    '            case "-*"',
    '                set i (math $i + 1)',
    '            case "*"',
    '                echo $words[$i]',
    '                echo $i',
    '                return 0',
    '        end',
    '    end',
    '    return 1',
    'end',
    '',
    'function __git_backlog_needs_command',
    '    not __git_backlog_command >/dev/null',
    'end',
    '',
    'function __git_backlog_using',
    '    set -l found (__git_backlog_command); or return 1',
    '    contains -- $found[1] $argv',
    'end',
    '',
    '# The options of a command that take a value.',
    'function __git_backlog_valued',
    '    switch $argv[1]',
    ...spec.commands.map(
      (command) => `        case ${namesOf(command).join(' ')}\n            echo ${valued(command).join(' ') || "''"}`,
    ),
    '    end',
    'end',
    '',
    '# The kinds of the arguments of a command (id, archived-id, command, words@<index>, other; ... repeats).',
    'function __git_backlog_args',
    '    switch $argv[1]',
    ...spec.commands.map(
      (command) => `        case ${namesOf(command).join(' ')}\n            echo ${argWords(command) || "''"}`,
    ),
    '    end',
    'end',
    '',
    '# True when the word being typed is an argument of this kind (not an option, nor the value of one).',
    'function __git_backlog_arg',
    '    set -l found (__git_backlog_command); or return 1',
    '    set -l words (commandline -opc)',
    '    set -l valued (string split " " -- (__git_backlog_valued $found[1]))',
    '    set -l kinds (string split " " -- (__git_backlog_args $found[1]))',
    '    set -l positional 0',
    '    set -l j (math $found[2] + 1)',
    '    while test $j -le (count $words)',
    '        if contains -- $words[$j] $valued',
    '            set j (math $j + 1)',
    '        else if not string match -q -- "-?*" $words[$j]',
    '            set positional (math $positional + 1)',
    '        end',
    '        set j (math $j + 1)',
    '    end',
    '    if test (count $words) -ge 1; and contains -- $words[-1] $valued',
    '        return 1',
    '    end',
    '    set -l kind',
    '    if test $positional -lt (count $kinds)',
    '        set kind $kinds[(math $positional + 1)]',
    '    else if test (count $kinds) -gt 0; and string match -q -- "*..." $kinds[-1]',
    '        set kind $kinds[-1]',
    '    end',
    '    test (string replace -- "..." "" "$kind") = $argv[1]',
    'end',
    '',
    '# The statuses ($argv[1] = statuses) or tags ($argv[1] = tags) starting with the word being typed.',
    'function __git_backlog_words',
    '    set -l words (commandline -opc)',
    '    set -l dir',
    '    set -l at (contains -i -- -C $words)',
    '    and set dir -C $words[(math $at + 1)]',
    '    git-backlog $dir __complete $argv[1] -- (commandline -ct) 2>/dev/null',
    'end',
    '',
    '# Item ids, with their titles, starting with the word being typed; in the folder of -C when given.',
    'function __git_backlog_ids',
    '    set -l words (commandline -opc)',
    '    set -l dir',
    '    set -l at (contains -i -- -C $words)',
    '    and set dir -C $words[(math $at + 1)]',
    '    git-backlog $dir __complete ids --describe $argv -- (commandline -ct) 2>/dev/null',
    'end',
    '',
    'complete -c git-backlog -f',
  ]
  for (const option of spec.global) {
    lines.push(`complete -c git-backlog -n __git_backlog_needs_command ${fishOption(option)}`)
  }
  for (const command of spec.commands) {
    for (const name of namesOf(command)) {
      lines.push(
        `complete -c git-backlog -n __git_backlog_needs_command -a ${fishQuote(name)} -d ${fishQuote(command.summary)}`,
      )
    }
  }
  for (const command of spec.commands) {
    const condition = fishQuote(`__git_backlog_using ${namesOf(command).join(' ')}`)
    for (const option of command.options) {
      lines.push(`complete -c git-backlog -n ${condition} ${fishOption(option)}`)
    }
  }
  lines.push(
    "complete -c git-backlog -n '__git_backlog_arg id' -a '(__git_backlog_ids)'",
    "complete -c git-backlog -n '__git_backlog_arg archived-id' -a '(__git_backlog_ids --archived)'",
    ...spec.commands.flatMap((command) =>
      command.args.flatMap((arg, index) =>
        arg.kind === 'words'
          ? [
              `complete -c git-backlog -n ${fishQuote(`__git_backlog_using ${namesOf(command).join(' ')}; and __git_backlog_arg words@${index}`)} -a ${fishQuote(arg.words.join(' '))}`,
            ]
          : [],
      ),
    ),
    `complete -c git-backlog -n '__git_backlog_arg command' -a ${fishQuote(spec.commands.flatMap(namesOf).join(' '))}`,
    '',
    "# `git backlog ...`: fish 3.6's git completion looks for these under the name git-git-backlog, so they say it",
    '# themselves (once this file is loaded: `git backlog completion fish | source` in config.fish loads it at start).',
    "# Prints the words after `git ... backlog` (with git's -C folders first), or fails for another git command.",
    'function __git_backlog_after_git',
    '    set -l words (commandline -opc)',
    '    set -l i 2',
    '    set -l dirs',
    '    while test $i -le (count $words)',
    '        switch $words[$i]',
    '            case -C',
    '                set -a dirs -C $words[(math $i + 1)]',
    '                set i (math $i + 2)',
    '            case -c --git-dir --work-tree --namespace',
    '                set i (math $i + 2)',
    '            case "-*"',
    '                set i (math $i + 1)',
    '            case backlog',
    '                set -e words[1..$i]',
    '                string join -- " " $dirs $words',
    '                return 0',
    '            case "*"',
    '                return 1',
    '        end',
    '    end',
    '    return 1',
    'end',
    '',
    'function __git_backlog_from_git',
    '    set -l words (__git_backlog_after_git); or return',
    '    complete -C "git-backlog $words "(commandline -ct)',
    'end',
    "complete -c git -f -n '__git_backlog_after_git >/dev/null' -a '(__git_backlog_from_git)'",
    '',
  )
  return lines.join('\n')
}

function fishOption(option: OptionSpec): string {
  const parts: string[] = []
  if (option.short) parts.push(`-s ${option.short.slice(1)}`)
  if (option.long) parts.push(`-l ${option.long.slice(2)}`)
  const value = option.value
  if (value.kind === 'file') parts.push('-r -F')
  else if (value.kind === 'id') parts.push("-x -a '(__git_backlog_ids)'")
  else if (value.kind === 'status') parts.push("-x -a '(__git_backlog_words statuses)'")
  else if (value.kind === 'tag') parts.push("-x -a '(__git_backlog_words tags)'")
  else if (value.kind === 'words') parts.push(`-x -a ${fishQuote(value.words.join(' '))}`)
  else if (value.kind === 'text') parts.push('-x')
  parts.push(`-d ${fishQuote(option.description)}`)
  return parts.join(' ')
}

/** The script for a shell. */
export function completionScript(spec: CompletionSpec, shell: Shell): string {
  return shell === 'bash' ? bashScript(spec) : shell === 'zsh' ? zshScript(spec) : fishScript(spec)
}
