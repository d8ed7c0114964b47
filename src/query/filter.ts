/**
 * The filter language of `backlog_list`, bulk `backlog_update` and the CLI: taskwarrior-style terms (`status:open`,
 * `due.before:friday`, `+bug`, `-BLOCKED`, bare words for text) joined by `and`, `or`, `not` and parentheses. Parsing
 * and compiling are separate so a filter is checked once and its dates, regexes and lower-cased values are prepared
 * once, not per item.
 */

export { compileFilter, type FilterEnv } from './filter/compile.js'
export { parseFilter } from './filter/parser.js'
export { type FilterNode, type FilterOperator, VIRTUAL_TAGS, type VirtualTag } from './filter/syntax.js'
export { filterFields } from './filter/tested-fields.js'
