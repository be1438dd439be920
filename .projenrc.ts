import { awscdk, javascript } from 'projen';

const CDK_VERSION = '2.257.0';
const CONSTRUCTS_VERSION = '10.5.1';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-inside-out-gateway',
  packageName: 'cdk-inside-out-gateway',
  description:
    'Call external HTTPS APIs from AWS on a schedule with no NAT gateway, no instances and no Lambda: API Gateway is the egress, Step Functions the orchestrator.',
  author: 'Inside-out Gateway contributors',
  authorAddress: 'maintainers@insideoutgateway.github.io',
  repositoryUrl: 'https://github.com/insideoutgateway/cdk-inside-out-gateway.git',
  homepage: 'https://github.com/insideoutgateway/cdk-inside-out-gateway',
  license: 'Apache-2.0',
  stability: 'experimental',
  keywords: ['awscdk', 'cdk', 'api-gateway', 'step-functions', 'egress', 'nat-gateway', 'eventbridge-scheduler', 'private-vpc'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    compilerOptions: {
      // examples import the package by its published name, as users do
      paths: { 'cdk-inside-out-gateway': ['./src/index.ts'] },
    },
  },

  cdkVersion: CDK_VERSION,
  constructsVersion: CONSTRUCTS_VERSION,
  jsiiVersion: '~6.0',

  devDeps: [
    // Node 22 for every script and task: Node 20 is end-of-life and the
    // executed state-machine tests need 22. npm puts it first on PATH.
    'node@^22',
    'cdk-nag@^3.0.2',
    'ts-node',
    'tsconfig-paths@^4',
    '@smithy/signature-v4',
    '@aws-crypto/sha256-js',
    // runs synthesized state machines in the tests (JSONPath only)
    'aws-local-stepfunctions@^3.0.0',
    // local AWS peers of the archive tests, on 127.0.0.1: DynamoDB, and S3 + SNS
    'dynalite@^4.0.0',
    'fauxqs@^2.4.1',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/client-s3',
    '@aws-sdk/client-sns',
    '@aws-sdk/client-sqs',
    // the LocalStack lane deploys through CloudFormation (with the secrets a
    // template resolves) and runs Step Functions
    '@aws-sdk/client-cloudformation',
    '@aws-sdk/client-sfn',
    '@aws-sdk/client-secrets-manager',
    // evaluates the synthesized identity and resource policies
    '@cloud-copilot/iam-simulate',
    // cfn-guard 3.1.1 and AWS Control Tower's proactive rules, for the scans
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    // integration tests a user runs in an account; their snapshots are
    // verified offline by the build (the last alpha; it needs aws-cdk-lib >= 2.245)
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@^2.197.10',
  ],

  publishToPypi: {
    distName: 'cdk-inside-out-gateway',
    module: 'cdk_inside_out_gateway',
  },
  publishToMaven: {
    mavenGroupId: 'io.github.insideoutgateway',
    mavenArtifactId: 'cdk-inside-out-gateway',
    javaPackage: 'io.github.insideoutgateway.cdk',
  },

  jestOptions: {
    // `jest --ci`: a missing snapshot fails instead of being written
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // the LocalStack lane runs on its own, with LocalStack started (test:localstack)
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/localstack/'],
      moduleNameMapper: { '^cdk-inside-out-gateway$': '<rootDir>/src/index.ts' },
      coverageReporters: ['text-summary', 'lcov'],
    },
  },

  gitignore: ['cdk.out/', '.jsii.tabl.json', '.venv/', '.venv-scan/', '.venv-localstack/', '__pycache__/', '/.tmp/', 'examples/**/java/target/', 'test/integ/*.snapshot/asset.*'],
  npmIgnoreOptions: { ignorePatterns: ['/examples/', '/scripts/', '/rosetta/', '/.ci/', '/docs/'] },
});

// `npm ci` rejects a lockfile that names platform bindings of unrs-resolver
// (pulled in by the eslint import resolver) that the registry lacks; pin
// the version whose bindings are all published.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// Lint tests, examples and scripts with the dev tsconfig that includes them
// (the project service only finds tsconfig.json, which covers src alone).
const eslintrc = project.tryFindObjectFile('.eslintrc.json');
eslintrc?.addDeletionOverride('parserOptions.projectService');
eslintrc?.addOverride('parserOptions.project', ['./tsconfig.dev.json', './projenrc/tsconfig.json']);
eslintrc?.addOverride('settings.import/resolver.typescript.project', './tsconfig.dev.json');
project.eslint?.addLintPattern('examples');
project.eslint?.addLintPattern('scripts');

