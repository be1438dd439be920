// The README's architecture picture is drawn from examples/poller by
// `npx projen docs:architecture`; these tests fail when the code and the
// committed picture part ways.
import * as crypto from 'crypto';
import * as fs from 'fs';
import { App } from 'aws-cdk-lib';
import { PollerStack } from '../examples/poller/stack';
import { ARCHITECTURE_TITLE, DIAGRAM_FILES } from '../scripts/architecture/files';
import { architectureDot } from '../scripts/architecture/graph';

function pollerDot(): string {
  const app = new App();
  const stack = new PollerStack(app, 'InsideOutPoller', { env: { account: '111111111111', region: 'eu-west-1' } });
  return architectureDot(stack, ARCHITECTURE_TITLE);
}

describe('architecture picture', () => {
  test('the committed DOT is what examples/poller draws today', () => {
    // GIVEN the example as the code synthesizes it now
    const dot = pollerDot();

    // THEN the committed source of the picture is the same, else run `npx projen docs:architecture`
    expect(fs.readFileSync(DIAGRAM_FILES.dot, 'utf8')).toEqual(dot);
  });

  test('the committed SVG was drawn from the committed DOT, and the PNG is a PNG', () => {
    const digest = crypto.createHash('sha256').update(fs.readFileSync(DIAGRAM_FILES.dot)).digest('hex');

    expect(fs.readFileSync(DIAGRAM_FILES.svg, 'utf8')).toContain(`drawn from architecture.dot sha256:${digest}`);
    expect(fs.readFileSync(DIAGRAM_FILES.png).subarray(0, 8).toString('hex')).toEqual('89504e470d0a1a0a');
  });

  test('the picture shows the flow a reader needs: schedule, state machine, each route and its upstream, the archive', () => {
    // WHEN the example is drawn
    const dot = pollerDot();
    const edges = dot.split('\n').filter((l) => l.includes('->')).map((l) => l.trim());

    // THEN every hop of a poll is an edge with its label
    const edge = (from: RegExp, to: RegExp, label: string) =>
      edges.filter((e) => from.test(e.split('->')[0]) && to.test(e.split('->')[1]) && e.includes(`label="${label}"`));
    expect(edge(/PollerSchedule/, /PollerStateMachine/, 'starts')).toHaveLength(1);
    expect(edge(/PollerSchedule/, /PollerDeadLetterQueue/, 'failed starts')).toHaveLength(1);
    expect(edge(/PollerStateMachine/, /EgressApi\w+GET/, 'apigateway:invoke\\nSigV4')).toHaveLength(2);
    expect(edge(/EgressApipricesskuGET/, /https:\/\/api\.shop\.example/, 'HTTPS')).toHaveLength(1);
    expect(edge(/EgressApistatusGET/, /https:\/\/status\.partner\.example/, 'HTTPS')).toHaveLength(1);
    expect(edge(/PollerStateMachine/, /ArchiveBucket/, 'PutObject')).toHaveLength(1);
    expect(edge(/PollerStateMachine/, /ArchiveHashes/, 'conditional write')).toHaveLength(1);
    expect(edge(/PollerStateMachine/, /ArchiveChanges/, 'change')).toHaveLength(1);
    expect(edge(/Poller\/alarms/, /Alarms/, 'notifies')).toHaveLength(1);
    // one cluster per construct, named as the user named it, with its class
    for (const cluster of ['Egress (HttpProxyApi)', 'Poller (ScheduledInvoker)', 'Archive (ResponseArchive)']) {
      expect(dot).toContain(`label="${cluster}"`);
    }
    // and the roles, keys and log groups stay out of it
    expect(dot).not.toMatch(/"(PollerRole|PollerSchedulerRole|\w+Key|EgressAccessLogs|EgressExecutionLogs|PollerLogs)[0-9A-F]{8}"/);
  });
});
