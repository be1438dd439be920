import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { HttpProxyApi, HttpProxyApiProps, HttpTargetOptions } from '../src';
import { testStack } from './support/test-stack';

/** Each case: what is wrong, and the parts the error must name (prop, value, what is accepted). */
const badTargets: Array<[string, HttpTargetOptions, RegExp[]]> = [
  ['http:// URL', { url: 'http://api.example.com/v1' }, [/url/, /"http:\/\/api\.example\.com\/v1"/, /use https:\/\/ or set allowInsecureHttp: true/]],
  ['ftp URL', { url: 'ftp://files.example.com/x' }, [/url/, /scheme ftp: is not supported/]],
  ['not a URL', { url: 'api.example.com/v1' }, [/url/, /not an absolute URL/]],
  ['private IPv4', { url: 'https://10.1.2.3/x' }, [/url/, /10\.1\.2\.3 is in 10\.0\.0\.0\/8, a private \(RFC 1918\) range/]],
  ['192.168 IPv4', { url: 'https://192.168.0.10/x' }, [/192\.168\.0\.0\/16/]],
  ['172.16/12 IPv4', { url: 'https://172.20.0.1/x' }, [/172\.16\.0\.0\/12/]],
  ['loopback IPv4', { url: 'https://127.0.0.1:8443/x' }, [/127\.0\.0\.0\/8, a loopback range/]],
  ['metadata IPv4', { url: 'https://169.254.169.254/latest/meta-data' }, [/169\.254\.0\.0\/16, a link-local \(instance metadata\) range/]],
  ['metadata IPv4 in hex', { url: 'https://0xA9FEA9FE/latest' }, [/169\.254\.169\.254 is in 169\.254\.0\.0\/16/]],
  ['IPv6 loopback', { url: 'https://[::1]/x' }, [/::1 is in a loopback range/]],
  ['IPv6 unique local (EC2 metadata)', { url: 'https://[fd00:ec2::254]/x' }, [/unique local/]],
  ['IPv6 link-local', { url: 'https://[fe80::1]/x' }, [/link-local/]],
  ['IPv4-mapped IPv6', { url: 'https://[::ffff:10.0.0.1]/x' }, [/maps to 10\.0\.0\.1 is in 10\.0\.0\.0\/8/]],
  ['metadata host name', { url: 'https://metadata.google.internal/x' }, [/metadata\.google\.internal is an instance metadata host name/]],
  ['localhost', { url: 'https://localhost/x' }, [/localhost is the local machine/]],
  ['.internal host', { url: 'https://ip-10-0-0-1.ec2.internal/x' }, [/ends in \.internal/]],
  ['single-label host', { url: 'https://intranet/x' }, [/single-label name/]],
  ['credentials in URL', { url: 'https://user:pass@api.example.com/x' }, [/credentials in the URL/, /use secretHeaders instead/]],
  ['query string in URL', { url: 'https://api.example.com/x?key=1' }, [/query string in the URL is not allowed/, /staticQueryParameters/]],
  ['fragment in URL', { url: 'https://api.example.com/x#top' }, [/fragment/]],
  ['unreachable port', { url: 'https://api.example.com:22/x' }, [/port 22 cannot be reached by API Gateway, which accepts 80, 443 and 1024-65535/]],
  ['placeholder in host', { url: 'https://{tenant}.example.com/x' }, [/placeholders are only allowed in the path/]],
  ['bad placeholder name', { url: 'https://api.example.com/{1st}' }, [/placeholder \{1st\} is not a valid parameter name/]],
  ['repeated placeholder', { url: 'https://api.example.com/{a}/{a}' }, [/placeholder \{a\} appears more than once/]],
  ['proxy with placeholders', { url: 'https://api.example.com/{a}', proxy: true }, [/url/, /without \{placeholders\} when proxy is true/]],
  ['invalid method', { url: 'https://api.example.com/x', methods: ['FETCH'] }, [/methods/, /"FETCH"/, /GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS/]],
  ['lower-case method', { url: 'https://api.example.com/x', methods: ['get'] }, [/methods/, /"get"/, /upper case/]],
  ['no methods', { url: 'https://api.example.com/x', methods: [] }, [/methods/, /at least one of/]],
  ['repeated method', { url: 'https://api.example.com/x', methods: ['GET', 'GET'] }, [/methods/, /each method once/]],
  ['invalid header name', { url: 'https://api.example.com/x', requestHeaders: ['Bad Header'] }, [/requestHeaders/, /"Bad Header"/, /RFC 9110 tokens/]],
  ['forwarding Authorization', { url: 'https://api.example.com/x', requestHeaders: ['Authorization'] }, [/requestHeaders/, /"Authorization"/, /caller's credentials/]],
  ['forwarding X-Amz-Security-Token', { url: 'https://api.example.com/x', requestHeaders: ['X-Amz-Security-Token'] }, [/"X-Amz-Security-Token"/, /credentials/]],
  ['forwarding X-Forwarded-For', { url: 'https://api.example.com/x', requestHeaders: ['X-Forwarded-For'] }, [/"X-Forwarded-For"/]],
  ...['X-HTTP-Method-Override', 'x-http-method', 'X-Method-Override', 'Forwarded', 'X-Original-URL', 'X-Rewrite-URL'].map((h): [string, HttpTargetOptions, RegExp[]] =>
    [`forwarding ${h}`, { url: 'https://api.example.com/x', requestHeaders: [h] }, [/requestHeaders/, new RegExp(`"${h}"`), /change the method or path the upstream acts on/]]),
  ['passing back Set-Cookie', { url: 'https://api.example.com/x', responseHeaders: ['Content-Type', 'Set-Cookie'] }, [/responseHeaders/, /"Set-Cookie"/, /other than Set-Cookie and Set-Cookie2/, /set cookies for the API's domain/]],
  ['passing back set-cookie in lower case', { url: 'https://api.example.com/x', responseHeaders: ['set-cookie'] }, [/responseHeaders/, /"set-cookie"/]],
  ['static Host header', { url: 'https://api.example.com/x', staticHeaders: { Host: 'evil.example.com' } }, [/staticHeaders or secretHeaders/, /"Host"/, /API Gateway sets itself/]],
  ['static API key in plain text', { url: 'https://api.example.com/x', staticHeaders: { 'X-Api-Key': 'abc123' } }, [/staticHeaders\.X-Api-Key/, /use secretHeaders/]],
  ['static api_key query parameter in plain text', { url: 'https://api.example.com/x', staticQueryParameters: { api_key: 'abc123' } }, [/staticQueryParameters\.api_key/, /a credential, not shown/, /use secretQueryParameters/]],
  ['static APIKEY query parameter, any case', { url: 'https://api.example.com/x', staticQueryParameters: { APIKEY: 'abc123' } }, [/staticQueryParameters\.APIKEY/, /use secretQueryParameters/]],
  ['static access-token query parameter', { url: 'https://api.example.com/x', staticQueryParameters: { 'access-token': 'abc123' } }, [/staticQueryParameters\.access-token/, /use secretQueryParameters/]],
  ['static sig query parameter', { url: 'https://api.example.com/x', staticQueryParameters: { sig: 'abc123' } }, [/staticQueryParameters\.sig/, /use secretQueryParameters/]],
  ['static appid query parameter', { url: 'https://api.example.com/x', staticQueryParameters: { appid: 'abc123' } }, [/staticQueryParameters\.appid/, /use secretQueryParameters/]],
  ['quote in static header value', { url: 'https://api.example.com/x', staticHeaders: { 'User-Agent': "it's" } }, [/staticHeaders\.User-Agent/, /without single quotes/]],
  ['header both forwarded and static', { url: 'https://api.example.com/x', requestHeaders: ['Accept'], staticHeaders: { accept: 'application/json' } }, [/"accept"/, /not also forwarded/]],
  ['repeated query parameter', { url: 'https://api.example.com/x', queryParameters: ['q', 'Q'] }, [/queryParameters/, /each name once/]],
  ['invalid query parameter name', { url: 'https://api.example.com/x', queryParameters: ['a b'] }, [/queryParameters/, /"a b"/]],
  ['static and forwarded query parameter', { url: 'https://api.example.com/x', queryParameters: ['units'], staticQueryParameters: { units: 'metric' } }, [/staticQueryParameters/, /"units"/]],
  ['timeout below 50 ms', { url: 'https://api.example.com/x', timeout: Duration.millis(10) }, [/timeout/, /"10 millis"/, /from 50 milliseconds to 29 seconds/]],
  ['timeout above 300 s', { url: 'https://api.example.com/x', timeout: Duration.minutes(10) }, [/timeout/, /"10 minutes"/, /up to 300 seconds/]],
  ['zero rate limit', { url: 'https://api.example.com/x', throttle: { rateLimit: 0, burstLimit: 10 } }, [/throttle\.rateLimit/, /got 0/, /greater than 0 and at most 10000/]],
  ['negative burst', { url: 'https://api.example.com/x', throttle: { rateLimit: 5, burstLimit: -1 } }, [/throttle\.burstLimit/, /got -1/, /whole number from 1 to 5000/]],
  ['invalid path', { url: 'https://api.example.com/x', path: 'weather' }, [/path/, /"weather"/, /slash-separated segments/]],
  ['cache TTL over an hour', { url: 'https://api.example.com/x', cacheTtl: Duration.hours(2) }, [/cacheTtl/, /"2 hours"/, /0 to 3600/]],
];

describe('HttpProxyApi refuses bad targets with a message naming prop, value and what is accepted', () => {
  test.each(badTargets)('%s', (_name, options, expected) => {
    // GIVEN an API
    const api = new HttpProxyApi(testStack(), 'Egress', { cacheClusterSize: '0.5' });
    // WHEN a bad target is added THEN the error names what is wrong
    let message = '';
    try {
      api.addTarget('bad', options);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^TestStack\/Egress: invalid addTarget\('bad'\)\./);
    for (const part of expected) {
      expect(message).toMatch(part);
    }
  });
});

const badApis: Array<[string, HttpProxyApiProps, RegExp]> = [
  ['EDGE endpoint', { endpointType: apigw.EndpointType.EDGE }, /invalid endpointType: got "EDGE"; accepted: REGIONAL .* Step Functions cannot call edge-optimized APIs/],
  ['PRIVATE without access', { endpointType: apigw.EndpointType.PRIVATE }, /invalid privateAccess: got undefined; accepted: a PrivateVpcEgressPolicy or PrivateApiAccess/],
  ['bad stage name', { stageName: 'my stage' }, /invalid stageName: got "my stage"; accepted: letters, digits, _ and -/],
  ['bad cache size', { cacheClusterSize: '2' }, /invalid cacheClusterSize: got "2"; accepted: 0\.5, 1\.6, 6\.1/],
  ['rate limit above quota', { throttle: { rateLimit: 20000, burstLimit: 10 } }, /invalid throttle\.rateLimit: got 20000/],
  ['fractional burst', { throttle: { rateLimit: 1, burstLimit: 1.5 } }, /invalid throttle\.burstLimit: got 1\.5; accepted: a whole number from 1 to 5000/],
];

describe('HttpProxyApi refuses bad API props', () => {
  test.each(badApis)('%s', (_name, props, expected) => {
    expect(() => new HttpProxyApi(testStack(), 'Egress', props)).toThrow(expected);
  });

  test('private access on a REGIONAL API', () => {
    const access = { bindToApi: () => ({ vpcEndpoints: [], policy: undefined as any }) };
    expect(() => new HttpProxyApi(testStack(), 'Egress', { privateAccess: access })).toThrow(/invalid privateAccess: got "given"; accepted: no privateAccess on a REGIONAL API; set endpointType: EndpointType\.PRIVATE/);
  });
});

describe('HttpProxyApi refuses clashing targets', () => {
  function api() {
    const a = new HttpProxyApi(testStack(), 'Egress');
    a.addTarget('weather', { url: 'https://api.example.com/v1/{city}' });
    return a;
  }

  test('duplicate id', () => {
    expect(() => api().addTarget('weather', { url: 'https://other.example.com/' })).toThrow(/invalid addTarget id: got "weather"; accepted: an id not used yet; used: weather/);
  });

  test('duplicate path', () => {
    expect(() => api().addTarget('forecast', { url: 'https://other.example.com/{city}', path: '/weather' })).toThrow(/invalid addTarget\('forecast'\)\.path: got "\/weather\/\{city\}"; accepted: a route path not used by target 'weather'/);
  });

  test('sibling path variables with different names', () => {
    expect(() => api().addTarget('forecast', { url: 'https://other.example.com/{town}/days', path: '/weather' })).toThrow(/\{city\} and \{town\} would be siblings under \/weather/);
  });

  test('cacheTtl without a cache cluster', () => {
    expect(() => api().addTarget('cached', { url: 'https://other.example.com/', cacheTtl: Duration.minutes(1) })).toThrow(/invalid addTarget\('cached'\)\.cacheTtl: got "1 minute"; accepted: no cacheTtl unless the HttpProxyApi has a cacheClusterSize/);
  });

  test('bad target id', () => {
    expect(() => api().addTarget('Weather_2', { url: 'https://other.example.com/' })).toThrow(/invalid addTarget id: got "Weather_2"; accepted: lower-case letters, digits and hyphens/);
  });
});