const tsNode = 'ts-node -r tsconfig-paths/register --project tsconfig.dev.json';

// README snippets and @example blocks must compile in every language.
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile every README snippet and @example with jsii-rosetta --strict',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosetta);

// Type-check tests, examples and scripts: ts-jest compiles each test file
// on its own and does not report type errors in the helpers it imports.
// The Python scanners of the scans suite, pinned (with every dependency) and
// installed into .venv-scan once; the build installs them before the tests.
const scanTools = project.addTask('scan:tools', {
  description: 'Install cfn-lint and checkov, pinned in test/scans/, into .venv-scan',
  exec: [
    'cmp -s test/scans/constraints.txt .venv-scan/installed.txt',
    '|| (rm -rf .venv-scan && python3 -m venv .venv-scan'
    + ' && .venv-scan/bin/pip install --quiet --disable-pip-version-check -r test/scans/requirements.txt -c test/scans/constraints.txt'
    + ' && cp test/scans/constraints.txt .venv-scan/installed.txt)',
  ].join(' '),
});

// Integration tests (test/integ/integ.*.ts): their snapshots are verified
// offline in every build; updating them, or running them in an account, is
// a person's decision. Asset bundles are left out of the snapshots: with
// diffAssets off the check compares templates only.
const integRunner = 'integ-runner --directory test/integ --language typescript';
const integSnapshot = project.addTask('integ:snapshot', {
  description: 'Check the synthesized integration tests against their committed snapshots (no deploy)',
  exec: integRunner,
});
project.addTask('integ:snapshot:update', {
  description: 'Rewrite the integration test snapshots from the current code (no deploy)',
  // the updating run exits non-zero for the snapshots it found changed; the
  // check that follows decides
  exec: `${integRunner} --dry-run --update-on-failed; rm -rf test/integ/*.snapshot/asset.* && ${integRunner}`,
});
project.addTask('integ:deploy', {
  description: 'Deploy each integration test to the current AWS account, run its assertions, update its snapshot and destroy it',
  exec: `${integRunner} --update-on-failed --force`,
});

// LocalStack, pinned (with every dependency) in test/localstack/ and
// installed into .venv-localstack by scripts/localstack-tools.sh only when
// the pins change. The lane deploys every example and the kitchen sink
// through LocalStack's CloudFormation and runs the end-to-end scenarios on
// LocalStack and on the local harness side by side (docs/end-to-end.md).
// scripts/with-localstack.sh starts LocalStack on 127.0.0.1 for the run and
// always stops it.
const localstackTools = project.addTask('localstack:tools', {
  description: 'Install LocalStack, pinned in test/localstack/, into .venv-localstack (Python 3.13), when the pins changed',
  exec: 'bash scripts/localstack-tools.sh',
});
// --forceExit: an SDK client's open socket must not keep the build waiting
// once the lane's tests are done; LocalStack is stopped by the wrapper.
const localstackLane = project.addTask('test:localstack', {
  description: 'The LocalStack lane: start LocalStack on 127.0.0.1, run test/localstack/**/*.localstack.test.ts in band, stop LocalStack',
  env: { JEST_JUNIT_OUTPUT_NAME: 'localstack.xml' },
  exec: "bash scripts/with-localstack.sh jest --ci --coverage=false --runInBand --forceExit --testMatch '<rootDir>/test/localstack/**/*.localstack.test.ts' --testPathIgnorePatterns /node_modules/",
});
localstackLane.prependSpawn(localstackTools);

const typecheck = project.addTask('typecheck', {
  description: 'Type-check everything tsconfig.dev.json covers (tests, examples, scripts)',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});
project.testTask.prependSpawn(typecheck);
project.testTask.prependSpawn(scanTools);
project.testTask.spawn(localstackLane);
project.testTask.spawn(integSnapshot);

// Package JavaScript, Python and Java whether or not CI is set: the
// consumer tests below need the wheel and the jar.
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package-all')!);

