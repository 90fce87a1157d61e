import { createService, type NamedService } from './services';
import { get, issueKey, keyIdOf, keyOf, keys, postGraphql } from './testing/query-access';
import { eventually, startTestPlatform, type TestPlatform } from './testing/test-platform';

/** How a client presents a key: both ways are tried on every instance. */
const presented = (key: string): Record<string, string>[] => [{ authorization: `Bearer ${key}` }, { 'x-api-key': key }];

describe('API key rotation and revocation across two running query-api instances', () => {
  let platform: TestPlatform;
  let second: NamedService;
  let instances: string[];

  /** The status each instance answers to the key, each way it can be presented, on REST and GraphQL. */
  const statuses = async (key: string): Promise<number[]> =>
    (
      await Promise.all(
        instances.flatMap((url) =>
          presented(key).flatMap((headers) => [
            get(`${url}/v1/aliases`, headers),
            postGraphql(url, '{ products { items { sku } } }', headers),
          ]),
        ),
      )
    ).map((answer) => answer.status);
  const acceptedEverywhere = async (key: string): Promise<true | undefined> =>
    (await statuses(key)).every((s) => s === 200) ? true : undefined;

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'projector', 'query-api']);
    second = createService('query-api', platform.env);
    instances = [platform.urls['query-api']!, (await second.start()).url];
  });
  afterAll(async () => {
    await second?.stop();
    await platform?.stop();
  });

  it('a key works on both; after rotation old and new both work; after revocation the old is refused by both within 2 s', async () => {
    expect(new Set(instances).size).toBe(2);
    const old = await issueKey(platform, 'acme', ['reader']);
    await eventually(() => acceptedEverywhere(old), 10_000, 'the new key accepted by both instances');

    const rotated = keyOf(await keys(platform, 'rotate', keyIdOf(old)));
    expect(keyIdOf(rotated)).not.toBe(keyIdOf(old));
    await eventually(() => acceptedEverywhere(rotated), 10_000, 'the rotated key accepted by both instances');
    expect(await statuses(old)).toEqual(Array(8).fill(200));

    await keys(platform, 'revoke', keyIdOf(old));
    // From the revoke command's reply: the processor has committed it to the state topic.
    const replied = Date.now();
    let refusedAfterMs: number | undefined;
    while (Date.now() - replied < 5_000) {
      if ((await statuses(old)).every((s) => s === 401)) {
        refusedAfterMs = Date.now() - replied;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(refusedAfterMs).toBeDefined();
    expect(refusedAfterMs!).toBeLessThan(2_000);
    // The refusal says why in WWW-Authenticate, on both instances.
    for (const url of instances)
      expect((await get(`${url}/v1/aliases`, { 'x-api-key': old })).headers.get('www-authenticate')).toMatch(
        /error="invalid_token"/,
      );
    expect(await statuses(rotated)).toEqual(Array(8).fill(200));
  });
});
