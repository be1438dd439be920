/**
 * cdk-nag 3 (validation-plugin API) over stacks holding the library's
 * constructs: no finding may be left unacknowledged, and every
 * acknowledgement in the construct tree must be a row of README's
 * "Security posture" table.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack, Validations } from 'aws-cdk-lib';
import { HttpProxyApi } from '../src';
import { nagFindings } from './support/nag';
import { testStack } from './support/test-stack';

/** Rows of README's posture table: tool, finding id, resource, reason. */
function postureTable(): Array<{ tool: string; id: string; resource: string; reason: string }> {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.split(/^## Security posture$/m)[1]?.split(/^## /m)[0];
  if (!section) throw new Error('README.md has no "## Security posture" section');
  return section.split('\n')
    .filter((line) => /^\| *[a-z-]+ *\| *`/.test(line))
    .map((line) => line.split('|').slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, '')))
    .map(([tool, id, resource, reason]) => ({ tool, id, resource, reason }));
}

/** Every acknowledgement recorded in the construct tree: id, reason and path. */
function acknowledgementsIn(stack: Stack) {
  return stack.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries<string>(m.data).map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ''), reason, path: c.node.path }))));
}

function httpProxyApiStack(): Stack {
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  api.addTarget('weather', { url: 'https://api.example.com/v1/{city}', queryParameters: ['days'] });
  api.addTarget('status', { url: 'https://status.example.com/', proxy: true, methods: ['GET', 'POST'] });
  return stack;
}

describe('cdk-nag', () => {
  test('HttpProxyApi alone: AwsSolutions and Serverless report no unacknowledged finding', () => {
    // GIVEN a stack holding only an HttpProxyApi WHEN both packs run THEN nothing is left
    expect(nagFindings(httpProxyApiStack(), ['AwsSolutions', 'Serverless'])).toEqual([]);
  });

  test('the checks can fail: an API without request validation is reported', () => {
    const stack = testStack();
    new HttpProxyApi(stack, 'Egress', { requestValidation: false }).addTarget('a', { url: 'https://api.example.com/' });
    expect(nagFindings(stack, ['AwsSolutions'])).toContainEqual({ rule: 'AwsSolutions-APIG2', resource: expect.stringMatching(/Egress\/Api\/Resource$/) });
  });

  test('every acknowledgement in code is a README posture row with the same reason, and on the narrowest resource', () => {
    const rows = postureTable();
    const acks = acknowledgementsIn(httpProxyApiStack());
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      const row = rows.find((r) => r.tool === 'cdk-nag' && r.id === ack.id);
      expect({ id: ack.id, row: row !== undefined }).toEqual({ id: ack.id, row: true });
      expect(row!.reason).toBe(ack.reason);
      // acknowledged on one method or the stage, never on the API or the stack
      expect(ack.path).toMatch(/\/Egress\/Api\/(Default\/.+\/(GET|POST)|DeploymentStage\.egress)$/);
    }
    // and the table has no row the code does not produce
    for (const row of rows.filter((r) => r.tool === 'cdk-nag')) {
      expect(acks.map((a) => a.id)).toContain(row.id);
    }
  });
});
