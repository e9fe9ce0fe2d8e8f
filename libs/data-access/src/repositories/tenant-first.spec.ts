import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

/**
 * Every public method of every repository takes the organization first (`organizationId`), so an
 * unscoped query cannot be written by accident. Read from the source with the TypeScript compiler,
 * not from the compiled classes, so the parameter's name is what is checked.
 */

/** Cross-tenant by contract: the worker's queue serves every organization (see its class comment). */
const CROSS_TENANT_REPOSITORIES = new Set(['DeliveryQueueRepository']);

/** The methods allowed to take something else first, each with the reason. */
const ALLOWED: Readonly<Record<string, string>> = {
  'ApiKeyRepository.findActiveByHash': 'how a request finds its organization: by its key',
  'ApiKeyRepository.findByHash': 'the bootstrap key, looked up before any organization is known',
  'ApiKeyRepository.findBootstrap': 'start-up has no organization yet',
  'ApiKeyRepository.holdLive': 'by the key id alone: an operator key has no organization',
  'ApiKeyRepository.insert': 'the row names its organization, or none for an operator key',
  'ApiKeyRepository.revokeMintedBy': 'an operator key mints keys of several organizations',
  'ApiKeyRepository.listOperatorKeys': 'operator keys belong to no organization',
  'ApiKeyRepository.revokeOperatorKey': 'operator keys belong to no organization',
  'PortalSessionRepository.findByTokenHash': 'how a portal request finds its organization',
  'PortalSessionRepository.findAnyById': 'the console page knows only the session id from its URL',
  'PortalSessionRepository.insert': 'the row names its organization',
  'PortalSessionRepository.revokeCreatedBy': "an operator key's sessions span organizations",
  'OrganizationRepository.findLiveByUid': 'the uid is how a caller names the organization itself',
  'OrganizationRepository.listLive': "the operator's list of organizations",
  'OrganizationRepository.insert': 'creates the organization',
  'EndpointRepository.withManager': 'runs no query: the same repository on another manager',
  'EndpointRepository.applyEvent':
    'writes a row the caller locked by organization and id, keyed by that row’s organization',
  'EndpointRepository.insert': 'the row names its organization',
  'EndpointRepository.save': 'the row, read by organization and id, names its organization',
};

interface PublicMethod {
  readonly name: string;
  readonly firstParameter: string | null;
}

function isPublic(member: ts.ClassElement): boolean {
  const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
  return !modifiers.some(
    (m) =>
      m.kind === ts.SyntaxKind.PrivateKeyword ||
      m.kind === ts.SyntaxKind.ProtectedKeyword ||
      m.kind === ts.SyntaxKind.StaticKeyword,
  );
}

/** The exported repository classes of a source file, each with its public methods. */
function repositoriesIn(file: string): Map<string, PublicMethod[]> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found = new Map<string, PublicMethod[]>();
  for (const statement of source.statements) {
    if (!ts.isClassDeclaration(statement) || !statement.name) continue;
    if (!statement.name.text.endsWith('Repository')) continue;
    const methods: PublicMethod[] = [];
    for (const member of statement.members) {
      if (!ts.isMethodDeclaration(member) || !isPublic(member)) continue;
      const [first] = member.parameters;
      methods.push({
        name: member.name.getText(source),
        firstParameter: first ? first.name.getText(source) : null,
      });
    }
    found.set(statement.name.text, methods);
  }
  return found;
}

const directory = __dirname;
const repositories = new Map(
  readdirSync(directory)
    .filter((name) => name.endsWith('.repository.ts'))
    .flatMap((name) => [...repositoriesIn(join(directory, name))]),
);

describe('repository methods take the organization first', () => {
  it('reads the repositories, the cross-tenant queue among them', () => {
    expect([...repositories.keys()]).toEqual(
      expect.arrayContaining([
        'DeliveryRepository',
        'EndpointRepository',
        'EventRepository',
        ...CROSS_TENANT_REPOSITORIES,
      ]),
    );
  });

  it('has organizationId as the first parameter of every public method not allowed otherwise', () => {
    const unscoped = [...repositories]
      .filter(([repository]) => !CROSS_TENANT_REPOSITORIES.has(repository))
      .flatMap(([repository, methods]) =>
        methods
          .filter((m) => m.firstParameter !== 'organizationId')
          .map((m) => `${repository}.${m.name}(${m.firstParameter ?? ''})`),
      )
      .filter((method) => !(method.slice(0, method.indexOf('(')) in ALLOWED));
    expect(unscoped).toEqual([]);
  });

  it('allows only methods that exist and do not take the organization first', () => {
    const stale = Object.keys(ALLOWED).filter((key) => {
      const [repository, name] = key.split('.');
      const method = repositories.get(repository ?? '')?.find((m) => m.name === name);
      return !method || method.firstParameter === 'organizationId';
    });
    expect(stale).toEqual([]);
  });
});
