/**
 * Static checks of the deployment files, for CI without a Docker engine (.ci/check-deploy.sh runs this first):
 * the Dockerfile and compose.yaml reference only files, npm scripts and settings that exist, and keep the promises
 * the README makes of them (Node 20 slim, non-root, production install, tsx and ffmpeg as runtime dependencies,
 * Redis with noeviction and AOF, a health check on /healthz).
 * `--copied` prints the paths the image copies from the build context, one a line (the shell script copies them).
 */
import { existsSync, readFileSync } from 'node:fs';

const problems: string[] = [];
const check = (ok: boolean, problem: string) => void (ok || problems.push(problem));

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const dockerfile = readFileSync('Dockerfile', 'utf8');
const compose = readFileSync('compose.yaml', 'utf8');
const dockerignore = existsSync('.dockerignore') ? readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim()) : [];
/** The settings src/config.ts reads: the keys of its schema. */
const settings = new Set([...readFileSync('src/config.ts', 'utf8').matchAll(/^ {2}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!));

// Dockerfile: instructions without comments, continuation lines joined.
const instructions = dockerfile
  .split('\n')
  .filter((line) => !line.trim().startsWith('#'))
  .join('\n')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter(Boolean);
const copied: string[] = [];
for (const line of instructions) {
  const copy = /^COPY\s+(?!--from)(.+)$/.exec(line);
  if (!copy) continue;
  const parts = copy[1]!.split(/\s+/);
  for (const source of parts.slice(0, -1)) {
    copied.push(source);
    check(existsSync(source), `Dockerfile copies ${source}, which does not exist`);
    check(!dockerignore.includes(source), `Dockerfile copies ${source}, which .dockerignore leaves out`);
  }
}
check(/^FROM node:20-slim\b/m.test(dockerfile), 'Dockerfile: the image is not FROM node:20-slim');
const users = instructions.filter((l) => l.startsWith('USER ')).map((l) => l.slice(5).trim());
check(users.length > 0 && users.at(-1) !== 'root' && users.at(-1) !== '0', 'Dockerfile: the bot would run as root');
check(instructions.some((l) => /npm ci --omit=dev/.test(l)), 'Dockerfile: no `npm ci --omit=dev` install');
check(Boolean(pkg.dependencies.tsx), 'package.json: tsx must be a dependency (the image runs the sources with it)');
check(Boolean(pkg.dependencies['@ffmpeg-installer/ffmpeg']), 'package.json: @ffmpeg-installer/ffmpeg must be a dependency');

/** `["npm", "start"]` or `["npm", "run", "x"]` in a CMD or command: the script must exist. */
function checkNpmCommand(where: string, text: string): void {
  const args = JSON.parse(text) as string[];
  if (args[0] !== 'npm') return;
  const script = args[1] === 'run' ? args[2] : args[1];
  check(script !== undefined && script in pkg.scripts, `${where} runs npm script "${script}", which package.json lacks`);
}
const cmd = instructions.find((l) => l.startsWith('CMD '));
check(cmd !== undefined, 'Dockerfile: no CMD');
if (cmd) checkNpmCommand('Dockerfile CMD', cmd.slice(4));

// compose.yaml: the few keys this file uses, read line by line (no YAML library among the dependencies).
const lines = compose.split('\n').filter((line) => !line.trim().startsWith('#'));
check(/^ {4}build: \.$/m.test(compose) && existsSync('Dockerfile'), 'compose.yaml: the bot is not built from ./Dockerfile');
for (const m of compose.matchAll(/^ {4}env_file: (\S+)$/gm)) {
  check(existsSync(`${m[1]}.example`), `compose.yaml reads ${m[1]}, but ${m[1]}.example (what it is copied from) is missing`);
}
for (const line of lines) {
  const command = /^ {4}command: (\[.*\])$/.exec(line);
  if (command) checkNpmCommand('compose.yaml command', command[1]!);
}
const environment: Record<string, string> = {};
const envStart = lines.findIndex((l) => /^ {4}environment:$/.test(l));
for (let i = envStart + 1; envStart >= 0 && i < lines.length; i++) {
  const entry = /^ {6}([A-Z][A-Z0-9_]*): "?([^"]*)"?$/.exec(lines[i]!);
  if (!entry) break;
  environment[entry[1]!] = entry[2]!;
  check(settings.has(entry[1]!), `compose.yaml sets ${entry[1]}, which src/config.ts does not read`);
}
check(/^redis:\/\/redis:6379$/.test(environment.STORAGE_URL ?? ''), 'compose.yaml: STORAGE_URL is not redis://redis:6379');
const httpPort = environment.HTTP_PORT;
check(httpPort !== undefined, 'compose.yaml: HTTP_PORT is not set (the health check needs it)');
check(
  compose.includes(`http://127.0.0.1:${httpPort}/healthz`),
  `compose.yaml: the bot's health check does not probe /healthz on HTTP_PORT ${httpPort}`,
);
check(/--maxmemory-policy", "noeviction"/.test(compose), 'compose.yaml: Redis runs without maxmemory-policy noeviction');
check(/--appendonly", "yes"/.test(compose), 'compose.yaml: Redis runs without appendonly yes');
check(/^ {6}- redis-data:\/data$/m.test(compose) && /^ {2}redis-data:$/m.test(compose), 'compose.yaml: Redis has no volume');

if (process.argv.includes('--copied')) {
  console.log([...new Set(copied)].join('\n'));
} else if (problems.length > 0) {
  for (const problem of problems) console.error(`check-deploy: ${problem}`);
  process.exit(1);
} else {
  console.log(`check-deploy: Dockerfile and compose.yaml reference only what exists (${new Set(copied).size} paths copied)`);
}
