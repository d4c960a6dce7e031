// Validates the OpenAPI document read on stdin with an independent validator (an ES module, so it runs
// in its own process, outside jest's CommonJS runtime). Prints {valid, errors} as JSON.
import { Validator } from '@seriousme/openapi-schema-validator';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const validator = new Validator();
const result = await validator.validate(JSON.parse(input));
process.stdout.write(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? [] }));
