import { Duration, RemovalPolicy, TimeZone, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HttpProxyApi, HttpProxyTarget, InvokerLayout, InvokerSchedule, IResponseSink, PrivateApiAccess, RequestBody, ScheduledInvoker, ScheduledInvokerProps } from '../src';
import { testStack } from './support/test-stack';

interface Targets {
  readonly forecast: HttpProxyTarget;
  readonly orders: HttpProxyTarget;
  readonly status: HttpProxyTarget;
  readonly privateRoute: HttpProxyTarget;
}

function targets(scope: Construct): Targets {
  const api = new HttpProxyApi(scope, 'Egress');
  const privateApi = new HttpProxyApi(scope, 'PrivateEgress', {
    endpointType: apigw.EndpointType.PRIVATE,
    privateAccess: PrivateApiAccess.throughVpcEndpoints(
      ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(scope, 'Endpoint', { vpcEndpointId: 'vpce-0123456789abcdef0', port: 443 }),
    ),
  });
  return {
    forecast: api.addTarget('forecast', { url: 'https://api.example.com/v1/forecast/{city}', queryParameters: ['days'], requiredQueryParameters: ['lat'], requestHeaders: ['Accept-Language'] }),
    orders: api.addTarget('orders', { url: 'https://api.example.com/v1/orders', methods: ['GET', 'POST'] }),
    status: api.addTarget('status', { url: 'https://status.example.com/', proxy: true }),
    privateRoute: privateApi.addTarget('inside', { url: 'https://api.example.com/v1/inside' }),
  };
}

const ok = (t: Targets) => [{ target: t.forecast, pathParameters: { city: 'oslo' }, queryParameters: { lat: '59' } }];

/** A sink whose only job is to report its budget and result fields. */
function sink(maxDuration: Duration, resultFields?: Record<string, string>): IResponseSink {
  return {
    bindToInvoker: (scope: Construct) => ({ chain: new sfn.Pass(scope, 'Keep'), maxDuration, resultFields }),
  };
}

