import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../../worker/config';

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  test.each(Object.keys(CONFIG_VARIABLES))('documents the variable %s', (name) => {
    expect(readme).toContain(`| \`${name}\` |`);
  });

  test('names the two commands', () => {
    expect(readme).toContain('npm start');
    expect(readme).toContain('npm test');
  });
});
