// Stands in for the MCP SDK's Ajv validator in the bundle (see scripts/build.mjs): the SDK's server uses it only to
// check what a client answers to an elicitation form, which git-backlog never asks for, and Ajv alone took a sixth of
// the server's start-up.
export class AjvJsonSchemaValidator {
  getValidator() {
    throw new Error('git-backlog: JSON Schema validation (elicitation forms) is not bundled')
  }
}
