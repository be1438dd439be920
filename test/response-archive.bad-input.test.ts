import { Duration, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { HttpProxyApi, InvokerSchedule, ResponseArchive, ResponseArchiveProps, ScheduledInvoker } from '../src';
import { testStack } from './support/test-stack';

/** Each case: what is wrong, the props, and the parts the error must name (prop, value, what is accepted). */
const cases: Array<[string, (scope: Construct) => ResponseArchiveProps, RegExp[]]> = [
  ['a prefix without a trailing slash', () => ({ prefix: 'responses' }), [/invalid prefix/, /"responses"/, /each ending in "\/"/]],
  ['a prefix with a quote', () => ({ prefix: "it's/" }), [/prefix/, /"it's\/"/]],
  ['a token prefix', () => ({ prefix: Token.asString({ Ref: 'Prefix' }) }), [/prefix/, /an unresolved token/]],
  ['an existing bucket and a key', (s) => ({ existingBucket: s3.Bucket.fromBucketName(s, 'B', 'my-archive'), encryptionKey: new kms.Key(s, 'K') }),
    [/invalid encryptionKey/, /"given with existingBucket"/, /either existingBucket or encryptionKey/]],
  ['an existing bucket and a lifecycle', (s) => ({ existingBucket: s3.Bucket.fromBucketName(s, 'B', 'my-archive'), expireAfter: Duration.days(10) }),
    [/invalid expireAfter/, /either existingBucket or expireAfter/]],
  ['a transition before 30 days', () => ({ transitionAfter: Duration.days(7) }), [/transitionAfter/, /"7 days"/, /whole days, at least 30/]],
  ['a transition in hours', () => ({ transitionAfter: Duration.hours(800) }), [/transitionAfter/, /"33 days 8 hours"/, /whole days/]],
  ['an expiry before the transition', () => ({ expireAfter: Duration.days(20) }), [/expireAfter/, /"20 days"/, /longer than transitionAfter \(30 days\)/]],
  ['a zero noncurrent expiry', () => ({ noncurrentVersionExpiration: Duration.days(0) }), [/noncurrentVersionExpiration/, /"0 days"/, /at least 1/]],
  ['a zero access log expiry', () => ({ accessLogsExpiration: Duration.days(0) }), [/accessLogsExpiration/, /"0 days"/]],
  ['a hashPath with a filter', () => ({ changeDetection: { hashPath: '$.items[?(@.id)]' } }), [/changeDetection\.hashPath/, /"\$\.items\[\?\(@\.id\)\]"/, /field names below the body/]],
  ['a hashPath not starting at $', () => ({ changeDetection: { hashPath: 'prices' } }), [/changeDetection\.hashPath/, /"prices"/]],
  ['a target hash path with a filter', () => ({ changeDetection: { targetHashPaths: { prices: '$.items[0]' } } }),
    [/changeDetection\.targetHashPaths\.prices/, /"\$\.items\[0\]"/, /field names below the body/]],
  ['a token target hash path', () => ({ changeDetection: { targetHashPaths: { prices: Token.asString({ Ref: 'Path' }) } } }),
    [/changeDetection\.targetHashPaths\.prices/, /a token/]],
  ['a topic with announceToTopic false', (s) => ({ changeDetection: { topic: new sns.Topic(s, 'T'), announceToTopic: false } }),
    [/changeDetection\.topic/, /either a topic or announceToTopic: false/]],
];

describe('ResponseArchive refuses bad input with a message naming prop, value and what is accepted', () => {
  test.each(cases)('%s', (_name, props, expected) => {
    const stack = testStack();
    let message = '';
    try {
      new ResponseArchive(stack, 'Archive', props(stack));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^TestStack\/Archive: invalid /);
    for (const part of expected) {
      expect(message).toMatch(part);
    }
  });

  test('a target hash path for a target the invoker does not call names the ids it does call', () => {
    // GIVEN
    const stack = testStack();
    const api = new HttpProxyApi(stack, 'Egress');
    const prices = api.addTarget('prices', { url: 'https://api.example.com/v1/prices' });
    const archive = new ResponseArchive(stack, 'Archive', { changeDetection: { targetHashPaths: { price: '$.price' } } });

    // WHEN / THEN
    expect(() => new ScheduledInvoker(stack, 'Poller', { schedule: InvokerSchedule.rate(Duration.minutes(15)), requests: [{ target: prices }], sink: archive }))
      .toThrow(/^TestStack\/Archive: invalid changeDetection\.targetHashPaths: got "price"; accepted: ids of targets the invoker calls: prices$/);
  });

  test('metric helpers of parts that do not exist say what is missing', () => {
    const archive = new ResponseArchive(testStack(), 'Archive');
    expect(() => archive.metricChangesAnnounced()).toThrow(/invalid metricChangesAnnounced: got "called"; accepted: a ResponseArchive with changeDetection that announces to a topic/);
    expect(() => archive.metricUnchangedResponses()).toThrow(/accepted: a ResponseArchive with changeDetection/);
  });
});
