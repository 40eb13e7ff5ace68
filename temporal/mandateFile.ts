import { readFile } from 'node:fs/promises'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import { InvalidInputError } from '../agent/errors.ts'
import { type Mandate, type MandateInput, parseMandate } from '../agent/mandate/schema.ts'

/** Reads a mandate file (YAML or JSON); errors name the file and each bad field. */
export async function loadMandateFile(path: string): Promise<{ input: MandateInput; mandate: Mandate }> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new InvalidInputError({ what: `mandate file ${path}`, issues: [{ path: '', message: 'cannot be read' }], cause })
  }
  let raw: unknown
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (cause) {
    const where = cause instanceof YAMLParseError && cause.linePos ? ` at line ${cause.linePos[0].line}` : ''
    throw new InvalidInputError({
      what: `mandate file ${path}`,
      issues: [{ path: '', message: `not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}${where}` }],
      cause,
    })
  }
  const mandate = parseMandate(raw, `mandate file ${path}`)
  return { input: raw as MandateInput, mandate }
}
