// Where the architecture picture lives, and its title.
export const ARCHITECTURE_TITLE = 'examples/poller: a schedule, two allow-listed upstreams, an archive that announces changes';

export const DIAGRAM_FILES = {
  dot: 'docs/architecture.dot',
  svg: 'docs/architecture.svg',
  png: 'docs/architecture.png',
};