// The consumer proof: Python and Java apps built against the freshly
// packaged wheel and jar synthesize the same templates as TypeScript.
const consumers = project.addTask('test:consumers', {
  description: 'Synthesize the example app in TypeScript, Python and Java from the packaged artefacts and compare templates',
  env: { JEST_JUNIT_OUTPUT_NAME: 'consumers.xml' },
  exec: "jest --ci --coverage=false --testMatch '<rootDir>/test/consumers/**/*.consumer.ts'",
});
// The build task is locked by projen; the package task is the last step of
// build, so the artefacts are proven right after they are made.
project.packageTask.spawn(consumers);

// The main job: synthesize the example app into cdk.out/ and say what it made.
project.addTask('synth:example', {
  description: 'Synthesize the example app into cdk.out/ and print its stacks and resource counts',
  steps: [
    { exec: 'rm -rf cdk.out' },
    { exec: `${tsNode} examples/quickstart/typescript/app.ts`, env: { CDK_OUTDIR: 'cdk.out' } },
    { exec: `${tsNode} scripts/describe-assembly.ts cdk.out` },
  ],
});

/** A step condition: whether LOCAL_RUN_REQUESTS is set (to anything but the empty string), or not. */
const requestsGiven = (given: boolean) => `node -e "process.exit(process.env.LOCAL_RUN_REQUESTS ? ${given ? 0 : 1} : ${given ? 1 : 0})"`;
// examples/poller run on 127.0.0.1 for a few ticks (the end-to-end harness);
// with LOCAL_RUN_REQUESTS=N, one run of N requests in the distributed layout.
project.addTask('local-run', {
  description: 'Synthesize examples/poller and run LOCAL_RUN_TICKS (4) scheduled ticks against local peers on 127.0.0.1, printing a timeline and a summary; '
    + 'with LOCAL_RUN_REQUESTS=N, synthesize an invoker of N requests in the distributed layout instead and play one run with a progress line, '
    + 'then print where the results are and the counts per outcome',
  steps: [
    { exec: 'rm -rf cdk.out/local-run' },
    // projen's own shell has no `test -z`: the conditions ask node
    { exec: `${tsNode} examples/poller/app.ts`, env: { CDK_OUTDIR: 'cdk.out/local-run' }, condition: requestsGiven(false) },
    { exec: `${tsNode} scripts/local-run-app.ts`, env: { CDK_OUTDIR: 'cdk.out/local-run' }, condition: requestsGiven(true) },
    { exec: `${tsNode} scripts/local-run.ts cdk.out/local-run` },
  ],
});

// The example apps of examples/ (the quickstart is the main job's).
const exampleApps = ['poller', 'fan-out', 'private-vpc'];
project.addTask('synth:examples', {
  description: `Synthesize ${exampleApps.map((e) => `examples/${e}`).join(', ')} into cdk.out/examples/<name> and print their stacks and resource counts`,
  steps: [
    { exec: 'rm -rf cdk.out/examples' },
    ...exampleApps.flatMap((e) => [
      { exec: `${tsNode} examples/${e}/app.ts`, env: { CDK_OUTDIR: `cdk.out/examples/${e}` } },
      { exec: `${tsNode} scripts/describe-assembly.ts cdk.out/examples/${e}` },
    ]),
  ],
});

// README's architecture picture, drawn from examples/poller with Graphviz
// (`dot`, from Debian's graphviz package); test/architecture.test.ts fails
// when the committed picture no longer matches the code.
project.addTask('docs:architecture', {
  description: 'Redraw docs/architecture.{dot,svg,png} from examples/poller (needs Graphviz `dot` on PATH)',
  exec: `${tsNode} scripts/architecture/draw.ts`,
});

// Benchmarks (not part of build or test): synth scale up to 100,000
// requests against a hand-written baseline, layout AUTO's switch point,
// limits, billable units per poll and the cost per run of fan-outs of both
// layouts executed on 127.0.0.1, monthly cost; writes docs/benchmarks.md
// and docs/benchmarks.json.
project.addTask('bench', {
  description: 'Run the benchmarks (synth scale vs a naive baseline, switch point, limits, billable units per poll and per fan-out on 127.0.0.1, cost) into docs/benchmarks.md and .json',
  env: { TS_NODE_TRANSPILE_ONLY: '1' },
  exec: `${tsNode} scripts/bench/run.ts`,
});

project.synth();