/** Each case: what is wrong, the props, and the parts the error must name (prop, value, what is accepted). */
const cases: Array<[string, (t: Targets) => Partial<ScheduledInvokerProps>, RegExp[]]> = [
  // requests
  ['no requests', () => ({ requests: [] }), [/invalid requests/, /got \[\]/, /at least one request/]],
  ['a target of a PRIVATE API', (t) => ({ requests: [{ target: t.privateRoute }] }), [/requests\[0\]\.target/, /'inside' on a PRIVATE API/, /REGIONAL HttpProxyApi/, /Step Functions can only call Regional APIs/]],
  ['a target that is not an HttpProxyTarget', () => ({ requests: [{ target: {} as any }] }), [/requests\[0\]\.target/, /a target returned by HttpProxyApi\.addTarget\(\)/]],
  ['a method the target does not have', (t) => ({ requests: [{ target: t.orders, method: 'DELETE' }] }), [/requests\[0\]\.method/, /"DELETE"/, /GET, POST/]],
  ['a missing path parameter', (t) => ({ requests: [{ target: t.forecast, queryParameters: { lat: '1' } }] }), [/requests\[0\]\.pathParameters/, /got \{\}/, /exactly the path parameters of target 'forecast' \(\/forecast\/\{city\}\): city/]],
  ['an unknown path parameter', (t) => ({ requests: [{ target: t.forecast, pathParameters: { city: 'a', town: 'b' }, queryParameters: { lat: '1' } }] }), [/pathParameters/, /"town":"b"/, /: city/]],
  ['path parameters on a route without any', (t) => ({ requests: [{ target: t.orders, pathParameters: { id: '1' } }] }), [/pathParameters/, /"id":"1"/, /target 'orders' \(\/orders\) has none/]],
  ['an empty path parameter', (t) => ({ requests: [{ target: t.forecast, pathParameters: { city: '' }, queryParameters: { lat: '1' } }] }), [/pathParameters\.city/, /got ""/, /non-empty literal string/]],
  ['a token path parameter', (t) => ({ requests: [{ target: t.forecast, pathParameters: { city: Token.asString({ Ref: 'City' }) }, queryParameters: { lat: '1' } }] }), [/pathParameters\.city/, /an unresolved token/, /literal string/]],
  ['a proxy route without proxyPath', (t) => ({ requests: [{ target: t.status }] }), [/requests\[0\]\.proxyPath/, /undefined/, /proxy route/]],
  ['a proxyPath with ..', (t) => ({ requests: [{ target: t.status, proxyPath: 'v1/../admin' }] }), [/proxyPath/, /"v1\/\.\.\/admin"/, /no "\." or "\.\." segment/]],
  // path tricks (test/path-tricks.test.ts): what API Gateway decodes is undocumented
  ...([['%2E%2E', /"%"/], ['a%2Fb', /"%"/], ['..', /a "\.\." segment/], ['a?debug=1', /"\?"/], ['a#frag', /"#"/], ['a\r\nX-Injected: 1', /control characters/]] as Array<[string, RegExp]>)
    .map(([value, why]): [string, (t: Targets) => Partial<ScheduledInvokerProps>, RegExp[]] => [`a path parameter ${JSON.stringify(value)}`,
      (t) => ({ requests: [{ target: t.forecast, pathParameters: { city: value }, queryParameters: { lat: '1' } }] }), [/requests\[0\]\.pathParameters\.city/, why, /does not document whether it decodes path values/]]),
  ...([['%2E%2E/admin', /"%"/], ['v1/a%3Fx', /"%"/], ['v1?debug=1', /"\?"/], ['v1#frag', /"#"/], ['v1\nX: 1', /control characters/]] as Array<[string, RegExp]>)
    .map(([value, why]): [string, (t: Targets) => Partial<ScheduledInvokerProps>, RegExp[]] => [`a proxyPath ${JSON.stringify(value)}`,
      (t) => ({ requests: [{ target: t.status, proxyPath: value }] }), [/requests\[0\]\.proxyPath/, why, /does not document whether it decodes path values/]]),
  ['a proxyPath on a plain route', (t) => ({ requests: [{ target: t.orders, proxyPath: 'x' }] }), [/proxyPath/, /"x"/, /'orders' is not a proxy route/]],
  ['a query parameter the route does not forward', (t) => ({ requests: [{ target: t.forecast, pathParameters: { city: 'a' }, queryParameters: { lat: '1', key: 'secret' } }] }), [/queryParameters\.key/, /"secret"/, /forwards: days, lat/]],
  ['a missing required query parameter', (t) => ({ requests: [{ target: t.forecast, pathParameters: { city: 'a' } }] }), [/requests\[0\]\.queryParameters/, /required query parameters of target 'forecast': lat missing/]],
  ['an Authorization header', (t) => ({ requests: [{ target: t.orders, headers: { Authorization: 'Bearer x' } }] }), [/headers\.Authorization/, /"Bearer x"/, /Step Functions signs the call itself/]],
  ['an X-Amz header', (t) => ({ requests: [{ target: t.orders, headers: { 'X-Amz-Date': 'x' } }] }), [/headers\.X-Amz-Date/, /refuses .*any X-Amz\* or X-Forwarded\* header/]],
  // the names "Call API Gateway with Step Functions" lists besides the prefixes
  ...['Connection', 'content-md5', 'Expect', 'Max-Forwards', 'Proxy-Authenticate', 'Server', 'TE', 'Transfer-Encoding', 'Trailer', 'Upgrade', 'Via', 'WWW-Authenticate'].map((h): [string, (t: Targets) => Partial<ScheduledInvokerProps>, RegExp[]] => [
    `a ${h} header`, (t) => ({ requests: [{ target: t.orders, headers: { [h]: 'x' } }] }), [new RegExp(`headers\\.${h}`), /Step Functions signs the call itself and refuses Authorization, Connection, Content-MD5/],
  ]),
  ['a header the route does not forward', (t) => ({ requests: [{ target: t.forecast, pathParameters: { city: 'a' }, queryParameters: { lat: '1' }, headers: { 'X-Trace': '1' } }] }), [/headers\.X-Trace/, /"1"/, /forwards: accept-language/]],
  ['a body on GET', (t) => ({ requests: [{ target: t.orders, body: RequestBody.fromObject({ a: 1 }) }] }), [/requests\[0\]\.body/, /a body on GET/, /use POST, PUT, PATCH or DELETE/]],
  ['a body key Step Functions reads as a path', (t) => ({ requests: [{ target: t.orders, method: 'POST', body: RequestBody.fromObject({ nested: { 'value.$': '$.x' } }) }] }), [/body/, /"value\.\$"/, /do not end in "\.\$"/]],
  ['a bad request id', (t) => ({ requests: [{ target: t.orders, id: 'has space' }] }), [/requests\[0\]\.id/, /"has space"/, /letters, digits/]],
  ['a repeated request id', (t) => ({ requests: [{ target: t.orders, id: 'a' }, { target: t.orders, id: 'a' }] }), [/requests\[1\]\.id/, /"a"/, /not used by another request/]],
  // schedule
  ['a rate under a minute', () => ({ schedule: InvokerSchedule.rate(Duration.seconds(30)) }), [/invalid schedule/, /"rate of 30 seconds"/, /whole minutes, at least 1 minute/]],
  ['a rate of fractional minutes', () => ({ schedule: InvokerSchedule.rate(Duration.seconds(90)) }), [/schedule/, /"rate of 1 minute 30 seconds"/, /whole minutes/]],
  ['a plural unit for 1', () => ({ schedule: InvokerSchedule.expression('rate(1 minutes)') }), [/schedule/, /"rate\(1 minutes\)"/, /use "minute" for 1/]],
  ['a rate of 0', () => ({ schedule: InvokerSchedule.expression('rate(0 minutes)') }), [/"rate\(0 minutes\)"/, /at least 1/]],
  ['a cron with five fields', () => ({ schedule: InvokerSchedule.expression('cron(0 9 * * ?)') }), [/"cron\(0 9 \* \* \?\)"/, /6 fields, this one has 5/]],
  ['a cron hour of 24', () => ({ schedule: InvokerSchedule.cron({ minute: '0', hour: '24' }) }), [/"cron\(0 24 \* \* \? \*\)"/, /hours field "24": values must be 0-23/]],
  ['a cron with both days given', () => ({ schedule: InvokerSchedule.expression('cron(0 9 1 * MON *)') }), [/exactly one of day-of-month and day-of-week must be "\?"/]],
  ['a cron with a bad month name', () => ({ schedule: InvokerSchedule.cron({ minute: '0', hour: '9', month: 'JANUARY' }) }), [/month field "JANUARY": values must be 1-12 or JAN-DEC/]],
  ['a cron step of 0', () => ({ schedule: InvokerSchedule.expression('cron(*/0 * * * ? *)') }), [/minutes field "\*\/0": a step must be a positive whole number/]],
  ['not an expression', () => ({ schedule: InvokerSchedule.expression('every 5 minutes') }), [/"every 5 minutes"/, /not a rate, cron or at expression/, /accepted: rate\(N/]],
  ['an impossible at() date', () => ({ schedule: InvokerSchedule.expression('at(2027-02-30T10:00:00)') }), [/"at\(2027-02-30T10:00:00\)"/, /not a calendar date and time/]],
  ['a time zone on a rate', () => ({ schedule: InvokerSchedule.expression('rate(5 minutes)', TimeZone.EUROPE_PARIS) }), [/schedule\.timeZone/, /"Europe\/Paris"/, /no time zone on a rate schedule/]],
  ['a token expression', () => ({ schedule: InvokerSchedule.expression(Token.asString({ Ref: 'Expr' })) }), [/schedule/, /an unresolved token/, /a literal expression/]],
  ['a flexible window of 0', () => ({ flexibleTimeWindow: Duration.minutes(0) }), [/flexibleTimeWindow/, /"0 minutes"/, /whole minutes from 1 to 1440/]],
  ['a flexible window over a day', () => ({ flexibleTimeWindow: Duration.hours(25) }), [/flexibleTimeWindow/, /"1 day 1 hour"/, /from 1 to 1440/]],
  ['an end before the start', () => ({ scheduleStart: new Date('2027-02-01T00:00:00Z'), scheduleEnd: new Date('2027-01-01T00:00:00Z') }), [/scheduleEnd/, /"2027-01-01T00:00:00.000Z"/, /after scheduleStart \(2027-02-01/]],
  ['an invalid date', () => ({ scheduleStart: new Date('not a date') }), [/scheduleStart/, /got "an invalid Date"/, /a valid Date/]],
  ['too many schedule retries', () => ({ scheduleRetryAttempts: 186 }), [/scheduleRetryAttempts/, /got 186/, /from 0 to 185/]],
  ['negative schedule retries', () => ({ scheduleRetryAttempts: -1 }), [/scheduleRetryAttempts/, /got -1/]],
  ['a max event age under a minute', () => ({ scheduleMaxEventAge: Duration.seconds(30) }), [/scheduleMaxEventAge/, /"30 seconds"/, /from 1 minute to 24 hours/]],
  // state machine
  ['maxConcurrency 0', () => ({ maxConcurrency: 0 }), [/maxConcurrency/, /got 0/, /from 1 to 40/]],
  ['maxConcurrency above the inline Map limit', () => ({ maxConcurrency: 41 }), [/maxConcurrency/, /got 41/, /inline|from 1 to 40/]],
  ['a fractional maxConcurrency', () => ({ maxConcurrency: 2.5 }), [/maxConcurrency/, /got 2\.5/, /whole number/]],
  ['an Express timeout over 5 minutes', () => ({ executionTimeout: Duration.minutes(10) }), [/executionTimeout/, /"10 minutes"/, /1 second to 5 minutes for an EXPRESS workflow/, /use STANDARD/]],
  ['a zero execution timeout', () => ({ executionTimeout: Duration.seconds(0) }), [/executionTimeout/, /"0 seconds"/]],
  ['a zero request timeout', () => ({ requestTimeout: Duration.seconds(0) }), [/requestTimeout/, /"0 seconds"/, /at least 1 second/]],
  ['a request timeout in milliseconds', () => ({ requestTimeout: Duration.millis(1500) }), [/requestTimeout/, /"1 second 500 millis"/, /whole seconds/]],
  ['an exceeded Express budget in a forced inline layout', (t) => ({ requests: [...Array(30).keys()].map((i) => ({ target: t.orders, id: `o${i}` })), maxConcurrency: 5, layout: InvokerLayout.INLINE }),
    [/invalid time budget/, /worst case of 804 s = 6 wave\(s\) \(30 requests \/ maxConcurrency 5\) x 134 s per request \(4 attempt\(s\) x 30 s requestTimeout \+ 14 s of retry waits\)/, /at most the executionTimeout of 300 s/, /use workflowType STANDARD/]],
  ['an exceeded Standard budget', () => ({ workflowType: sfn.StateMachineType.STANDARD, executionTimeout: Duration.minutes(1) }), [/invalid time budget/, /executionTimeout of 60 s/, /raise executionTimeout/]],
  ['a sink that does not fit the budget', () => ({ sink: sink(Duration.minutes(4)) }), [/invalid time budget/, /\+ 240 s of sink/]],
  ['a bad sink result field', () => ({ sink: sink(Duration.seconds(1), { key: 'key' }) }), [/sink\.resultFields\.key/, /"key"/, /simple JSONPath such as "\$\.key"/]],
  ['a request list over the payload limit in a forced inline layout', (t) => ({
    layout: InvokerLayout.INLINE,
    workflowType: sfn.StateMachineType.STANDARD,
    executionTimeout: Duration.days(1),
    maxConcurrency: 40,
    requests: [...Array(3000).keys()].map((i) => ({ target: t.orders, method: 'POST', id: `order-${i}`, body: RequestBody.fromObject({ payload: 'x'.repeat(40) }) })),
  }), [/invalid requests/, /3000 requests \(the request list is about \d+ KiB\)/, /256 KiB state payload limit/, /split them over several invokers/]],
  // layouts
  ['an unknown layout', () => ({ layout: 'SIDEWAYS' as InvokerLayout }), [/invalid layout/, /got "SIDEWAYS"/, /one of InvokerLayout\.AUTO, InvokerLayout\.INLINE, InvokerLayout\.DISTRIBUTED/]],
  ['no requests in a distributed layout', () => ({ layout: InvokerLayout.DISTRIBUTED, requests: [] }), [/invalid requests/, /got \[\]/, /at least one request/]],
  ['maxConcurrency 41 in a forced inline layout', () => ({ layout: InvokerLayout.INLINE, maxConcurrency: 41 }), [/maxConcurrency/, /got 41/, /from 1 to 40 \(requests in flight at once\)$/]],
  ['maxConcurrency above 40 that is not a multiple of 40', () => ({ maxConcurrency: 50 }), [/maxConcurrency/, /got 50/, /a multiple of 40 up to 400000/]],
  ['maxConcurrency above 400,000', () => ({ layout: InvokerLayout.DISTRIBUTED, maxConcurrency: 400_040 }), [/maxConcurrency/, /got 400040/, /up to 400000 \(40 in each of up to 10000 child executions\)/]],
  ['a request whose worst case does not fit an EXPRESS child execution', () => ({ layout: InvokerLayout.DISTRIBUTED, requestTimeout: Duration.seconds(100) }),
    [/invalid time budget/, /worst case of 414 s for one request \(4 attempt\(s\) x 100 s requestTimeout \+ 14 s of retry waits\)/, /at most 300 s, the longest an EXPRESS child execution/, /use workflowType STANDARD/]],
  ['a distributed run over its executionTimeout', (t) => ({
    layout: InvokerLayout.DISTRIBUTED, executionTimeout: Duration.minutes(10), requests: [...Array(100).keys()].map((i) => ({ target: t.orders, id: `o${i}` })),
  }), [/invalid time budget/, /worst case of 1400 s in the distributed layout = 5 round\(s\) of child executions/, /\(5 batch\(es\) of up to 20 requests, 1 at a time\)/,
    /executionTimeout of 600 s/, /raise executionTimeout/]],
  ['a distributed run over a year', (t) => ({
    layout: InvokerLayout.DISTRIBUTED,
    workflowType: sfn.StateMachineType.STANDARD,
    maxConcurrency: 1,
    requestTimeout: Duration.hours(1),
    requests: [...Array(3000).keys()].map((i) => ({ target: t.orders, id: `o${i}` })),
  }), [/invalid time budget/, /in the distributed layout/, /31536000 s, a year \(a STANDARD execution's longest\)/]],
  ['an executionTimeout over a year in a distributed layout', () => ({ layout: InvokerLayout.DISTRIBUTED, executionTimeout: Duration.days(366) }), [/executionTimeout/, /"366 days"/, /to 365 days/, /STANDARD execution/]],
  ['a request too large for a batch', (t) => ({
    layout: InvokerLayout.DISTRIBUTED, workflowType: sfn.StateMachineType.STANDARD, requests: [{ target: t.orders, method: 'POST', body: RequestBody.fromText('x'.repeat(300_000)) }],
  }), [/requests\[0\]/, /about 29\d KiB/, /make its body smaller/]],
  ['a deploy-time value in a request of the distributed layout', (t) => ({
    layout: InvokerLayout.DISTRIBUTED, requests: [{ target: t.forecast, pathParameters: { city: 'oslo' }, queryParameters: { lat: Token.asString({ Ref: 'Lat' }) } }],
  }), [/requests\[0\]/, /'forecast-1' with a deploy-time value/, /literal values: the distributed layout ships the request list as a file/]],
  ['a results prefix with a trailing slash', () => ({ resultsPrefix: 'results/' }), [/resultsPrefix/, /got "results\/"/, /no leading or trailing "\/"/]],
  ['a results prefix with a space', () => ({ resultsPrefix: 'my results' }), [/resultsPrefix/, /"my results"/, /segments of letters, digits/]],
  ['results settings with a forced inline layout', () => ({ layout: InvokerLayout.INLINE, resultsPrefix: 'results' }), [/resultsPrefix/, /given with layout INLINE/, /nothing with layout INLINE/]],
  ['a removal policy for a results bucket of the user', (t) => ({ resultsBucket: s3.Bucket.fromBucketName(t.orders, 'Results', 'my-results'), resultsRemovalPolicy: RemovalPolicy.DESTROY }),
    [/resultsRemovalPolicy/, /given with resultsBucket/, /either resultsBucket or resultsRemovalPolicy/]],
  // retries
  ['a retry interval of 0', () => ({ retry: { interval: Duration.seconds(0) } }), [/retry\.interval/, /"0 seconds"/, /at least 1/]],
  ['a fractional retry interval', () => ({ retry: { interval: Duration.millis(500) } }), [/retry\.interval/, /"500 millis"/, /whole number of seconds/]],
  ['a max delay below the interval', () => ({ retry: { interval: Duration.seconds(10), maxDelay: Duration.seconds(5) } }), [/retry\.maxDelay/, /"5 seconds"/, /at least retry\.interval \(10 seconds\)/]],
  ['a backoff rate below 1', () => ({ retry: { backoffRate: 0.5 } }), [/retry\.backoffRate/, /got 0\.5/, /from 1 to 10/]],
  ['negative retries', () => ({ retry: { maxAttempts: -1 } }), [/retry\.maxAttempts/, /got -1/, /from 0 \(no retries\) to 10/]],
  // alarms
  ['an error-rate threshold over 1', () => ({ errorRateThreshold: 50 }), [/errorRateThreshold/, /got 50/, /at most 1/]],
  ['an error-rate threshold of 0', () => ({ errorRateThreshold: 0 }), [/errorRateThreshold/, /got 0/, /greater than 0/]],
  ['alarm settings with alarms off', () => ({ alarms: false, errorRateThreshold: 0.3 }), [/errorRateThreshold/, /got 0\.3/, /nothing when alarms is false/]],
];

describe('ScheduledInvoker refuses bad input with a message naming prop, value and what is accepted', () => {
  test.each(cases)('%s', (_name, props, expected) => {
    // GIVEN routes of a REGIONAL and a PRIVATE API
    const stack = testStack();
    const t = targets(stack);
    // WHEN an invoker is created with the bad input THEN the error names the construct and what is wrong
    let message = '';
    try {
      new ScheduledInvoker(stack, 'Poller', {
        schedule: InvokerSchedule.rate(Duration.minutes(15)),
        requests: ok(t),
        ...props(t),
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^TestStack\/Poller: invalid /);
    for (const part of expected) {
      expect(message).toMatch(part);
    }
    // never a stack trace from inside aws-cdk-lib as the explanation
    expect(message).not.toMatch(/node_modules|aws-cdk-lib/);
  });

  test('the good base case synthesizes, so every case above fails for its own reason', () => {
    const stack = testStack();
    const t = targets(stack);
    const invoker = new ScheduledInvoker(stack, 'Poller', { schedule: InvokerSchedule.rate(Duration.minutes(15)), requests: ok(t) });
    expect(invoker.requests).toEqual([{ id: 'forecast-1', targetId: 'forecast', method: 'GET', path: '/forecast/oslo' }]);
    expect(iam.Role.isConstruct(invoker.role)).toBe(true);
  });

  test('GIVEN 100,000 requests with one id repeated at the end WHEN the invoker is created THEN the repeat is refused in well under a second', () => {
    // GIVEN
    const stack = testStack();
    const t = targets(stack);
    const requests = [...Array(100_000).keys()].map((i) => ({ target: t.orders, id: `order-${i}` }));
    requests.push({ target: t.orders, id: 'order-17' });
    // WHEN
    const started = Date.now();
    let message = '';
    try {
      new ScheduledInvoker(stack, 'Poller', { schedule: InvokerSchedule.rate(Duration.minutes(15)), requests });
    } catch (e) {
      message = (e as Error).message;
    }
    // THEN
    expect(message).toMatch(/^TestStack\/Poller: invalid requests\[100000\]\.id: got "order-17"/);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
